import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Clock } from "../core/clock.js";
import type { Gateway } from "../pipeline/pipeline.js";
import type { ChatResult, ChatStreamEvent } from "../core/types.js";
import {
  CompleteResponseSchema,
  type CompletionService,
  CountTokensResponseSchema,
  ListModelsResponseSchema,
  ResumeStreamResponseSchema,
  StreamCompleteResponseSchema,
} from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import type { HandlerContext } from "@connectrpc/connect";
import type { DurableFace } from "../durable/durable.js";
import type { JournalEvent } from "../durable/journal.js";
import { GatewayError } from "../core/errors.js";
import { tenantOf } from "./auth.js";
import { callContextOf } from "./call-context.js";
import { toChatMessages, toChatRequest, toCompletion, toModelInfo } from "./convert.js";
import { toTokenLogprobs } from "./convert-content.js";

/** The CompletionService: converts, calls the core, converts back. */
export function createCompletionService(gateway: Gateway, clock: Clock, durable?: DurableFace): ServiceImpl<typeof CompletionService> {
  return {
    async complete(req, ctx) {
      const call = callContextOf(ctx, clock);
      const key = idempotencyKeyOf(ctx);
      const request = toChatRequest(req);
      const result = key && durable ? await durable.calls.complete(request, call, key) : await gateway.complete(request, call);
      ctx.responseHeader.set(CACHE_HEADER, result.cacheStatus);
      setResultTrailers(ctx, result);
      return create(CompleteResponseSchema, { completion: toCompletion(result) });
    },

    async *streamComplete(req, ctx) {
      const call = callContextOf(ctx, clock);
      const key = idempotencyKeyOf(ctx);
      const request = toChatRequest(req);
      if (!durable || (!durable.resumableStreams && !key)) {
        for await (const event of gateway.stream(request, call)) {
          const message = messageOf(event, ctx);
          if (message) yield create(StreamCompleteResponseSchema, message);
        }
        return;
      }
      const stream = await durable.calls.start(request, call, key);
      if (durable.resumableStreams) ctx.responseHeader.set(RESUME_TOKEN_HEADER, stream.token);
      for await (const message of journaled(stream.events, ctx)) yield create(StreamCompleteResponseSchema, message);
    },

    async *resumeStream(req, ctx) {
      if (!durable?.resumableStreams) throw new GatewayError("UNSUPPORTED", "resumable streams are off (durable.resumableStreams)");
      const stream = await durable.calls.resume(req.resumeToken, Number(req.lastEventId), callContextOf(ctx, clock));
      // The two messages have the same fields, numbered alike.
      for await (const m of journaled(stream.events, ctx))
        yield create(ResumeStreamResponseSchema, m as MessageInitShape<typeof ResumeStreamResponseSchema>);
    },

    async countTokens(req, ctx) {
      const count = await gateway.countTokens(req.model, toChatMessages(req.messages), callContextOf(ctx, clock));
      return create(CountTokensResponseSchema, {
        inputTokens: BigInt(count.tokens),
        estimated: count.estimated,
        tokenizer: count.tokenizer,
        model: count.model,
      });
    },

    listModels(_req, ctx) {
      // A tenant sees the models it may use, as on the REST face.
      const allowed = tenantOf(ctx).allowedModels;
      const models = allowed ? gateway.catalog.models.filter((m) => allowed.has(m.name)) : gateway.catalog.models;
      const defaultModel = gateway.catalog.defaultModel;
      return create(ListModelsResponseSchema, {
        models: models.map(toModelInfo),
        defaultModel:
          defaultModel !== undefined && models.some((m) => m.name === defaultModel || m.aliases.includes(defaultModel)) ? defaultModel : "",
      });
    },
  };
}

/** How the cache answered (miss, hit_exact, hit_semantic, coalesced, bypass, disabled), as a response header. */
export const CACHE_HEADER = "x-cache-status";

/** Who answered: a stream's first provider in its headers, the last one in the trailers. */
export const PROVIDER_HEADER = "x-llm-provider";

/** A resumable stream's token, for ResumeStream (docs/resilience.md "Resuming a stream"). */
export const RESUME_TOKEN_HEADER = "x-llm-gateway-resume-token";

/** The call's idempotency key (docs/resilience.md "Idempotency keys"), if it has one. */
function idempotencyKeyOf(ctx: HandlerContext): string | undefined {
  return ctx.requestHeader.get("idempotency-key")?.trim() || undefined;
}

/** Who answered, as metadata for proxies and clients that read no bodies. */
function setResultTrailers(ctx: HandlerContext, result: ChatResult): void {
  ctx.responseTrailer.set(PROVIDER_HEADER, result.provider);
}

type StreamMessage = MessageInitShape<typeof StreamCompleteResponseSchema>;

/** A journaled stream's events as messages, each with its event id. */
async function* journaled(events: AsyncIterable<JournalEvent>, ctx: HandlerContext): AsyncGenerator<StreamMessage> {
  for await (const { id, event } of events) {
    const message = messageOf(event, ctx);
    if (message) yield { ...message, eventId: BigInt(id) };
  }
}

/** One core event as a stream message; events that only set metadata have none. */
function messageOf(event: ChatStreamEvent, ctx: HandlerContext): StreamMessage | undefined {
  if (event.type === "cache") {
    // Known before any text, so it travels in the response headers like a unary call's.
    ctx.responseHeader.set(CACHE_HEADER, event.status);
  } else if (event.type === "answering") {
    // Headers go out with the first message: only the first round's provider can be told there.
    if (!ctx.responseHeader.has(PROVIDER_HEADER)) ctx.responseHeader.set(PROVIDER_HEADER, event.provider);
  } else if (event.type === "delta") {
    const value = event.logprobs ? { text: event.text, logprobs: toTokenLogprobs(event.logprobs) } : { text: event.text };
    return { event: { case: "delta", value } };
  } else if (event.type === "reasoning") {
    // A signature alone (Anthropic's, known before the text) has no text to send; it comes with the done message.
    if (event.text) return { event: { case: "reasoning", value: { text: event.text } } };
  } else if (event.type === "tool_call") {
    const { id, name, argumentsJson, round } = event;
    return { event: { case: "toolCall", value: { id, name, argumentsJson, round } } };
  } else if (event.type === "tool_result") {
    const { id, name, output, isError, latencyMs } = event;
    return { event: { case: "toolResult", value: { id, name, output, isError, latencyMs } } };
  } else {
    setResultTrailers(ctx, event.result);
    return { event: { case: "completion", value: toCompletion(event.result) } };
  }
  return undefined;
}
