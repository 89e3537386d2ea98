import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

/*
 * What the official `openai` Python SDK sends and needs, replayed without it (scripts/try-python-sdks.sh
 * runs the SDK itself). openai 3.57 has `client.responses.compact()`, a POST to /v1/responses/compact,
 * which this gateway does not serve (compaction is a `compaction_trigger` item of a request): it must
 * be the 404 of an endpoint not served, which the SDK raises as NotFoundError, not the 405 of the
 * stored-response path (GET or DELETE only) that the SDK can only raise as a bare APIStatusError.
 * And its ResponseUsage requires input_tokens_details.cache_write_tokens beside cached_tokens.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function call(method: string, path: string, body?: object) {
  const res = await fetch(`${h.httpUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: "Bearer unused" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as { error: { message: string; type: string } } };
}

describe("the openai Python SDK's Responses calls the gateway does not serve", () => {
  it("responses.compact() (POST /v1/responses/compact) is 404, an endpoint not served", async () => {
    // The SDK's body for client.responses.compact(model=..., input=...).
    const r = await call("POST", "/v1/responses/compact", { model: "gpt-test", input: "hello" });
    expect(r.status).toBe(404);
    expect(r.json.error.message).toMatch(/no such endpoint/);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("a stored response is still read and deleted by its id, and other methods on it are still 405", async () => {
    const created = await call("POST", "/v1/responses", { model: "gpt-test", input: "hi" });
    const id = (created.json as unknown as { id: string }).id;
    expect((await call("GET", `/v1/responses/${id}`)).status).toBe(200);
    expect((await call("POST", `/v1/responses/${id}`, {})).status).toBe(405);
    expect((await call("DELETE", `/v1/responses/${id}`)).status).toBe(200);
  });
});

describe("the Responses usage as the openai Python SDK types it", () => {
  const ev = (type: string, payload: object = {}) => ({ event: type, data: { type, ...payload } });
  const message = { id: "msg_1", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [], stop_reason: null };

  it("input_tokens_details carries cache_write_tokens: the provider's prompt-cache writes, 0 when it reports none", async () => {
    h.upstream.enqueue({
      rawEvents: [
        ev("message_start", {
          message: {
            ...message,
            usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 300, cache_creation_input_tokens: 50 },
          },
        }),
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Cached." } }),
        ev("content_block_stop", { index: 0 }),
        ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 2 } }),
        ev("message_stop"),
      ],
    });
    type Usage = { usage: { input_tokens: number; input_tokens_details: Record<string, number> } };
    const cached = (await call("POST", "/v1/responses", { model: "claude-test", input: "hi" })).json as unknown as Usage;
    expect(cached.usage.input_tokens).toBe(360);
    expect(cached.usage.input_tokens_details).toEqual({ cached_tokens: 300, cache_write_tokens: 50 });
    const plain = (await call("POST", "/v1/responses", { model: "gpt-test", input: "hi" })).json as unknown as Usage;
    expect(plain.usage.input_tokens_details).toEqual({ cached_tokens: 0, cache_write_tokens: 0 });
  });
});
