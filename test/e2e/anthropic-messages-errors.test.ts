import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digest } from "../support/auth.js";
import { startHarness, type Harness } from "../support/harness.js";

/*
 * Errors of the Anthropic Messages face as Anthropic's clients know them: the body
 * `{type:"error", error:{type, message}, request_id}`, Anthropic's statuses (which decide what the
 * SDK throws and retries), retry-after on limits, an `error` event ending a stream already begun,
 * and the anthropic-version and anthropic-beta headers decided per value.
 */

const KEYS = { acme: "sk-acme-anthropic-1", tight: "sk-tight-anthropic-2" };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    server: { maxMessageBytes: 64 * 1024 },
    auth: {
      tenants: [
        { name: "acme", keys: [{ sha256: digest(KEYS.acme) }] },
        { name: "tight", keys: [{ sha256: digest(KEYS.tight) }], limits: { requestsPerMinute: 1 } },
      ],
    },
  });
});
afterAll(() => h.close());

const sdk = (apiKey = KEYS.acme, headers: Record<string, string> = {}) =>
  new Anthropic({ apiKey, baseURL: h.httpUrl, maxRetries: 0, defaultHeaders: headers });
const ask = { model: "claude-test", max_tokens: 50, messages: [{ role: "user" as const, content: "Hi" }] };

/** The SDK's error for a call, which must fail. */
async function failure(p: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Anthropic.APIError);
  return err as InstanceType<typeof Anthropic.APIError>;
}

