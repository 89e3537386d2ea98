import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createSdkFetch } from "../../src/providers/http.js";
import { createOpenAiProvider } from "../../src/providers/openai.js";
import { createOpenAiDirectProvider } from "../../src/providers/openai-direct.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";

/*
 * The direct client sends what one network read brought as one chunk per kind: the text of its
 * events as one delta with their log probabilities as one list, its reasoning as one piece, and a
 * switch between the two starts a new piece, so the order stays as the model wrote it. The server
 * here writes a whole stream with one write, which a loopback connection delivers as one read.
 */

let server: http.Server;
let url = "";
let events: unknown[] = [];
const request: ProviderRequest = { model: "m", messages: [{ role: "user", content: "Hi" }], maxTokens: 50, stop: [], logprobs: true };

const lp = (token: string) => ({ token, logprob: -1, bytes: null, top_logprobs: [] });
const ours = (token: string) => ({ token, logprob: -1, topLogprobs: [] });
const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 1,
  model: "m",
  choices: [{ index: 0, delta, finish_reason: null, logprobs: null, ...extra }],
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(events.map((e) => `data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`).join(""));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function chunksOf(p: Provider): Promise<ProviderChunk[]> {
  const out: ProviderChunk[] = [];
  for await (const c of p.stream(request, new AbortController().signal)) out.push(c);
  return out;
}

const o = { name: "p", kind: "openai-compatible" as const, apiKey: undefined };

it("coalesces one read's reasoning, then its text and logprobs, keeping their order", async () => {
  events = [
    chunk({ reasoning_content: "Think " }),
    chunk({ reasoning_content: "hard." }),
    chunk({ content: "Hi" }, { logprobs: { content: [lp("Hi")] } }),
    chunk({ content: " there" }, { logprobs: { content: [lp(" there")] } }),
    chunk({ reasoning_content: "Then more." }),
    chunk({ content: "!" }, { logprobs: { content: [lp("!")] } }),
    chunk({}, { finish_reason: "stop" }),
    "[DONE]",
  ];
  const direct = await chunksOf(createOpenAiDirectProvider({ ...o, baseUrl: url, dispatcher: new Agent() }));
  expect(direct).toEqual([
    { type: "started" },
    { type: "reasoning", text: "Think hard." },
    { type: "delta", text: "Hi there", logprobs: [ours("Hi"), ours(" there")] },
    { type: "reasoning", text: "Then more." },
    { type: "delta", text: "!", logprobs: [ours("!")] },
    { type: "end", finishReason: "stop", model: "m" },
  ]);
  // The SDK client gives one chunk per event: the same pieces, cut finer.
  const sdk = await chunksOf(createOpenAiProvider({ ...o, baseUrl: url, fetch: createSdkFetch(new Agent()) }));
  expect(sdk.filter((c) => c.type === "reasoning").map((c) => c.text)).toEqual(["Think ", "hard.", "Then more."]);
  expect(sdk.filter((c) => c.type === "delta")).toEqual([
    { type: "delta", text: "Hi", logprobs: [ours("Hi")] },
    { type: "delta", text: " there", logprobs: [ours(" there")] },
    { type: "delta", text: "!", logprobs: [ours("!")] },
  ]);
});

it("sends what came before a tool call began before the progress chunk", async () => {
  events = [
    chunk({ reasoning_content: "Need the time." }),
    chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "now", arguments: "{}" } }] }),
    chunk({}, { finish_reason: "tool_calls" }),
    "[DONE]",
  ];
  const direct = await chunksOf(createOpenAiDirectProvider({ ...o, baseUrl: url, dispatcher: new Agent() }));
  expect(direct).toEqual([
    { type: "started" },
    { type: "reasoning", text: "Need the time." },
    { type: "progress" },
    { type: "end", finishReason: "tool_calls", model: "m", toolCalls: [{ id: "call_1", name: "now", argumentsJson: "{}" }] },
  ]);
});
