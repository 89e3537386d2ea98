import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isGatewayError, type GatewayError } from "../../src/core/errors.js";
import { createSdkFetch } from "../../src/providers/http.js";
import { createOpenAiProvider } from "../../src/providers/openai.js";
import { createOpenAiDirectProvider } from "../../src/providers/openai-direct.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { startFakeUpstream, type FakeBehaviour, type FakeUpstream } from "../support/fake-upstream.js";

/*
 * The two ways of speaking the OpenAI format side by side: whatever the SDK path answers or says
 * about a failure, the direct path answers and says the same. The contract tests in
 * openai.test.ts run against both; these compare them on what is easiest to get subtly wrong.
 */

let upstream: FakeUpstream;
/** A server that answers with whatever bytes a test scripts, in the pieces it scripts. */
let raw: http.Server;
let rawUrl: string;
let script: (res: http.ServerResponse) => void = (res) => res.end();

const request: ProviderRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], maxTokens: 50, stop: [] };

const build = (baseUrl: string): [Provider, Provider] => {
  const o = { name: "p", kind: "openai-compatible" as const, apiKey: "k", baseUrl };
  return [
    createOpenAiProvider({ ...o, fetch: createSdkFetch(new Agent()) }),
    createOpenAiDirectProvider({ ...o, dispatcher: new Agent() }),
  ];
};

/**
 * Everything a call gave: its chunks, and its failure as the pipeline would classify it. Adjacent
 * deltas are merged: how the text is cut depends on how it arrived (the direct path sends the text of
 * one network read as one delta), and what matters is the text and where it stands among the rest.
 */
async function outcome(p: Provider, r: ProviderRequest = request, signal = new AbortController().signal) {
  const chunks: ProviderChunk[] = [];
  const push = (c: ProviderChunk) => {
    const last = chunks.at(-1);
    if (c.type === "delta" && last?.type === "delta") chunks[chunks.length - 1] = { type: "delta", text: last.text + c.text };
    else chunks.push(c);
  };
  try {
    for await (const c of p.stream(r, signal)) push(c);
    return { chunks };
  } catch (err) {
    const e: GatewayError | undefined = isGatewayError(err) ? err : p.translateError(err);
    return { chunks, error: e && { reason: e.reason, message: e.message, metadata: e.metadata, retryAfterMs: e.retryAfterMs } };
  }
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  raw = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => script(res));
  });
  await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
  rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await upstream.close();
  raw.closeAllConnections();
  await new Promise((resolve) => raw.close(resolve));
});

