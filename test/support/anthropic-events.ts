/*
 * Anthropic's stream as the fake upstream sends it (FakeBehaviour.rawEvents): named events whose data
 * carries its type, as Anthropic's API writes them.
 */

/** One named event. */
export const ev = (type: string, payload: object = {}) => ({ event: type, data: { type, ...payload } });

/** message_start: an empty assistant message with the usage known at the start. */
export const messageStart = (usage: object = { input_tokens: 10, output_tokens: 1 }, id = "msg_up") =>
  ev("message_start", {
    message: {
      id,
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  });

/** A signed thinking block (index 0), then a text block (index 1). */
export const signedThinkingThenText = (thinking: string, signature: string, text: string) => [
  ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
  ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking } }),
  ev("content_block_delta", { index: 0, delta: { type: "signature_delta", signature } }),
  ev("content_block_stop", { index: 0 }),
  ev("content_block_start", { index: 1, content_block: { type: "text", text: "" } }),
  ev("content_block_delta", { index: 1, delta: { type: "text_delta", text } }),
  ev("content_block_stop", { index: 1 }),
];

/** The message's end: its stop reason and output tokens, then message_stop. */
export const messageEnd = (outputTokens: number, stopReason = "end_turn") => [
  ev("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } }),
  ev("message_stop"),
];
