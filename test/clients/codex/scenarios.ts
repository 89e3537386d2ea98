import type { FakeBehaviour, RecordedRequest } from "../../support/fake-upstream.js";

/*
 * What Codex CLI is run through against the gateway (scripts/try-codex.sh), and what the recorded
 * requests are replayed with (test/e2e/codex-replay.test.ts): one prompt each, the fake upstream's
 * answers in order, and what the upstream must have received. The upstream's answers are the same
 * in both, so that a replay meets the answers the real client met.
 */

/** The gateway key Codex is given (through its provider's env_key) and the replay sends. */
export const CODEX_KEY = "sk-codex-fixture";

export interface CodexScenario {
  name: string;
  /** The gateway's model Codex asks for (a name Codex does not know: it falls back to plain function tools). */
  model: string;
  prompt: string;
  /** More arguments of `codex exec`. */
  args?: string[];
  /** The fake upstream's answers, one per model request Codex's turn makes. */
  upstream: FakeBehaviour[];
  /** What Codex prints as its last message. */
  finalText: string;
  /**
   * A gap the gateway still has on this route: the field its first request is refused by (400),
   * and why. The run reports it rather than fail; once the gateway is fixed, the run says so.
   */
  gap?: { param: string; why: string };
  /** Checks what the upstream received for this turn (throws with what is wrong). */
  check(requests: readonly RecordedRequest[]): void;
}

const TOOL_MARKER = "codex-tool-ok";

/** The scenarios run a second time through Codex's built-in OpenAI provider (openai_base_url). */
export const OPENAI_PROVIDER_SCENARIOS: readonly string[] = ["one-shot", "tool-round-trip", "compaction"];

function expectThat(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** The upstream messages of a request, whatever the format (OpenAI's or Anthropic's). */
const messagesOf = (r: RecordedRequest | undefined) => (r?.body["messages"] ?? []) as Record<string, unknown>[];

/** An OpenAI chat-completions stream: reasoning (as DeepSeek-style servers send it), then the text. */
function reasoningThenText(reasoning: string[], text: string[]): unknown[] {
  const chunk = (delta: object, finish: string | null = null) => ({
    id: "chatcmpl-codex",
    object: "chat.completion.chunk",
    created: 0,
    model: "gpt-4o-mini",
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  return [
    chunk({ role: "assistant", content: "" }),
    ...reasoning.map((r) => chunk({ reasoning_content: r })),
    ...text.map((t) => chunk({ content: t })),
    chunk({}, "stop"),
    {
      id: "chatcmpl-codex",
      object: "chat.completion.chunk",
      created: 0,
      model: "gpt-4o-mini",
      choices: [],
      usage: { prompt_tokens: 900, completion_tokens: 12, total_tokens: 912, completion_tokens_details: { reasoning_tokens: 4 } },
    },
    "[DONE]",
  ];
}

const SUMMARY = "Summary: the user asked to run a command, and it printed its marker.";

/** An OpenAI chat-completions stream calling one function, with the usage given (to pass Codex's compaction limit). */
function callWithUsage(id: string, args: object, promptTokens: number): unknown[] {
  const chunk = (choices: unknown[], extra: object = {}) => ({
    id: "chatcmpl-codex",
    object: "chat.completion.chunk",
    created: 0,
    model: "gpt-4o-mini",
    choices,
    ...extra,
  });
  const call = { index: 0, id, type: "function", function: { name: "exec_command", arguments: JSON.stringify(args) } };
  return [
    chunk([{ index: 0, delta: { role: "assistant", tool_calls: [call] }, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, finish_reason: "tool_calls" }]),
    chunk([], { usage: { prompt_tokens: promptTokens, completion_tokens: 10, total_tokens: promptTokens + 10 } }),
    "[DONE]",
  ];
}

/** An Anthropic stream: signed thinking, a sentence, then a call of Codex's exec_command. */
function anthropicThinkingAndCall(signature: string): { event: string; data: unknown }[] {
  const ev = (event: string, data: object) => ({ event, data: { type: event, ...data } });
  return [
    ev("message_start", {
      message: {
        id: "msg_codex",
        type: "message",
        role: "assistant",
        model: "claude-haiku-4-5",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 950, output_tokens: 1 },
      },
    }),
    ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
    ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "The user wants the command run." } }),
    ev("content_block_delta", { index: 0, delta: { type: "signature_delta", signature } }),
    ev("content_block_stop", { index: 0 }),
    ev("content_block_start", { index: 1, content_block: { type: "text", text: "" } }),
    ev("content_block_delta", { index: 1, delta: { type: "text_delta", text: "Running it." } }),
    ev("content_block_stop", { index: 1 }),
    ev("content_block_start", { index: 2, content_block: { type: "tool_use", id: "toolu_codex_1", name: "exec_command", input: {} } }),
    ev("content_block_delta", {
      index: 2,
      delta: { type: "input_json_delta", partial_json: JSON.stringify({ cmd: `echo ${TOOL_MARKER}` }) },
    }),
    ev("content_block_stop", { index: 2 }),
    ev("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 30 } }),
    ev("message_stop", {}),
  ];
}

