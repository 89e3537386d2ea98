import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.js";

/*
 * Review findings on the Responses face, each a test of what the official SDK expects of it (each
 * failed before its fix).
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const sdk = () => new OpenAI({ apiKey: "unused", baseURL: `${h.httpUrl}/v1`, maxRetries: 0 });

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta, finish_reason: null, ...extra }],
});
const reasoned = () => ({
  rawEvents: [
    chunk({ role: "assistant", reasoning_content: "Six sevens " }),
    chunk({ reasoning_content: "are 42." }),
    chunk({ content: "42" }),
    chunk({}, { finish_reason: "stop" }),
    "[DONE]",
  ],
});

describe("Responses face, review", () => {
  // responses-sse.ts streams a reasoning item's text (no summary asked for) as output_item.added with
  // no `content`, then response.reasoning_text.delta: OpenAI sends response.content_part.added (a
  // reasoning_text part) between them, and content_part.done after reasoning_text.done. The SDK's
  // accumulator (openai/lib/responses/ResponseAccumulator.js) throws "missing content at index 0" on
  // the delta, so responses.stream() fails on every reasoning model's answer.
  it("responses.stream() accumulates a reasoning item streamed as reasoning text (no summary asked for)", async () => {
    h.upstream.enqueue(reasoned());
    const stream = sdk().responses.stream({ model: "gpt-test", input: "6*7?", reasoning: { effort: "high" } });
    const final = await stream.finalResponse();
    expect(final.output[0]).toMatchObject({ type: "reasoning", content: [{ type: "reasoning_text", text: "Six sevens are 42." }] });
    expect(final.output_text).toBe("42");
  });
});
