import { Code, ConnectError } from "@connectrpc/connect";
import type OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../../gen/ts/google/rpc/error_details_pb.js";
import { Role } from "../../../gen/ts/llmgateway/v1/types_pb.js";
import { type Gateway, startGateway } from "./gateway.js";
import type { FakeBehaviour } from "../../support/fake-upstream.js";
import { type KindSpec, PNG, SCHEMA, TOOL_CALL, TOOL_RESULT } from "./spec.js";

export * from "./spec.js";

/*
 * One contract every provider kind keeps, behind the whole gateway: callers use its faces (the openai SDK
 * on the REST face, gRPC), the gateway calls the fake upstream through the kind's real SDK or client. A
 * kind's spec file says only what differs: how the provider points at the fake, what its wire looks like
 * (paths, credentials, images, tool calls, schemas, thinking), how its errors are scripted, and its usage.
 *
 * Adding a kind: teach the fake its wire (test/support/fake-<kind>.ts, hooked in
 * through fake-platforms.ts, honouring FakeBehaviour's status, retryAfter, reset, hang, firstByteDelayMs,
 * abortAfterChunks, endWithoutFinish, text, toolCalls, finishReason, rawBody), then write
 * test/providers/contract/<kind>.test.ts: `providerContract({ ...KindSpec })`, about 40 lines. A kind on a
 * wire already here spreads it from wires.ts (gemini.test.ts); a wire of its own is written in the spec
 * file (bedrock.test.ts). Fields are documented in spec.ts. A wire without safety blocks says why in
 * `safety: { none }`, and that case is skipped under the reason; thinking is left out by leaving its
 * field out, the spec's header saying why. A case the main model cannot carry goes to the kind's model
 * that can (imageModel, thinking.upstreamModel). Kind-specific cases go in `extra`, which gets the gateway.
 */

type WithGateway = { llm_gateway?: { provider: string; cost_usd: number } };
const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Hi" }];
const everything = { tools: true, vision: true, jsonMode: true, reasoning: true };
// Room for a thinking budget under max_tokens (Claude's least budget is 1,024).
const limits = { capabilities: everything, maxOutputTokens: 16_384 };
/** The fallback's key: a request carrying it is the fallback's, whichever wire the subject speaks. */
const FALLBACK_KEY = "sk-contract-fallback";
const HEADER = "x-contract-header";