/** The tool result Codex sent back for `callId`, from the second request of a turn (either format). */
function toolResult(r: RecordedRequest | undefined, callId: string): string {
  for (const m of messagesOf(r)) {
    if (m["role"] === "tool" && m["tool_call_id"] === callId) return String(m["content"]);
    if (m["role"] === "user" && Array.isArray(m["content"]))
      for (const b of m["content"] as Record<string, unknown>[])
        if (b["type"] === "tool_result" && b["tool_use_id"] === callId) return JSON.stringify(b["content"]);
  }
  return "";
}

export const codexScenarios: CodexScenario[] = [
  {
    name: "one-shot",
    model: "gpt-native",
    prompt: "Say hello",
    upstream: [{ text: "Hello from the gateway." }],
    finalText: "Hello from the gateway.",
    check(requests) {
      const last = messagesOf(requests[0]).at(-1);
      expectThat(requests.length === 1, `one upstream request, not ${requests.length}`);
      expectThat(last?.["role"] === "user" && String(last["content"]).includes("Say hello"), "the prompt reached the upstream last");
    },
  },
  {
    name: "streamed-reasoning",
    model: "gpt-native",
    prompt: "Count to five",
    upstream: [{ rawEvents: reasoningThenText(["Counting ", "is easy."], ["one ", "two ", "three ", "four ", "five"]) }],
    finalText: "one two three four five",
    check(requests) {
      expectThat(requests[0]?.body["stream"] === true, "the upstream was asked to stream");
    },
  },
  {
    name: "tool-round-trip",
    model: "gpt-native",
    prompt: `Run echo ${TOOL_MARKER}`,
    upstream: [
      { text: "", toolCalls: [{ id: "call_codex_1", name: "exec_command", arguments: JSON.stringify({ cmd: `echo ${TOOL_MARKER}` }) }] },
      { text: `The command printed ${TOOL_MARKER}.` },
    ],
    finalText: `The command printed ${TOOL_MARKER}.`,
    check(requests) {
      expectThat(requests.length === 2, `two upstream requests, not ${requests.length}`);
      expectThat(toolResult(requests[1], "call_codex_1").includes(TOOL_MARKER), "the command's output went back to the upstream");
    },
  },
  {
    // Codex's sub-agent tools come as a namespace: offered flat, called back under their namespace.
    name: "namespace-tool-call",
    model: "gpt-native",
    prompt: "Close the agent named nobody",
    upstream: [
      {
        text: "",
        toolCalls: [{ id: "call_codex_ns", name: "multi_agent_v1__close_agent", arguments: JSON.stringify({ target: "nobody" }) }],
      },
      { text: "There was no such agent." },
    ],
    finalText: "There was no such agent.",
    check(requests) {
      expectThat(requests.length === 2, `two upstream requests, not ${requests.length}`);
      const offered = (requests[0]?.body["tools"] ?? []) as { function?: { name?: string } }[];
      expectThat(
        offered.some((t) => t.function?.name === "multi_agent_v1__close_agent"),
        "the namespace's function was offered flat",
      );
      const calls = messagesOf(requests[1]).flatMap((m) => (m["tool_calls"] ?? []) as { function: { name: string } }[]);
      expectThat(
        calls.some((c) => c.function.name === "multi_agent_v1__close_agent"),
        "the call went back under its flat name",
      );
      expectThat(toolResult(requests[1], "call_codex_ns") !== "", "Codex's answer to the call went back to the upstream");
    },
  },
  {
    // Past its (here tiny) token limit Codex compacts its context before the turn goes on: through a
    // provider of its own it asks for a summary in a request of its own making; through its built-in
    // OpenAI provider it sends a compaction_trigger item and gets a compaction item back.
    name: "compaction",
    model: "gpt-native",
    prompt: `Run echo ${TOOL_MARKER}`,
    args: ["-c", "model_auto_compact_token_limit=1000"],
    upstream: [
      { rawEvents: callWithUsage("call_codex_c", { cmd: `echo ${TOOL_MARKER}` }, 5000) },
      { text: SUMMARY },
      { text: "Done after compaction." },
    ],
    finalText: "Done after compaction.",
    check(requests) {
      expectThat(requests.length === 3, `three upstream requests, not ${requests.length}`);
      const last = messagesOf(requests[2]);
      expectThat(
        last.some((m) => String(m["content"]).includes(SUMMARY)),
        "the summary went up in place of the conversation",
      );
      expectThat(!last.some((m) => m["role"] === "tool"), "the tool result it sums up did not");
    },
  },
  {
    name: "anthropic-tool-round-trip",
    model: "claude-test",
    prompt: `Run echo ${TOOL_MARKER}`,
    upstream: [{ rawEvents: anthropicThinkingAndCall("sig-codex-1") }, { text: `Done: ${TOOL_MARKER}.` }],
    finalText: `Done: ${TOOL_MARKER}.`,
    check(requests) {
      expectThat(requests.length === 2, `two upstream requests, not ${requests.length}`);
      expectThat(toolResult(requests[1], "toolu_codex_1").includes(TOOL_MARKER), "the command's output went back to the upstream");
      // store: false: the signed thinking survives only through Codex's encrypted_content.
      const turn = messagesOf(requests[1]).find((m) => m["role"] === "assistant");
      const blocks = (turn?.["content"] ?? []) as Record<string, unknown>[];
      expectThat(
        blocks.some((b) => b["type"] === "thinking" && b["signature"] === "sig-codex-1"),
        "the signed thinking went back to Anthropic before the tool call",
      );
    },
  },
];