describe("the direct OpenAI path against the SDK path", () => {
  it.each<[FakeBehaviour, boolean]>([
    [{ status: 429, retryAfter: "3" }, false],
    [{ status: 401 }, true],
    [{ status: 400 }, false],
    [{ status: 408 }, true],
    [{ status: 503, retryAfter: "1" }, false],
    [{ reset: true }, true],
    [{ text: "cut", abortAfterChunks: 1 }, false],
    [{ text: "a b", endWithoutFinish: true }, false],
    [{ text: "tools", toolCalls: [{ id: "c1", name: "f", arguments: '{"x":1}' }] }, true],
  ])("answers %j the same (unary upstream: %s)", async (behaviour, unary) => {
    const [sdk, direct] = build(upstream.openAiBaseUrl);
    const r = { ...request, ...(unary ? { unary: true } : {}) };
    upstream.enqueue(behaviour);
    const viaSdk = await outcome(sdk, r);
    upstream.enqueue(behaviour);
    expect(await outcome(direct, r)).toEqual(viaSdk);
  });

  it("words an error body that is not JSON the same", async () => {
    script = (res) => res.writeHead(502, { "content-type": "text/plain" }).end("bad gateway upstream");
    const [sdk, direct] = build(rawUrl);
    const viaSdk = await outcome(sdk);
    expect(viaSdk.error?.message).toBe("p: 502 502 bad gateway upstream");
    expect(await outcome(direct)).toEqual(viaSdk);
  });

  it("reads an error event inside a stream as the SDK does", async () => {
    script = (res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`data: ${JSON.stringify({ model: "m", choices: [{ index: 0, delta: { content: "Hel" } }] })}\n\n`);
      res.end(`data: ${JSON.stringify({ error: { message: "overloaded mid-answer", type: "server_error" } })}\n\n`);
    };
    const [sdk, direct] = build(rawUrl);
    const viaSdk = await outcome(sdk);
    expect(viaSdk.error).toMatchObject({ reason: "UPSTREAM_UNAVAILABLE", message: "p: error overloaded mid-answer" });
    expect(await outcome(direct)).toEqual(viaSdk);
  });

  it("reads events split anywhere, with CRLF or CR line ends, comments and a character cut in two", async () => {
    const events = [
      ": keep-alive comment\r\n\r\n",
      `data: ${JSON.stringify({ model: "m", choices: [{ index: 0, delta: { content: "héllo " } }] })}\r\n\r\n`,
      `event: message\rdata: ${JSON.stringify({ model: "m", choices: [{ index: 0, delta: { content: "wörld" } }] })}\r\r`,
      `data: ${JSON.stringify({ model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`,
      `data: ${JSON.stringify({ model: "m", choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } })}\n\n`,
      "data: [DONE]\n\n",
    ];
    const bytes = Buffer.from(events.join(""));
    script = (res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      // Seven-byte pieces cut through lines, line ends and the two-byte é and ö.
      const write = (at: number) => {
        if (at >= bytes.length) return res.end();
        res.write(bytes.subarray(at, at + 7), () => write(at + 7));
      };
      write(0);
    };
    const [sdk, direct] = build(rawUrl);
    const viaSdk = await outcome(sdk);
    expect(viaSdk.chunks).toEqual([
      { type: "started" },
      { type: "delta", text: "héllo wörld" },
      { type: "end", finishReason: "stop", usage: { inputTokens: 3, outputTokens: 2 }, model: "m" },
    ]);
    expect(await outcome(direct)).toEqual(viaSdk);
  });

  it.each([0, 1])("closes the upstream request when its reader stops early (path %i)", async (i) => {
    const provider = build(upstream.openAiBaseUrl)[i]!;
    upstream.enqueue({ text: "one two three four five six", chunkDelayMs: 20 });
    const index = upstream.requests.length;
    const it = provider.stream(request, new AbortController().signal)[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ type: "started" });
    expect((await it.next()).value).toEqual({ type: "delta", text: "one " });
    await it.return?.();
    await upstream.waitForAbort(index);
    expect(upstream.requests[index]!.aborted).toBe(true);
  });

  it.each([0, 1])("ends quietly, with no end, when its signal aborts mid-stream (path %i)", async (i) => {
    const provider = build(upstream.openAiBaseUrl)[i]!;
    upstream.enqueue({ text: "one two three four five six", chunkDelayMs: 20 });
    const index = upstream.requests.length;
    const controller = new AbortController();
    const chunks: ProviderChunk[] = [];
    for await (const c of provider.stream(request, controller.signal)) {
      chunks.push(c);
      if (c.type === "delta") controller.abort(new Error("the caller went away"));
    }
    expect(chunks).toEqual([{ type: "started" }, { type: "delta", text: "one " }]);
    await upstream.waitForAbort(index);
  });

  it("fails a refused connection with the same words", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v1`;
    await new Promise((resolve) => closed.close(resolve));
    const [sdk, direct] = build(url);
    const viaSdk = await outcome(sdk);
    expect(viaSdk.error).toMatchObject({ reason: "UPSTREAM_UNAVAILABLE", message: "p: connection failed: ECONNREFUSED" });
    expect(await outcome(direct)).toEqual(viaSdk);
  });
});
