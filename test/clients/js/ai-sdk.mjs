import { APICallError, embed, embedMany, generateObject, generateText, stepCountIs, streamObject, streamText, tool } from "ai";
import { createOpenAI } from "@ai-sdk/openai";
import { createAnthropic } from "@ai-sdk/anthropic";
import { z } from "zod";
import { reasoningAndRoundTrips } from "./ai-sdk-reasoning.mjs";
import { assert, KEY, LIMITED, run, startGateway } from "./common.mjs";

/*
 * The Vercel AI SDK (ai with @ai-sdk/openai and @ai-sdk/anthropic) against the gateway: the Responses
 * API (openai(model), the provider's default), chat completions (openai.chat), embeddings, and the
 * Anthropic face (createAnthropic({ baseURL })); unary, streams, tool round trips, structured output,
 * reasoning and errors as the SDK's own APICallError. Usage: node ai-sdk.mjs <project dir> [name filter]
 */

const [root, only] = process.argv.slice(2);
const gateway = await startGateway(root);
const { h, enqueue, last } = gateway;
const openai = createOpenAI({ baseURL: `${h.httpUrl}/v1`, apiKey: KEY });
const anthropic = createAnthropic({ baseURL: `${h.httpUrl}/v1`, apiKey: KEY });
const badOpenai = createOpenAI({ baseURL: `${h.httpUrl}/v1`, apiKey: "wrong" });
const badAnthropic = createAnthropic({ baseURL: `${h.httpUrl}/v1`, apiKey: "wrong" });
const limitedOpenai = createOpenAI({ baseURL: `${h.httpUrl}/v1`, apiKey: LIMITED });
const limitedAnthropic = createAnthropic({ baseURL: `${h.httpUrl}/v1`, apiKey: LIMITED });
const weather = tool({
  description: "The weather in a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `sunny in ${city}`,
});
const extra = {};

async function expectError(fn, status) {
  try {
    await fn();
  } catch (e) {
    const err = APICallError.isInstance(e) ? e : (e?.lastError ?? e?.cause ?? e);
    assert(APICallError.isInstance(err), `an APICallError, got ${e?.name}: ${e?.message}`);
    assert(err.statusCode === status, `status ${status}, got ${err.statusCode} ${err.responseBody}`);
    return err;
  }
  throw new Error(`expected a ${status} error, got an answer`);
}

const models = {
  responses: (m) => openai(m),
  chat: (m) => openai.chat(m),
  anthropic: (m) => anthropic(m),
};
const modelFor = { responses: "gpt-test", chat: "gpt-test", anthropic: "claude-test" };

