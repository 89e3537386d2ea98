import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSdkFetch } from "../../src/providers/http.js";
import { createOpenAiProvider } from "../../src/providers/openai.js";
import { createOpenAiDirectProvider } from "../../src/providers/openai-direct.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.js";

/*
 * What the OpenAI wire format reads back from answers, for both clients: usage details (cached and
 * reasoning tokens), log probabilities, and the reasoning compatible servers send beside the text,
 * from whole and streamed answers scripted exactly.
 */

let upstream: FakeUpstream;
const base: ProviderRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], maxTokens: 50, stop: [] };

type Options = { name: string; kind: "openai" | "openai-compatible"; apiKey: string | undefined; baseUrl: string };
const paths: [string, (o: Options) => Provider][] = [
  ["through the openai SDK", (o) => createOpenAiProvider({ ...o, fetch: createSdkFetch(new Agent()) })],
  ["speaking the wire format directly", (o) => createOpenAiDirectProvider({ ...o, dispatcher: new Agent() })],
];

/** A call's chunks, adjacent pieces of one kind merged (text with its logprobs): how they were cut depends on the network. */
async function merged(iterable: AsyncIterable<ProviderChunk>): Promise<ProviderChunk[]> {
  const out: ProviderChunk[] = [];
  for await (const c of iterable) {
    const last = out.at(-1);
    if (c.type === "delta" && last?.type === "delta") {
      const logprobs = [...(last.logprobs ?? []), ...(c.logprobs ?? [])];
      out[out.length - 1] = { type: "delta", text: last.text + c.text, ...(logprobs.length ? { logprobs } : {}) };
    } else if (c.type === "reasoning" && last?.type === "reasoning") out[out.length - 1] = { type: "reasoning", text: last.text + c.text };
    else out.push(c);
  }
  return out;
}

const logprob = (token: string, lp: number) => ({
  token,
  logprob: lp,
  bytes: [...Buffer.from(token)],
  top_logprobs: [{ token, logprob: lp, bytes: null }],
});
const ours = (token: string, lp: number) => ({ token, logprob: lp, bytes: [...Buffer.from(token)], topLogprobs: [{ token, logprob: lp }] });
const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: "c1",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta, finish_reason: null, logprobs: null, ...extra }],
});
const usage = {
  prompt_tokens: 100,
  completion_tokens: 30,
  total_tokens: 130,
  prompt_tokens_details: { cached_tokens: 64 },
  completion_tokens_details: { reasoning_tokens: 20 },
};

beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());

describe.each(paths)("OpenAI provider %s, reading answers", (_, create) => {
  let compatible: Provider;
  beforeAll(() => {
    compatible = create({ name: "compat", kind: "openai-compatible", apiKey: undefined, baseUrl: upstream.openAiBaseUrl });
  });

  it.each(["reasoning_content", "reasoning"])("reads a whole answer's %s, logprobs, cached and reasoning tokens", async (field) => {
    upstream.enqueue({
      rawBody: {
        id: "x",
        object: "chat.completion",
        created: 1,
        model: "gpt-4o-mini-2024",
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: "Hi!", [field]: "The user greets me." },
            logprobs: { content: [logprob("Hi", -0.1), logprob("!", -0.5)], refusal: null },
            finish_reason: "stop",
          },
        ],
        usage,
      },
    });
    const chunks = await merged(compatible.stream({ ...base, unary: true, logprobs: true }, new AbortController().signal));
    expect(chunks).toEqual([
      { type: "started" },
      { type: "reasoning", text: "The user greets me." },
      { type: "delta", text: "Hi!", logprobs: [ours("Hi", -0.1), ours("!", -0.5)] },
      {
        type: "end",
        finishReason: "stop",
        model: "gpt-4o-mini-2024",
        usage: { inputTokens: 100, outputTokens: 30, cachedInputTokens: 64, reasoningTokens: 20 },
      },
    ]);
  });

  it.each(["reasoning_content", "reasoning"])("reads a streamed answer's %s, logprobs and usage details", async (field) => {
    upstream.enqueue({
      rawEvents: [
        chunk({ role: "assistant", content: "" }),
        chunk({ [field]: "Greeted; " }),
        chunk({ [field]: "answer briefly." }),
        chunk({ content: "Hi" }, { logprobs: { content: [logprob("Hi", -0.1)] } }),
        chunk({ content: "!" }, { logprobs: { content: [logprob("!", -0.5)] } }),
        chunk({}, { finish_reason: "stop" }),
        { ...chunk({}), choices: [], usage },
        "[DONE]",
      ],
    });
    const chunks = await merged(compatible.stream({ ...base, logprobs: true }, new AbortController().signal));
    expect(chunks).toEqual([
      { type: "started" },
      { type: "reasoning", text: "Greeted; answer briefly." },
      { type: "delta", text: "Hi!", logprobs: [ours("Hi", -0.1), ours("!", -0.5)] },
      {
        type: "end",
        finishReason: "stop",
        model: "gpt-4o-mini",
        usage: { inputTokens: 100, outputTokens: 30, cachedInputTokens: 64, reasoningTokens: 20 },
      },
    ]);
  });

  it("ignores a reasoning field that is not text, and reports no usage details the upstream left out", async () => {
    upstream.enqueue({
      rawEvents: [
        chunk({ content: "Hi", reasoning: { effort: "low" } }),
        chunk({}, { finish_reason: "stop" }),
        { ...chunk({}), choices: [], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
        "[DONE]",
      ],
    });
    expect(await merged(compatible.stream(base, new AbortController().signal))).toEqual([
      { type: "started" },
      { type: "delta", text: "Hi" },
      { type: "end", finishReason: "stop", model: "gpt-4o-mini", usage: { inputTokens: 5, outputTokens: 1 } },
    ]);
  });
});
