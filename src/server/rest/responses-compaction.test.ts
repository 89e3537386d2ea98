import { describe, expect, it } from "vitest";
import { isGatewayError } from "../../core/errors.js";
import type { ChatResult } from "../../core/types.js";
import { COMPACTION_PROMPT, compactionItem } from "./responses-compaction.js";
import { inputOf } from "./responses-input.js";
import { outputIds, outputOf } from "./responses-object.js";
import { fromResponses } from "./responses-request.js";

function refusedField(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    if (isGatewayError(err)) return err.metadata["field"];
    throw err;
  }
  return undefined;
}

const tool = { type: "function", name: "exec_command", parameters: { type: "object", properties: {} }, strict: false };
const conversation = [
  { role: "user", content: "run it" },
  { type: "function_call", call_id: "c1", name: "exec_command", arguments: "{}" },
  { type: "function_call_output", call_id: "c1", output: "done" },
];

describe("compaction on the Responses face", () => {
  it("compaction_trigger last: the model is asked for a summary, offered no tool, and its answer is one compaction item", () => {
    const call = fromResponses({
      model: "m",
      input: [...conversation, { type: "compaction_trigger" }],
      tools: [tool],
      tool_choice: "auto",
    });
    expect(call.compact).toBe(true);
    expect(call.request.messages.at(-1)).toEqual({ role: "user", content: COMPACTION_PROMPT });
    expect(call.request.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "user"]);
    expect(call.request.tools).toBeUndefined();
    const result = { message: { role: "assistant", content: "The summary." }, finishReason: "stop" } as ChatResult;
    const ids = outputIds("resp_1");
    expect(outputOf(result, ids, { summary: false, encrypted: false, compact: true })).toEqual([
      compactionItem(ids.compaction, "The summary."),
    ]);
  });

  it("a compaction item sent back stands for the conversation it sums up", () => {
    const item = { ...compactionItem("cmp_1", "The summary."), created_by: "x" };
    const messages = inputOf([{ role: "user", content: "run it" }, item, { role: "user", content: "go on" }]);
    expect(messages[1]).toEqual({ role: "user", content: "A summary of the conversation so far, which it replaces:\n\nThe summary." });
    expect(messages).toHaveLength(3);
  });

  it("refuses a trigger that is not last, and a compaction this gateway did not make", () => {
    expect(refusedField(() => inputOf([{ type: "compaction_trigger" }, { role: "user", content: "x" }]))).toBe("input[0].type");
    expect(refusedField(() => inputOf([{ type: "compaction", encrypted_content: "gAAAA-openai" }]))).toBe("input[0].encrypted_content");
    expect(fromResponses({ model: "m", input: conversation }).compact).toBe(false);
  });
});