/** A raw call: its status, body and headers. */
async function post(body: unknown, headers: Record<string, string> = {}, path = "/v1/messages") {
  const res = await fetch(`${h.httpUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": KEYS.acme, "anthropic-version": "2023-06-01", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: JSON.parse(text) as { type: string; error: { type: string; message: string }; request_id: string },
    headers: res.headers,
  };
}

describe("Anthropic errors", () => {
  it("401 authentication_error for a missing or wrong key; x-api-key and Bearer both authenticate", async () => {
    const err = await failure(sdk("sk-wrong").messages.create(ask));
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.status).toBe(401);
    expect(err.error).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect((err.error as { request_id: string }).request_id).toBe(err.headers?.get("x-request-id"));
    const none = await post(ask, { "x-api-key": "" });
    expect(none.status).toBe(401);
    h.upstream.enqueue({ text: "ok" });
    expect((await post(ask)).status).toBe(200);
  });

  it("404 not_found_error for a model the catalogue does not have", async () => {
    const err = await failure(sdk().messages.create({ ...ask, model: "claude-nope" }));
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.error).toMatchObject({ error: { type: "not_found_error" } });
  });

  it.each([
    ["an unknown field", { ...ask, frobnicate: 1 }, "frobnicate"],
    ["a server tool", { ...ask, tools: [{ type: "web_search_20250305", name: "web_search" }] }, "tools[0].type"],
    [
      "a block the core cannot carry",
      { ...ask, messages: [{ role: "user", content: [{ type: "search_result", source: "s", title: "t", content: [] }] }] },
      "messages[0].content[0].type",
    ],
    [
      "an unknown key in a block",
      { ...ask, messages: [{ role: "user", content: [{ type: "text", text: "x", colour: "red" }] }] },
      "messages[0].content[0].colour",
    ],
    [
      "a tool_result after text",
      {
        ...ask,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "x" },
              { type: "tool_result", tool_use_id: "t" },
            ],
          },
        ],
      },
      "messages[0].content[1]",
    ],
    ["no max_tokens", { model: "claude-test", messages: [{ role: "user", content: "Hi" }] }, "max_tokens"],
    ["thinking between tools", { ...ask, thinking: { type: "between_tools" } }, "thinking.type"],
    ["an effort without thinking", { ...ask, output_config: { effort: "low" } }, "output_config.effort"],
    [
      "an effort the core has no name for",
      { ...ask, thinking: { type: "adaptive" }, output_config: { effort: "max" } },
      "output_config.effort",
    ],
    [
      "context management that edits the prompt",
      { ...ask, context_management: { edits: [{ type: "clear_tool_uses_20250919" }] } },
      "context_management",
    ],
    ["mcp servers", { ...ask, mcp_servers: [{ type: "url", url: "https://x", name: "x" }] }, "mcp_servers"],
    ["top_k for an Anthropic deployment", { ...ask, top_k: 5 }, "top_k"],
  ])("400 invalid_request_error naming the field: %s", async (_, body, field) => {
    const before = h.upstream.requests.length;
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(r.json.error.message.startsWith(`${field}:`)).toBe(true);
    expect(h.upstream.requests.length).toBe(before);
  });

  it.each([
    [
      "a part the model cannot take, numbered as the caller wrote it (system first, tool results apart)",
      {
        ...ask,
        system: "Rules.",
        messages: [
          { role: "user", content: "q" },
          { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: {} }] },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "t1", content: "r" },
              { type: "text", text: "look" },
              { type: "image", source: { type: "url", url: "ftp://example.com/a.png" } },
            ],
          },
        ],
      },
      "messages[2].content[2]",
    ],
    ["too many stop sequences", { ...ask, stop_sequences: Array.from({ length: 65 }, (_, i) => `s${i}`) }, "stop_sequences"],
    ["a thinking budget Anthropic does not take", { ...ask, thinking: { type: "enabled", budget_tokens: 100 } }, "thinking.budget_tokens"],
  ])("names the core's refusals in the caller's terms: %s", async (_, body, field) => {
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(r.json.error.message.startsWith(field), r.json.error.message).toBe(true);
  });

  it("says a max_tokens over the model's output limit in Anthropic's words, which Claude Code reads to ask again within it", async () => {
    const r = await post({ ...ask, model: "local-echo", max_tokens: 1000 });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe("max_tokens: 1000 > 256, which is the maximum allowed number of output tokens for local-echo");
    // Claude Code 2.1.332's own pattern for it.
    expect(r.json.error.message).toMatch(/^max_tokens: \d+ > (\d+), which is the maximum allowed number of output tokens for .+$/);
  });

  it("refuses temperature, top_p and top_k with anthropic-version 2026-10-21 (the SDK's), as Anthropic does", async () => {
    for (const field of ["temperature", "top_p", "top_k"]) {
      const err = await failure(sdk().messages.create({ ...ask, ...({ [field]: 1 } as object) }));
      expect(err).toBeInstanceOf(Anthropic.BadRequestError);
      expect(err.message).toContain(`${field}: is not accepted with anthropic-version 2026-10-21`);
    }
  });

  it("413 request_too_large for a body over the limit", async () => {
    const r = await post({ ...ask, messages: [{ role: "user", content: "x".repeat(70 * 1024) }] });
    expect(r.status).toBe(413);
    expect(r.json.error.type).toBe("request_too_large");
  });

  it("429 rate_limit_error with retry-after when the tenant's limit is reached", async () => {
    h.upstream.enqueue({ text: "first" });
    await sdk(KEYS.tight).messages.create(ask);
    const err = await failure(sdk(KEYS.tight).messages.create(ask));
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.error).toMatchObject({ error: { type: "rate_limit_error" } });
    expect(Number(err.headers?.get("retry-after"))).toBeGreaterThan(0);
  });

  it("529 overloaded_error once every deployment failed (after fallback), unary and before a stream's first event", async () => {
    h.upstream.enqueue({ status: 500 }, { status: 503 });
    const err = await failure(sdk().messages.create({ ...ask, model: "dual" }));
    expect(err.status).toBe(529);
    expect(err.error).toMatchObject({ error: { type: "overloaded_error" } });
    h.upstream.enqueue({ status: 500 });
    const streamed = await failure(sdk().messages.stream(ask).finalMessage());
    expect(streamed.status).toBe(529);
  });

  it("ends a stream that fails after it began with an error event in Anthropic's shape", async () => {
    h.upstream.enqueue({ text: "one two three four", abortAfterChunks: 2 });
    const res = await fetch(`${h.httpUrl}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEYS.acme, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ ...ask, stream: true }),
    });
    expect(res.status).toBe(200);
    const frames = (await res.text()).split("\n\n").filter(Boolean);
    const names = frames.map((f) => f.split("\n")[0]);
    expect(names.slice(0, 3)).toEqual(["event: message_start", "event: ping", "event: content_block_start"]);
    expect(names.at(-1)).toBe("event: error");
    expect(JSON.parse(frames.at(-1)!.split("\n")[1]!.slice("data: ".length))).toMatchObject({
      type: "error",
      error: { type: "overloaded_error" },
      request_id: res.headers.get("x-request-id"),
    });
    // The SDK's stream throws it.
    h.upstream.enqueue({ text: "one two three four", abortAfterChunks: 2 });
    await expect(sdk().messages.stream(ask).finalMessage()).rejects.toThrow(/overloaded_error/);
  });

  it("a caller that goes away mid-stream cancels the upstream call", async () => {
    h.upstream.enqueue({ text: "one two three four five six seven eight", chunkDelayMs: 50 });
    const index = h.upstream.requests.length;
    const controller = new AbortController();
    const res = await fetch(`${h.httpUrl}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEYS.acme, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ ...ask, stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("event: message_start");
    controller.abort();
    await h.upstream.waitForAbort(index);
    expect(h.upstream.requests[index]!.aborted).toBe(true);
  });

  it("404 in Anthropic's shape for the rest of its API under /v1/messages (batches)", async () => {
    const r = await post({}, {}, "/v1/messages/batches");
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });

  it("405 for a method the endpoint does not serve", async () => {
    const res = await fetch(`${h.httpUrl}/v1/messages`, { headers: { "x-api-key": KEYS.acme, "anthropic-version": "2023-06-01" } });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("requires anthropic-version and speaks 2023-06-01 and 2026-10-21 only", async () => {
    const missing = await post(ask, { "anthropic-version": "" });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toMatch(/^anthropic-version:/);
    const unknown = await post(ask, { "anthropic-version": "2099-01-01" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toContain("2099-01-01");
  });

  it("accepts the betas Claude Code sends and refuses unknown ones, by name", async () => {
    const claudeCode = [
      "claude-code-20250219",
      "context-1m-2025-08-07",
      "oauth-2025-04-20",
      "interleaved-thinking-2025-05-14",
      "thinking-token-count-2026-05-13",
      "context-management-2025-06-27",
      "prompt-caching-scope-2026-01-05",
      "mid-conversation-system-2026-04-07",
      "advisor-tool-2026-03-01",
      "effort-2025-11-24",
      "extended-cache-ttl-2025-04-11",
      "fine-grained-tool-streaming-2025-05-14",
    ].join(",");
    h.upstream.enqueue({ text: "ok" });
    expect((await post(ask, { "anthropic-beta": claudeCode })).status).toBe(200);
    // The betas stay at the gateway: the upstream call asks for none.
    expect(h.upstream.requests.at(-1)!.headers["anthropic-beta"]).toBeUndefined();
    // A beta newer than the table is let through and named (what it would unlock in the body is still checked).
    h.upstream.enqueue({ text: "ok" });
    const unknown = await post(ask, { "anthropic-beta": "claude-code-20250219, made-up-2030-01-01" });
    expect(unknown.status).toBe(200);
    expect(unknown.headers.get("x-llm-gateway-betas-ignored")).toBe("made-up-2030-01-01");
    expect(h.upstream.requests.at(-1)!.headers["anthropic-beta"]).toBeUndefined();
  });

  it("words a prompt that does not fit as Anthropic does, which Claude Code reads to compact or to lower max_tokens", async () => {
    // Claude Code matches "prompt is too long" (it compacts the conversation) and parses
    // "input length and `max_tokens` exceed context limit: P + M > W" (it asks again with less).
    const tooLong = await post({ ...ask, model: "tiny", messages: [{ role: "user", content: "word ".repeat(400) }] });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error).toMatchObject({ type: "invalid_request_error" });
    const [, actual, limit] = tooLong.json.error.message.match(/prompt is too long[^0-9]*(\d+)\s*tokens?\s*>\s*(\d+)/i) ?? [];
    expect(Number(actual)).toBeGreaterThan(300);
    expect(limit).toBe("300");
    const withRoom = await post({ ...ask, model: "tiny", max_tokens: 50, messages: [{ role: "user", content: "word ".repeat(270) }] });
    expect(withRoom.status).toBe(400);
    const [, input, max, window] =
      withRoom.json.error.message.match(/input length and `max_tokens` exceed context limit: (\d+) \+ (\d+) > (\d+)/) ?? [];
    expect([Number(input) + 50 > 300, Number(input) <= 300, max, window]).toEqual([true, true, "50", "300"]);
    // With the smaller max_tokens the message names, the same prompt is answered.
    h.upstream.enqueue({ text: "ok" });
    expect(
      (await post({ ...ask, model: "tiny", max_tokens: 300 - Number(input), messages: [{ role: "user", content: "word ".repeat(270) }] }))
        .status,
    ).toBe(200);
  });

  it("context-1m and output-128k permit, and the catalogue's window and output limit still decide", async () => {
    // Claude Code sends context-1m with every request for its default model: a prompt within the
    // catalogue's window is answered, one beyond it is refused as it would be without the beta.
    const betas = { "anthropic-beta": "claude-code-20250219,context-1m-2025-08-07,output-128k-2025-02-19" };
    h.upstream.enqueue({ text: "ok" });
    expect((await post({ ...ask, model: "tiny", max_tokens: 50 }, betas)).status).toBe(200);
    const long = await post({ ...ask, model: "tiny", messages: [{ role: "user", content: "word ".repeat(400) }] }, betas);
    expect(long.status).toBe(400);
    expect(long.json.error.message).toMatch(/^messages: prompt is too long: at least \d+ tokens > 300 maximum$/);
    const output = await post({ ...ask, model: "tiny", max_tokens: 51 }, betas);
    expect(output.status).toBe(400);
    expect(output.json.error.message).toMatch(/^max_tokens:/);
  });

  it("answers count_tokens errors in the same shape", async () => {
    const r = await post(
      { model: "claude-test", messages: [{ role: "user", content: "x" }], max_tokens: 5 },
      {},
      "/v1/messages/count_tokens",
    );
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/^max_tokens:/);
    const nf = await post({ model: "nope", messages: [{ role: "user", content: "x" }] }, {}, "/v1/messages/count_tokens");
    expect(nf.status).toBe(404);
    expect(nf.json.error.type).toBe("not_found_error");
  });
});