/** Registers the contract's cases for one kind. */
export function providerContract(spec: KindSpec): void {
  const title = `${spec.kind}${spec.label ? ` (${spec.label})` : ""}`;
  let gw: Gateway;
  const model = "subject";
  beforeAll(async () => {
    gw = await startGateway((upstream) => ({
      env: spec.env ?? {},
      providers: [
        { name: "subject", ...spec.provider(upstream), timeoutMs: 5000, headers: { [HEADER]: spec.kind } },
        { name: "fallback", kind: "openai-compatible", baseUrl: upstream.openAiBaseUrl, apiKey: FALLBACK_KEY, timeoutMs: 5000 },
        ...(spec.extraProviders?.(upstream) ?? []),
      ],
      models: [
        { name: model, provider: "subject", upstreamModel: spec.upstreamModel, pricing: spec.pricing, ...limits },
        {
          name: "subject-or-fallback",
          deployments: [
            { provider: "subject", upstreamModel: spec.upstreamModel, priority: 0 },
            { provider: "fallback", upstreamModel: "fallback-model", priority: 1 },
          ],
          pricing: spec.pricing,
          ...limits,
        },
        ...(spec.imageModel
          ? [{ name: "subject-image", provider: "subject", upstreamModel: spec.imageModel.upstreamModel, pricing: spec.pricing, ...limits }]
          : []),
        ...(spec.thinking?.upstreamModel
          ? [
              {
                name: "subject-thinking",
                provider: "subject",
                upstreamModel: spec.thinking.upstreamModel,
                pricing: spec.pricing,
                ...limits,
              },
            ]
          : []),
        ...(spec.extraModels ?? []),
      ],
    }));
  });
  afterAll(async () => gw?.close());
  beforeEach(() => {
    gw.upstream.setDefault({});
    gw.upstream.setScript(undefined);
  });
  const last = () => gw.upstream.requests.at(-1)!;
  const rates = spec.rates ?? spec.pricing;
  const expected = (words: number) => {
    const u = spec.usage(words);
    const cost =
      (u.fresh * rates.inputPerMillion +
        u.cached * (rates.cachedInputPerMillion ?? 0) +
        u.cacheWrite * (rates.cacheWritePerMillion ?? 0) +
        (u.output + u.reasoning) * rates.outputPerMillion) /
      1e6;
    return { ...u, prompt: u.fresh + u.cached + u.cacheWrite, completion: u.output + u.reasoning, cost };
  };
  const grpcError = async (m = model) =>
    ConnectError.from(await gw.grpc.complete({ model: m, messages: [{ role: Role.USER, content: "Hi" }] }).catch((e: unknown) => e));

  describe(`${title}: the provider contract`, () => {
    it("answers on the REST face with the wire's usage and its cost at the catalogue's prices", async () => {
      gw.upstream.enqueue({ text: "Hello from the contract" });
      const data = await gw.sdk.chat.completions.create({ model, messages: hi });
      const want = expected(4);
      expect(data.choices[0]?.message.content).toBe("Hello from the contract");
      expect(data.choices[0]?.finish_reason).toBe("stop");
      expect(data.usage).toMatchObject({ prompt_tokens: want.prompt, completion_tokens: want.completion });
      expect(data.usage?.prompt_tokens_details?.cached_tokens ?? 0).toBe(want.cached);
      expect(data.usage?.completion_tokens_details?.reasoning_tokens ?? 0).toBe(want.reasoning);
      expect((data as WithGateway).llm_gateway?.cost_usd).toBeCloseTo(want.cost, 12);
      spec.sent(last());
      expect(last().headers[HEADER]).toBe(spec.kind);
    });

    it("answers on gRPC with the same usage and cost", async () => {
      gw.upstream.enqueue({ text: "Hello over gRPC" });
      const { completion } = await gw.grpc.complete({ model, messages: [{ role: Role.USER, content: "Hi" }] });
      const want = expected(3);
      expect(completion?.message?.content).toBe("Hello over gRPC");
      expect(completion?.provider).toBe("subject");
      expect(completion?.usage).toMatchObject({
        inputTokens: BigInt(want.prompt),
        outputTokens: BigInt(want.completion),
        cachedInputTokens: BigInt(want.cached),
        reasoningTokens: BigInt(want.reasoning),
      });
      expect(completion?.costUsd).toBeCloseTo(want.cost, 12);
      spec.sent(last());
    });

    it("streams, with usage at the end", async () => {
      gw.upstream.enqueue({ text: "one two three four" });
      const stream = await gw.sdk.chat.completions.create({ model, messages: hi, stream: true, stream_options: { include_usage: true } });
      let text = "";
      let usage: OpenAI.CompletionUsage | undefined | null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        usage ??= chunk.usage;
      }
      expect(text).toBe("one two three four");
      expect(usage).toMatchObject({ prompt_tokens: expected(4).prompt, completion_tokens: expected(4).completion });
      spec.sent(last());
    });

    const image: OpenAI.ChatCompletionContentPart = { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } };
    const withImage = !spec.imageModel;
    it(`carries a tool round trip${withImage ? " with an image" : ""}: the call's id and arguments go back in the wire's shape`, async () => {
      const toolCall = { ...TOOL_CALL, id: spec.toolCallId ?? TOOL_CALL.id };
      gw.upstream.enqueue({ text: "", toolCalls: [toolCall] });
      const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "describe", parameters: { type: "object" } } }];
      const question: OpenAI.ChatCompletionContentPart = { type: "text", text: "what is it?" };
      const user: OpenAI.ChatCompletionMessageParam = { role: "user", content: withImage ? [question, image] : [question] };
      const turn = spec.imageModel?.textTurn ?? spec.imageTurn;
      const first = await gw.sdk.chat.completions.create({ model, tools, messages: [user] });
      const call = first.choices[0]?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(first.choices[0]?.finish_reason).toBe("tool_calls");
      expect(call).toMatchObject({
        id: (spec.callId ?? ((id) => id))(toolCall.id),
        function: { name: "describe", arguments: TOOL_CALL.arguments },
      });
      expect(spec.messages(last().body)).toEqual([turn]);
      gw.upstream.enqueue({ text: "a single pixel" });
      const second = await gw.sdk.chat.completions.create({
        model,
        tools,
        messages: [
          user,
          { role: "assistant", content: null, tool_calls: [call] },
          { role: "tool", tool_call_id: call.id, content: TOOL_RESULT },
        ],
      });
      expect(second.choices[0]?.message.content).toBe("a single pixel");
      expect(spec.messages(last().body)).toEqual([turn, ...spec.toolTurns(call.id)]);
    });

    if (spec.imageModel)
      it(`sends an image to ${spec.imageModel.upstreamModel} (${spec.imageModel.why})`, async () => {
        gw.upstream.enqueue({ text: "a single pixel" });
        const user: OpenAI.ChatCompletionMessageParam = { role: "user", content: [{ type: "text", text: "what is it?" }, image] };
        const data = await gw.sdk.chat.completions.create({ model: "subject-image", messages: [user] });
        expect(data.choices[0]?.message.content).toBe("a single pixel");
        expect(spec.messages(last().body)).toEqual([spec.imageTurn]);
        expect(last().body["model"]).toBe(spec.imageModel?.upstreamModel);
      });

    it("asks for JSON schema output in the wire's shape", async () => {
      gw.upstream.enqueue({ text: '{"answer":"42"}' });
      const data = await gw.sdk.chat.completions.create({
        model,
        messages: hi,
        response_format: { type: "json_schema", json_schema: { name: "answer", schema: SCHEMA, strict: true } },
      });
      expect(JSON.parse(data.choices[0]?.message.content ?? "")).toEqual({ answer: "42" });
      spec.jsonSchema(last().body);
    });

    it.runIf(spec.thinking)("carries thinking: the effort goes up in the wire's shape, the reasoning comes back", async () => {
      gw.upstream.enqueue(spec.thinking!.answer);
      const thinker = spec.thinking?.upstreamModel ? "subject-thinking" : model;
      const data = await gw.sdk.chat.completions.create({ model: thinker, messages: hi, reasoning_effort: "low", max_tokens: 8000 });
      expect(data.choices[0]?.message.content).toBe("42");
      expect((data.choices[0]?.message as { reasoning_content?: string } | undefined)?.reasoning_content).toBe("Let me think.");
      spec.thinking!.sent(last().body);
    });

    const safety = spec.safety;
    if ("none" in safety) it.skip(`reports a safety block as the content_filter finish reason: skipped, ${safety.none}`, () => {});
    else
      it("reports a safety block as the content_filter finish reason", async () => {
        gw.upstream.enqueue(safety);
        const data = await gw.sdk.chat.completions.create({ model, messages: hi });
        expect(data.choices[0]?.finish_reason).toBe("content_filter");
      });

    it("passes a 429 on as UPSTREAM_RATE_LIMITED with the wire's retry delay when there is no fallback", async () => {
      gw.upstream.enqueue(spec.rateLimited.behaviour);
      const err = await grpcError();
      expect(err.code).toBe(Code.Unavailable);
      expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_RATE_LIMITED");
      expect(err.findDetails(RetryInfoSchema)[0]?.retryDelay).toMatchObject({ nanos: 0, ...spec.rateLimited.delay });
    });

    it("ends a stream cut after its first text with STREAM_INTERRUPTED, never silently", async () => {
      gw.upstream.enqueue({ text: "one two three four", abortAfterChunks: 2 });
      let completed = false;
      const events = gw.grpc.streamComplete({ model, messages: [{ role: Role.USER, content: "Hi" }] });
      const err = await (async () => {
        for await (const e of events) if (e.event.case === "completion") completed = true;
      })().catch((e: unknown) => ConnectError.from(e));
      expect(completed).toBe(false);
      expect(err?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("STREAM_INTERRUPTED");
      spec.sent(last());
    });

    it.each(spec.authFailures)("fails as FAILED_PRECONDITION UPSTREAM_AUTH_FAILED on the wire's refusal %j", async (refusal) => {
      gw.upstream.enqueue(refusal);
      const err = await grpcError();
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_AUTH_FAILED");
    });

    it.each([
      ["a 500", { status: 500 }],
      ["a 503", { status: 503 }],
      ["a 429", spec.rateLimited.behaviour],
      ["a connection reset", { reset: true }],
      ["a stream cut before its first text", { text: "cut", abortAfterChunks: 0 }],
      ["a stream ended without its finish", { text: "", endWithoutFinish: true }],
    ] as [string, FakeBehaviour][])("fails over from %s to another provider of the same model", async (_, failure) => {
      gw.upstream.enqueue(failure, { text: "from the fallback" });
      const data = await gw.sdk.chat.completions.create({ model: "subject-or-fallback", messages: hi });
      expect(data.choices[0]?.message.content).toBe("from the fallback");
      expect((data as WithGateway).llm_gateway?.provider).toBe("fallback");
      const [subject, fallback] = gw.upstream.requests.slice(-2);
      spec.sent(subject!);
      expect(fallback?.path).toBe("/v1/chat/completions");
      expect(fallback?.headers.authorization).toBe(`Bearer ${FALLBACK_KEY}`);
    });

    it.each([false, true])("aborts the upstream request when the caller cancels (stream: %s)", async (stream) => {
      const arrived = new Promise<number>((resolve) =>
        gw.upstream.setScript((request) => {
          resolve(gw.upstream.requests.indexOf(request));
          return { hang: true };
        }),
      );
      const controller = new AbortController();
      const pending = gw.sdk.chat.completions.create({ model, messages: hi, stream }, { signal: controller.signal }).catch(() => undefined);
      const index = await arrived;
      controller.abort();
      await pending;
      await gw.upstream.waitForAbort(index);
      expect(gw.upstream.requests[index]?.aborted).toBe(true);
      spec.sent(gw.upstream.requests[index]!);
    });

    it("is listed in ListModels with its kind, upstream model and prices", async () => {
      const { models } = await gw.grpc.listModels({});
      expect(models.find((m) => m.name === model)).toMatchObject({
        provider: "subject",
        providerKind: spec.kind,
        upstreamModel: spec.upstreamModel,
        inputPricePerMillion: spec.pricing.inputPerMillion,
        outputPricePerMillion: spec.pricing.outputPerMillion,
        ...spec.listed,
      });
    });

    spec.extra?.(() => gw);
  });
}
