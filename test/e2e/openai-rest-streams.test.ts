import * as http from "node:http";
import OpenAI from "openai";
import { afterEach, describe, expect, it, vi } from "vitest";
import { digest } from "../support/auth.js";
import { startHarness, type Harness } from "../support/harness.js";

/**
 * REST streams as OpenAI clients need them: the response head waits for the
 * first chunk, so a failure before any token has its real status (and the
 * SDKs retry it), the headers name the provider, and a shutdown ends a stream
 * with an error event in OpenAI's shape instead of a cut connection.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sdk = (harness: Harness, options: { apiKey?: string; maxRetries?: number } = {}) =>
  new OpenAI({ apiKey: options.apiKey ?? "unused", baseURL: `${harness.httpUrl}/v1`, maxRetries: options.maxRetries ?? 0 });

describe("REST streams", () => {
  it("a failure before the first token is a real 503 with retry-after, which the SDK retries and recovers from", async () => {
    h = await startHarness();
    h.upstream.enqueue({ status: 503, retryAfter: "0" });
    const stream = await sdk(h, { maxRetries: 2 }).chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello from the fake upstream, streaming word by word.");
    // The first attempt failed and was answered with a status the SDK understood: it asked again.
    expect(h.upstream.requests).toHaveLength(2);
  });

  it("without retries the caller sees the status itself: 503, not a 200 with an error event", async () => {
    h = await startHarness();
    h.upstream.enqueue({ status: 500 });
    const res = await fetch(`${h.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream_unavailable");
  });

  it("our own rate limit on a stream is 429 with retry-after", async () => {
    h = await startHarness({ auth: { tenants: [{ name: "t", keys: [{ sha256: digest("k") }], limits: { requestsPerMinute: 1 } }] } });
    const body = { model: "gpt-test", messages: [{ role: "user", content: "hi" }], stream: true };
    const headers = { "content-type": "application/json", authorization: "Bearer k" };
    expect((await fetch(`${h.httpUrl}/v1/chat/completions`, { method: "POST", headers, body: JSON.stringify(body) })).status).toBe(200);
    const limited = await fetch(`${h.httpUrl}/v1/chat/completions`, { method: "POST", headers, body: JSON.stringify(body) });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("names the provider, the cache status and the request in the stream's headers", async () => {
    h = await startHarness();
    const { data: stream, response } = await sdk(h)
      .chat.completions.create({ model: "claude-test", messages: [{ role: "user", content: "hi" }], stream: true })
      .withResponse();
    for await (const _ of stream) {
      // drain
    }
    expect(response.headers.get("x-llm-provider")).toBe("fake-anthropic");
    expect(response.headers.get("x-cache-status")).toBe("bypass");
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("sends no chunk before the upstream has answered: the first chunk carries the role and the first text", async () => {
    h = await startHarness();
    h.upstream.enqueue({ text: "alpha beta" });
    const res = await fetch(`${h.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    const events = (await res.text()).split("\n\n").filter(Boolean);
    const first = JSON.parse(events[0]!.slice("data: ".length)) as { choices: { delta: { role?: string; content?: string } }[] };
    // Text that arrives together may travel as one delta: the first one starts with the first word.
    expect(first.choices[0]?.delta).toEqual({ role: "assistant", content: expect.stringMatching(/^alpha /) });
    expect(events.at(-1)).toBe("data: [DONE]");
  });

  it("a shutdown past its grace ends a REST stream with a SHUTTING_DOWN error event in OpenAI's shape, and blames no provider", async () => {
    h = await startHarness();
    h.upstream.enqueue({ text: Array.from({ length: 60 }, (_, i) => `w${i}`).join(" "), chunkDelayMs: 50 });
    const res = await fetch(`${h.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "long" }], stream: true }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    const closing = h.server.close(200);
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
    await closing;
    const last = rest.split("\n\n").filter(Boolean).at(-1)!;
    expect(JSON.parse(last.slice("data: ".length))).toMatchObject({ error: { code: "shutting_down", type: "api_error" } });
    expect(rest).not.toContain("[DONE]");
    expect(h.app.gateway.stats.get("fake-openai/gpt-4o-mini")?.failures ?? 0).toBe(0);
    expect(h.app.gateway.health.snapshot().dependencies.find((d) => d.name === "fake-openai")?.detail).not.toMatch(/fail/);
    await h.upstream.close();
    h = undefined;
  });

  it("a client that goes away while its stream is held back by backpressure ends the call: logged, settled, not hung", async () => {
    const lines: Record<string, unknown>[] = [];
    // The answer is large: on a busy machine producing it can take longer than the harness's usual 5 s.
    h = await startHarness({ providerTimeoutMs: 60_000, logSink: (l) => lines.push(JSON.parse(l)) });
    // An answer far larger than any socket buffer: its replay must wait on the reader.
    const long = Array.from({ length: 300_000 }, (_, i) => `word${i}`).join(" ");
    h.upstream.enqueue({ text: long });
    const ask = { model: "gpt-test", messages: [{ role: "user", content: "long" }], temperature: 0 };
    // A unary call fills the cache; the stream then replays it as fast as the socket takes it.
    await (
      await fetch(`${h.httpUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(ask),
      })
    ).text();
    await new Promise<void>((resolve) => {
      const req = http.request(
        `${h!.httpUrl}/v1/chat/completions`,
        { method: "POST", headers: { "content-type": "application/json" } },
        (res) => {
          // Read nothing, then go away: the server's writes back up, then its socket closes under them.
          res.pause();
          setTimeout(() => {
            req.destroy();
            resolve();
          }, 200);
        },
      );
      req.end(JSON.stringify({ ...ask, stream: true }));
    });
    await vi.waitFor(
      () => expect(lines.filter((l) => l["msg"] === "call" && l["method"] === "openai.rest/chat.completions")).toHaveLength(2),
      { timeout: 5000 },
    );
    expect(lines.filter((l) => l["msg"] === "call").at(-1)?.["code"]).toBe("canceled");
  });

  it("a model that cannot stream is asked without streaming for a unary call", async () => {
    h = await startHarness();
    const r = await sdk(h).chat.completions.create({ model: "no-stream", messages: [{ role: "user", content: "hi" }] });
    expect(r.choices[0]?.message.content).toBe("Hello from the fake upstream, streaming word by word.");
    expect(h.upstream.requests.at(-1)?.body["stream"]).toBe(false);
  });
});
