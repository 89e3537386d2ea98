import { describe, expect, it } from "vitest";
import { isGatewayError } from "../../core/errors.js";
import { inputOf } from "./responses-input.js";

/** The field an input is refused by. */
function refusedField(input: unknown[]): string | undefined {
  try {
    inputOf(input);
  } catch (err) {
    if (isGatewayError(err)) return err.metadata["field"];
    throw err;
  }
  return undefined;
}

describe("Responses input items as the core's messages", () => {
  it("a function's output may hold images and files (Codex's view_image): the tool message carries them as parts", () => {
    const image = "data:image/png;base64,iVBORw0KGgo=";
    const [, , tool] = inputOf([
      { role: "user", content: "look" },
      { type: "function_call", call_id: "c1", name: "view_image", arguments: "{}" },
      {
        type: "function_call_output",
        call_id: "c1",
        output: [
          { type: "input_text", text: "the image:" },
          { type: "input_image", image_url: image, detail: "high" },
        ],
      },
    ]);
    expect(tool).toEqual({
      role: "tool",
      toolCallId: "c1",
      content: "the image:",
      parts: [
        { type: "text", text: "the image:" },
        { type: "image", url: image, detail: "high" },
      ],
    });
    const refused = [{ type: "function_call_output", call_id: "c1", output: [{ type: "output_text", text: "x" }] }];
    expect(refusedField([{ type: "function_call", call_id: "c1", name: "f", arguments: "{}" }, ...refused])).toBe(
      "input[1].output[0].type",
    );
  });

  it("Codex's per-item metadata for OpenAI's platform is taken on every item and reaches no message", () => {
    const meta = { internal_chat_message_metadata_passthrough: { turn_id: "t1", content_item_kinds: ["user.text"] } };
    const messages = inputOf([
      { type: "message", role: "user", content: [{ type: "input_text", text: "run it" }], ...meta },
      { type: "function_call", call_id: "c1", name: "exec_command", arguments: "{}", ...meta },
      { type: "function_call_output", call_id: "c1", output: "ok", ...meta },
      { type: "reasoning", summary: [], content: null, encrypted_content: null, ...meta },
    ]);
    expect(JSON.stringify(messages)).not.toContain("t1");
    expect(refusedField([{ role: "user", content: "x", internal_chat_message_metadata_passthrough: "t1" }])).toBe(
      "input[0].internal_chat_message_metadata_passthrough",
    );
  });

  it("a namespace's function call is the model's call of its flat name", () => {
    const [, assistant] = inputOf([
      { role: "user", content: "wait for it" },
      { type: "function_call", call_id: "c1", namespace: "agents", name: "wait", arguments: "{}" },
    ]);
    expect(assistant?.toolCalls).toEqual([{ id: "c1", name: "agents__wait", argumentsJson: "{}" }]);
  });

  it("a string is one user message; developer is the system role", () => {
    expect(inputOf("hi")).toEqual([{ role: "user", content: "hi" }]);
    expect(inputOf([{ role: "developer", content: "rules" }])).toEqual([{ role: "system", content: "rules" }]);
  });

  it("one model turn is one assistant message: its reasoning, its text and its parallel function calls", () => {
    const messages = inputOf([
      { role: "user", content: "weather in Oslo and Rome?" },
      { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "two cities" }], encrypted_content: "sig" },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "Looking.", annotations: [] }] },
      { type: "function_call", call_id: "c1", name: "weather", arguments: '{"city":"Oslo"}' },
      { type: "function_call", call_id: "c2", name: "weather", arguments: '{"city":"Rome"}' },
      { type: "function_call_output", call_id: "c1", output: "sunny" },
      { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "rain" }] },
    ]);
    expect(messages).toEqual([
      { role: "user", content: "weather in Oslo and Rome?" },
      {
        role: "assistant",
        content: "Looking.",
        reasoning: "two cities",
        reasoningSignature: "sig",
        toolCalls: [
          { id: "c1", name: "weather", argumentsJson: '{"city":"Oslo"}' },
          { id: "c2", name: "weather", argumentsJson: '{"city":"Rome"}' },
        ],
      },
      { role: "tool", content: "sunny", toolCallId: "c1" },
      { role: "tool", content: "rain", toolCallId: "c2" },
    ]);
  });

  it("a function call after a user message starts a new assistant turn; two assistant messages stay two", () => {
    const messages = inputOf([
      { role: "assistant", content: "one" },
      { role: "user", content: "go" },
      { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
      { type: "function_call_output", call_id: "c1", output: "x" },
      { type: "function_call", call_id: "c2", name: "f", arguments: "{}" },
    ]);
    expect(messages.map((m) => [m.role, m.toolCalls?.map((c) => c.id) ?? []])).toEqual([
      ["assistant", []],
      ["user", []],
      ["assistant", ["c1"]],
      ["tool", []],
      ["assistant", ["c2"]],
    ]);
  });

  it("keeps images and files as parts, the text beside them as the content", () => {
    const [m] = inputOf([
      {
        role: "user",
        content: [
          { type: "input_text", text: "What is this?" },
          { type: "input_image", image_url: "https://example.com/a.png", detail: "low" },
          { type: "input_file", file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" },
        ],
      },
    ]);
    expect(m).toEqual({
      role: "user",
      content: "What is this?",
      parts: [
        { type: "text", text: "What is this?" },
        { type: "image", url: "https://example.com/a.png", detail: "low" },
        { type: "file", data: "JVBERi0=", mediaType: "application/pdf", filename: "a.pdf" },
      ],
    });
  });

  it.each([
    [[{ type: "web_search_call", id: "ws_1" }], "input[0].type"],
    [[{ type: "item_reference", id: "msg_1" }], "input[0].type"],
    ["not an item", "input[0].type"],
    [[{ role: "user", content: [{ type: "output_text", text: "x" }] }], "input[0].content[0].type"],
    [[{ role: "assistant", content: [{ type: "input_image", image_url: "https://x" }] }], "input[0].content[0].type"],
    [[{ role: "user", content: [{ type: "input_file", file_id: "f", file_url: "https://x" }] }], "input[0].content[0]"],
    [[{ role: "user", content: [{ type: "input_file", file_data: "not base64!" }] }], "input[0].content[0].file_data"],
    [[{ role: "tool", content: "x" }], "input[0].role"],
    [[{ type: "function_call", call_id: "", name: "f", arguments: "{}" }], "input[0].call_id"],
    [[{ role: "user", content: "x", phase: "final_answer" }], "input[0].phase"],
  ])("refuses %j by %s", (item, field) => {
    expect(refusedField(Array.isArray(item) ? item : [item])).toBe(field);
  });
});