const checks = {};
for (const [face, make] of Object.entries(models)) {
  const model = () => make(modelFor[face]);
  // The AI SDK asks an unknown claude-* model for 128000 output tokens, more than the catalogue allows.
  const extra = face === "anthropic" ? { maxOutputTokens: 1024 } : {};
  checks[`${face}: generateText`] = async () => {
    enqueue({ text: "Paris is the capital." });
    const r = await generateText({ model: model(), prompt: "Capital of France?", maxRetries: 0, ...extra });
    assert(r.text === "Paris is the capital.", `the text, got ${JSON.stringify(r.text)}`);
    assert(r.finishReason === "stop", `finishReason stop, got ${r.finishReason}`);
    assert(r.usage.inputTokens > 0 && r.usage.outputTokens > 0, `usage, got ${JSON.stringify(r.usage)}`);
  };
  checks[`${face}: generateText with system`] = async () => {
    enqueue({ text: "ok" });
    const r = await generateText({ model: model(), system: "Be brief.", prompt: "Hi", maxRetries: 0, ...extra });
    assert(r.text === "ok", `ok, got ${r.text}`);
    const body = JSON.stringify(last().body);
    assert(body.includes("Be brief."), `system reached upstream: ${body}`);
  };
  checks[`${face}: streamText`] = async () => {
    enqueue({ text: "one two three four" });
    const r = streamText({ model: model(), prompt: "Count", maxRetries: 0, ...extra, onError: () => {} });
    let text = "";
    for await (const d of r.textStream) text += d;
    assert(text === "one two three four", `streamed text, got ${JSON.stringify(text)}`);
    assert((await r.finishReason) === "stop", `finish stop, got ${await r.finishReason}`);
    const u = await r.usage;
    assert(u.inputTokens > 0 && u.outputTokens > 0, `usage, got ${JSON.stringify(u)}`);
  };
  checks[`${face}: streamText fullStream has no error parts`] = async () => {
    enqueue({ text: "a b" });
    const r = streamText({ model: model(), prompt: "x", maxRetries: 0, ...extra });
    const types = [];
    for await (const p of r.fullStream) {
      types.push(p.type);
      if (p.type === "error") throw new Error(`error part: ${p.error?.message ?? JSON.stringify(p.error)}`);
    }
    assert(types.includes("finish"), `a finish part, got ${types}`);
  };
  checks[`${face}: tool round trip (stopWhen)`] = async () => {
    enqueue({ toolCalls: [{ id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' }] }, { text: "It is sunny in Oslo." });
    const r = await generateText({
      model: model(),
      prompt: "Weather in Oslo?",
      tools: { weather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
      ...extra,
    });
    assert(r.steps.length === 2, `two steps, got ${r.steps.length}`);
    assert(r.steps[0].toolCalls[0]?.input?.city === "Oslo", `tool call input, got ${JSON.stringify(r.steps[0].toolCalls)}`);
    assert(r.text === "It is sunny in Oslo.", `final text, got ${r.text}`);
    const body = JSON.stringify(last().body);
    assert(body.includes("sunny in Oslo"), `tool result reached upstream: ${body}`);
  };
  checks[`${face}: streamText tool round trip`] = async () => {
    enqueue({ toolCalls: [{ id: "call_2", name: "weather", arguments: '{"city":"Rome"}' }] }, { text: "Sunny in Rome." });
    const r = streamText({
      model: model(),
      prompt: "Weather in Rome?",
      tools: { weather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
      ...extra,
    });
    for await (const p of r.fullStream) {
      if (p.type === "error") throw new Error(`error part: ${p.error?.message ?? JSON.stringify(p.error)}`);
    }
    assert((await r.text) === "Sunny in Rome.", `final text, got ${await r.text}`);
    const steps = await r.steps;
    assert(steps.length === 2, `two steps, got ${steps.length}`);
  };
  checks[`${face}: generateObject`] = async () => {
    enqueue({ text: '{"name":"Ada","age":36}' });
    const r = await generateObject({
      model: model(),
      schema: z.object({ name: z.string(), age: z.number() }),
      prompt: "A person",
      maxRetries: 0,
      ...extra,
    });
    assert(r.object.name === "Ada" && r.object.age === 36, `the object, got ${JSON.stringify(r.object)}`);
  };
  checks[`${face}: streamObject`] = async () => {
    enqueue({ text: '{"name":"Ada","age":36}' });
    const r = streamObject({
      model: model(),
      schema: z.object({ name: z.string(), age: z.number() }),
      prompt: "A person",
      maxRetries: 0,
      ...extra,
      onError: () => {},
    });
    let partials = 0;
    for await (const _ of r.partialObjectStream) partials++;
    const o = await r.object;
    assert(o.name === "Ada" && o.age === 36, `the object, got ${JSON.stringify(o)}`);
    assert(partials > 0, "partials");
  };
  checks[`${face}: 401`] = async () => {
    const bad = { responses: badOpenai, chat: badOpenai.chat, anthropic: badAnthropic }[face];
    await expectError(() => generateText({ model: bad(modelFor[face]), prompt: "x", maxRetries: 0, ...extra }), 401);
  };
  checks[`${face}: 404 model`] = async () => {
    await expectError(() => generateText({ model: make("no-such-model"), prompt: "x", maxRetries: 0, ...extra }), 404);
  };
  const limited = () => ({ responses: limitedOpenai, chat: limitedOpenai.chat, anthropic: limitedAnthropic })[face](modelFor[face]);
  checks[`${face}: 429`] = async () => {
    await generateText({ model: limited(), prompt: "x", maxRetries: 0, ...extra }).catch(() => {});
    const err = await expectError(() => generateText({ model: limited(), prompt: "x", maxRetries: 0, ...extra }), 429);
    assert(err.isRetryable, "retryable");
    assert(Number(err.responseHeaders?.["retry-after"]) > 0, `retry-after, got ${JSON.stringify(err.responseHeaders)}`);
  };
  checks[`${face}: 429 while streaming`] = async () => {
    let error;
    const r = streamText({ model: limited(), prompt: "x", maxRetries: 0, ...extra, onError: ({ error: e }) => (error = e) });
    for await (const _ of r.fullStream);
    assert(APICallError.isInstance(error) && error.statusCode === 429, `a 429 APICallError, got ${error}`);
  };
}

checks["embed"] = async () => {
  const r = await embed({ model: openai.embedding("embed-small"), value: "sunny day", maxRetries: 0, ...extra });
  assert(r.embedding.length === 256, `256 dims, got ${r.embedding.length}`);
  assert(r.usage.tokens > 0, `usage, got ${JSON.stringify(r.usage)}`);
};
checks["embedMany"] = async () => {
  const r = await embedMany({ model: openai.embedding("embed-small"), values: ["a b", "c d e", "f"], maxRetries: 0, ...extra });
  assert(r.embeddings.length === 3 && r.embeddings.every((e) => e.length === 256), "3 vectors");
};
checks["embed with dimensions"] = async () => {
  const r = await embed({
    model: openai.embedding("embed-small"),
    value: "dims",
    providerOptions: { openai: { dimensions: 64 } },
    maxRetries: 0,
    ...extra,
  });
  assert(r.embedding.length === 64, `64 dims, got ${r.embedding.length}`);
};
checks["embed 404"] = async () => {
  await expectError(() => embed({ model: openai.embedding("nope"), value: "x", maxRetries: 0, ...extra }), 404);
};
checks["embed 401"] = async () => {
  await expectError(() => embed({ model: badOpenai.embedding("embed-small"), value: "x", maxRetries: 0, ...extra }), 401);
};

Object.assign(checks, reasoningAndRoundTrips({ h, openai, anthropic, enqueue, last, weather }));

await run(gateway, checks, only);
