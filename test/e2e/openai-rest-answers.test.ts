import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/core/errors.js";
import type { ChatResult } from "../../src/core/types.js";
import { createChunker } from "../../src/server/rest/openai-sse.js";
import { completionBody, errorBody } from "../../src/server/rest/openai-wire.js";

/*
 * The REST face's answers on their own: the core's result (whole, or as stream events) written as
 * OpenAI's objects, with reasoning, logprobs and usage details; and its errors in OpenAI's shape.
 */

const result = (over: Partial<ChatResult> = {}): ChatResult => ({
  id: "r1",
  message: { role: "assistant", content: "Paris", reasoning: "capital of France", reasoningSignature: "sig-1" },
  finishReason: "stop",
  usage: { inputTokens: 3510, outputTokens: 200, estimated: false, cachedInputTokens: 3000, cacheWriteTokens: 500, reasoningTokens: 120 },
  costUsd: 0.001,
  provider: "fake",
  model: "m",
  cacheStatus: "miss",
  latencyMs: 5,
  gatewayOverheadMs: 1,
  attempts: [],
  logprobs: [{ token: "Paris", logprob: -0.1, bytes: [80, 97, 114, 105, 115], topLogprobs: [{ token: "Lyon", logprob: -3 }] }],
  ...over,
});

describe("answers", () => {
  it("writes reasoning_content, logprobs and usage details in a completion", () => {
    const body = completionBody(result(), 1);
    expect(body.choices[0]!.message).toMatchObject({
      content: "Paris",
      reasoning_content: "capital of France",
      reasoning_signature: "sig-1",
    });
    expect(body.choices[0]!.logprobs).toEqual({
      content: [
        { token: "Paris", logprob: -0.1, bytes: [80, 97, 114, 105, 115], top_logprobs: [{ token: "Lyon", logprob: -3, bytes: null }] },
      ],
      refusal: null,
    });
    expect(body.usage).toEqual({
      prompt_tokens: 3510,
      completion_tokens: 200,
      total_tokens: 3710,
      prompt_tokens_details: { cached_tokens: 3000, cache_write_tokens: 500 },
      completion_tokens_details: { reasoning_tokens: 120 },
    });
  });

  it("leaves out what the provider did not report", () => {
    const body = completionBody(
      result({ message: { role: "assistant", content: "x" }, usage: { inputTokens: 1, outputTokens: 2, estimated: false } }),
      1,
    );
    const { logprobs: _l, ...rest } = result();
    const bare = completionBody({ ...rest, message: { role: "assistant", content: "x" } }, 1);
    expect(body.usage).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
    expect(body.choices[0]!.message).not.toHaveProperty("reasoning_content");
    expect(bare.choices[0]!.logprobs).toBeNull();
  });

  it("streams reasoning as reasoning_content, never as content, and logprobs with their text", () => {
    const chunks = createChunker({ id: "c", created: 1, model: "m", includeUsage: true });
    const all = [
      { type: "reasoning" as const, text: "capital " },
      { type: "reasoning" as const, text: "of France" },
      { type: "delta" as const, text: "Paris", logprobs: result().logprobs! },
      { type: "done" as const, result: result() },
    ].flatMap((e) => chunks(e)) as {
      choices: { delta: Record<string, unknown>; logprobs: unknown; finish_reason: string | null }[];
      usage?: object;
    }[];
    expect(all.map((c) => c.choices[0]?.delta)).toEqual([
      { role: "assistant", reasoning_content: "capital " },
      { reasoning_content: "of France" },
      { content: "Paris" },
      { reasoning_signature: "sig-1" },
      undefined,
    ]);
    expect(all[0]!.choices[0]!.logprobs).toBeNull();
    expect(all[2]!.choices[0]!.logprobs).toMatchObject({ content: [{ token: "Paris", logprob: -0.1 }] });
    expect(all[3]!.choices[0]!.finish_reason).toBe("stop");
    expect(all[4]!.usage).toMatchObject({
      prompt_tokens_details: { cached_tokens: 3000 },
      completion_tokens_details: { reasoning_tokens: 120 },
    });
  });

  it("names a part as the caller sent it: the core's parts[j] is the request's content[j]", () => {
    const { body } = errorBody(new GatewayError("INVALID_REQUEST", "no", { metadata: { field: "messages[2].parts[1].file.url" } }));
    expect(body).toMatchObject({ error: { param: "messages[2].content[1].file.url" } });
    // The message that names the field names it the same way.
    const named = errorBody(
      new GatewayError("INVALID_REQUEST", "messages[2].parts[1].file.url: not taken", {
        metadata: { field: "messages[2].parts[1].file.url" },
      }),
    );
    expect(named.body).toMatchObject({
      error: { message: "messages[2].content[1].file.url: not taken", param: "messages[2].content[1].file.url" },
    });
  });

  it("answers INVALID_OUTPUT with 502 in OpenAI's error shape", () => {
    const { status, body } = errorBody(
      new GatewayError("INVALID_OUTPUT", "fake: the answer is not JSON", { metadata: { provider: "fake" } }),
    );
    expect(status).toBe(502);
    expect(body).toEqual({ error: { message: "fake: the answer is not JSON", type: "api_error", param: null, code: "invalid_output" } });
  });
});
