import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Clock } from "../core/clock.js";
import type { Gateway } from "../pipeline/pipeline.js";
import type { ChatResult } from "../core/types.js";
import {
  CompleteResponseSchema,
  type CompletionService,
  CountTokensResponseSchema,
  ListModelsResponseSchema,
  StreamCompleteResponseSchema,
} from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import type { HandlerContext } from "@connectrpc/connect";
import { tenantOf } from "./auth.js";
import { callContextOf } from "./call-context.js";
import { toChatMessages, toChatRequest, toCompletion, toModelInfo } from "./convert.js";
import { toTokenLogprobs } from "./convert-content.js";

/** The CompletionService: converts, calls the core, converts back. */
export function createCompletionService(gateway: Gateway, clock: Clock): ServiceImpl<typeof CompletionService> {
  return {
    async complete(req, ctx) {
      const call = callContextOf(ctx, clock);
      const result = await gateway.complete(toChatRequest(req), call);
      ctx.responseHeader.set(CACHE_HEADER, result.cacheStatus);
      setResultTrailers(ctx, result);
      return create(CompleteResponseSchema, { completion: toCompletion(result) });
    },

    async *streamComplete(req, ctx) {
      const call = callContextOf(ctx, clock);
      for await (const event of gateway.stream(toChatRequest(req), call)) {
        if (event.type === "cache") {
          // Known before any text, so it travels in the response headers like a unary call's.
          ctx.responseHeader.set(CACHE_HEADER, event.status);
        } else if (event.type === "answering") {
          // Headers go out with the first message: only the first round's provider can be told there.
          if (!ctx.responseHeader.has(PROVIDER_HEADER)) ctx.responseHeader.set(PROVIDER_HEADER, event.provider);
        } else if (event.type === "delta") {
          const value = event.logprobs ? { text: event.text, logprobs: toTokenLogprobs(event.logprobs) } : { text: event.text };
          yield create(StreamCompleteResponseSchema, { event: { case: "delta", value } });
        } else if (event.type === "reasoning") {
          // A signature alone (Anthropic's, known before the text) has no text to send; it comes with the done message.
          if (!event.text) continue;
          yield create(StreamCompleteResponseSchema, { event: { case: "reasoning", value: { text: event.text } } });
        } else if (event.type === "tool_call") {
          const { id, name, argumentsJson, round } = event;
          yield create(StreamCompleteResponseSchema, { event: { case: "toolCall", value: { id, name, argumentsJson, round } } });
        } else if (event.type === "tool_result") {
          const { id, name, output, isError, latencyMs } = event;
          yield create(StreamCompleteResponseSchema, { event: { case: "toolResult", value: { id, name, output, isError, latencyMs } } });
        } else {
          setResultTrailers(ctx, event.result);
          yield create(StreamCompleteResponseSchema, { event: { case: "completion", value: toCompletion(event.result) } });
        }
      }
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

/** Who answered, as metadata for proxies and clients that read no bodies. */
function setResultTrailers(ctx: HandlerContext, result: ChatResult): void {
  ctx.responseTrailer.set(PROVIDER_HEADER, result.provider);
}
