import { randomUUID } from "node:crypto";
import type { CallContext, Tenant } from "../../core/call.js";
import type { Clock } from "../../core/clock.js";
import type { EmbedRequest, EmbedResult } from "../../core/embeddings.js";
import { normalise, type Embedder } from "./embedder.js";

/** The gateway's own embedding pipeline (Gateway.embed), handed to the cache once the gateway is built. */
export type GatewayEmbed = (request: EmbedRequest, call: CallContext) => Promise<EmbedResult>;

/**
 * Who the semantic cache's own embedding calls are for: a tenant of the gateway itself, so that
 * they are counted apart in usage reports (GetUsage lists it by this name, which no configured
 * tenant can have), under no rate limit and no budget (the calls are the gateway's, made to save
 * its tenants' money, one short query each).
 */
export const SEMANTIC_CACHE_TENANT: Tenant = {
  name: "(semantic-cache)",
  admin: false,
  allowedModels: undefined,
  limits: {},
  budget: undefined,
};

/** How much longer than its provider's timeout a lookup waits for its vector. */
const PROVIDER_FIRST_MS = 1_000;

/**
 * Embeddings from one of the gateway's own embedding models, through its embedding pipeline:
 * routed, retried, cached exactly, metered and counted like any caller's (under the tenant above).
 * `embed` is bound late: the cache is built before the gateway it will call.
 */
export function createGatewayEmbedder(options: {
  model: string;
  embed: () => GatewayEmbed;
  clock: Clock;
  /** The slowest provider timeout of the model: a lookup waits a moment longer for its vector, then counts as a miss. */
  timeoutMs: number;
  dims?: number | undefined;
}): Embedder {
  const { clock } = options;
  let dims = options.dims ?? 0;
  return {
    name: `gateway:${options.model}`,
    nothingToWarm: true,
    get dims() {
      return dims;
    },
    async embed(texts) {
      if (texts.length === 0) return [];
      const controller = new AbortController();
      const receivedAt = clock.monotonic();
      // A moment past the provider's own timeout: that one fires first and blames a provider that hangs
      // (its breaker opens, and later lookups fail fast). Stopped at the same instant, the wait would end
      // as this caller's deadline, nobody's fault, and every lookup would wait the whole timeout again.
      const waitMs = options.timeoutMs + PROVIDER_FIRST_MS;
      const cancel = clock.after(waitMs, () => controller.abort());
      const call: CallContext = {
        signal: controller.signal,
        deadlineAt: receivedAt + waitMs,
        requestId: `semantic-cache-${randomUUID()}`,
        receivedAt,
        tenant: SEMANTIC_CACHE_TENANT,
      };
      const request: EmbedRequest = {
        model: options.model,
        inputs: texts,
        user: "",
        metadata: {},
        routing: { preferredProviders: [], excludedProviders: [] },
      };
      try {
        const result = await options.embed()(request, call);
        // The index compares by dot product: unit vectors, whatever the model gives.
        const out = result.vectors.map((v) => normalise(Float32Array.from(v)));
        dims = out[0]?.length ?? dims;
        return out;
      } finally {
        cancel();
      }
    },
  };
}
