import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { ModelEntry } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import type { EmbedRequest as CoreEmbedRequest, EmbedResult } from "../core/embeddings.js";
import { GatewayError, invalidRequest, isGatewayError } from "../core/errors.js";
import type { Gateway } from "../pipeline/pipeline.js";
import {
  type Embedding,
  type EmbedRequest,
  type EmbedResponse,
  EmbedResponseSchema,
  type EmbeddingService,
} from "../../gen/ts/llmgateway/v1/embedding_service_pb.js";
import { callContextOf } from "./call-context.js";
import { CACHE_HEADER, PROVIDER_HEADER } from "./completion-service.js";
import { cacheStatuses, toCacheOptions, toRoutingHints } from "./convert.js";

/**
 * The EmbeddingService: converts, calls the core, converts back. `maxMessageBytes` is the most one
 * response message may carry (server.maxMessageBytes): a call whose vectors could not be sent back
 * is refused before any provider is paid for them.
 */
export function createEmbeddingService(
  gateway: Gateway,
  clock: Clock,
  maxMessageBytes = Number.POSITIVE_INFINITY,
): ServiceImpl<typeof EmbeddingService> {
  return {
    async embed(req, ctx) {
      const request = toEmbedRequest(req);
      const call = callContextOf(ctx, clock);
      const model = knownModel(gateway, request.model, call.tenant?.allowedModels);
      const dims = request.dimensions ?? model?.embeddingDimensions;
      if (dims !== undefined) assertFits(request.inputs.length, dims, maxMessageBytes);
      const result = await gateway.embed(request, call).catch((err: unknown) => {
        throw inputsNamed(err);
      });
      if (dims === undefined) assertFits(result.vectors.length, result.vectors[0]?.length ?? 0, maxMessageBytes);
      ctx.responseHeader.set(CACHE_HEADER, result.cacheStatus);
      ctx.responseTrailer.set(PROVIDER_HEADER, result.provider);
      return toEmbedResponse(result);
    },
  };
}

/** The catalogue model a call names, if it exists and the caller may use it (else the pipeline refuses it, in its words). */
function knownModel(gateway: Gateway, name: string, allowed: ReadonlySet<string> | undefined): ModelEntry | undefined {
  try {
    const model = gateway.catalog.resolve(name);
    return !allowed || allowed.has(model.name) ? model : undefined;
  } catch {
    return undefined;
  }
}

/** Refuses vectors too many to go back in one message: about four bytes a value, a few more per vector. */
function assertFits(vectors: number, dims: number, maxBytes: number): void {
  const bytes = vectors * (dims * 4 + 16) + 1024;
  if (bytes <= maxBytes) return;
  const most = Math.max(1, Math.floor((maxBytes - 1024) / (dims * 4 + 16)));
  throw invalidRequest(
    "inputs",
    `${vectors} vectors of ${dims} values take about ${(bytes / 1048576).toFixed(1)} MiB, more than one response message may carry (${(maxBytes / 1048576).toFixed(1)} MiB, server.maxMessageBytes); send at most ${most} inputs per call, or use POST /v1/embeddings`,
  );
}

/**
 * The core names the inputs as OpenAI does (`input`); this face's callers sent `inputs`: the field
 * and the message that starts with it say so.
 */
function inputsNamed(err: unknown): unknown {
  const field = isGatewayError(err) ? err.metadata["field"] : undefined;
  if (!isGatewayError(err) || !field || !/^input(\[|$)/.test(field)) return err;
  const renamed = `inputs${field.slice("input".length)}`;
  const message = err.message.startsWith(field) ? renamed + err.message.slice(field.length) : err.message;
  return new GatewayError(err.reason, message, {
    metadata: { ...err.metadata, field: renamed },
    cause: err,
    ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
  });
}

/** An Embed request in the core's terms; an input that is neither a text nor token ids is refused by its index. */
export function toEmbedRequest(req: EmbedRequest): CoreEmbedRequest {
  const out: CoreEmbedRequest = {
    model: req.model,
    inputs: req.inputs.map((input, i) => {
      if (input.input.case === "text") return input.input.value;
      if (input.input.case === "tokens") return input.input.value.ids;
      throw invalidRequest(`inputs[${i}]`, "set text or tokens");
    }),
    user: req.user,
    metadata: req.metadata,
    routing: toRoutingHints(req.routing),
  };
  if (req.dimensions !== undefined) out.dimensions = req.dimensions;
  if (req.cache) out.cache = toCacheOptions(req.cache);
  return out;
}

/** The core's result as an EmbedResponse. */
export function toEmbedResponse(result: EmbedResult): EmbedResponse {
  const response = create(EmbedResponseSchema, {
    id: result.id,
    model: result.model,
    usage: {
      inputTokens: BigInt(result.usage.inputTokens),
      totalTokens: BigInt(result.usage.inputTokens),
      estimated: result.usage.estimated,
    },
    costUsd: result.costUsd,
    provider: result.provider,
    cacheStatus: cacheStatuses[result.cacheStatus],
    attempts: result.attempts.map((a) => ({
      provider: a.provider,
      model: a.model,
      errorReason: a.errorReason ?? "",
      errorMessage: a.errorMessage ?? "",
      latencyMs: a.latencyMs,
    })),
    latencyMs: result.latencyMs,
  });
  // Built as the messages they are rather than through create(), which would copy every value of
  // every vector once more (a profile of a 64-input call showed it as the face's largest cost).
  response.embeddings = result.vectors.map(
    (values, index): Embedding => ({ $typeName: "llmgateway.v1.Embedding", index, values: Array.from(values) }),
  );
  return response;
}
