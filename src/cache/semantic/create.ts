import type { RedisClient } from "../../redis-client.js";
import { providerApiKey } from "../../config/load.js";
import type { GatewayConfig } from "../../config/schema.js";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../log.js";
import { createUpstreamFetch } from "../../providers/http.js";
import type { Embedder } from "./embedder.js";
import { createGatewayEmbedder, type GatewayEmbed } from "./gateway.js";
import type { SemanticIndex } from "./index.js";
import { createLexicalEmbedder } from "./lexical.js";
import { createLocalEmbedder } from "./local.js";
import { createMinilmEmbedder } from "./minilm.js";
import { createSemanticIndex } from "./memory-index.js";
import { fromMirror, MINILM_Q, modelDir } from "./model-files.js";
import { createOpenAiEmbedder } from "./openai.js";
import { createRedisSemanticSync } from "./redis-sync.js";
import { createVerifier, type Verifier } from "./verify.js";
import {
  type AnswerComparator,
  createEmbeddingComparator,
  createExactComparator,
  createJudgeComparator,
  type GatewayComplete,
} from "./verify-compare.js";
import { createMemoryVerifyStore, createRedisVerifyStore } from "./verify-store.js";

/**
 * Each embedder's default threshold, chosen from the evaluation in
 * test/cache/semantic-eval.test.ts (figures in docs/caching.md). With the
 * structural guard no threshold from 0.3 up serves a wrong answer on the
 * development pairs; these keep nearly all the recall the guard allows (local
 * 0.523 of 0.540 at 0.3, lexical 0.493 of 0.526) while leaving out candidates
 * the embedder finds far apart, a second line against a normalisation the
 * guard gets wrong. The OpenAI and gateway embedders' are conservative
 * guesses: they cannot be measured offline.
 */
export const DEFAULT_THRESHOLDS = { local: 0.7, lexical: 0.5, openai: 0.9, gateway: 0.9, minilm: 0.6 } as const;

/** What the embedders are built with beside the configuration. */
export interface EmbedderDeps {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** The gateway's own embedding pipeline, for the gateway embedder: asked for at the first lookup, once it is built. */
  gatewayEmbed?: (() => GatewayEmbed) | undefined;
}

export function createEmbedder(config: GatewayConfig, deps: EmbedderDeps): Embedder {
  const s = config.cache.semantic;
  if (s.embedder === "lexical") return createLexicalEmbedder();
  if (s.embedder === "local") return createLocalEmbedder();
  if (s.embedder === "minilm")
    return createMinilmEmbedder({ clock: deps.clock, dir: modelDir(deps.env), spec: fromMirror(MINILM_Q, deps.env) });
  if (s.embedder === "gateway") {
    const { gatewayEmbed } = deps;
    if (!gatewayEmbed) throw new Error("cache.semantic.embedder is gateway, but no gateway was given to embed with");
    const model = config.models.find((m) => m.name === s.model || m.aliases.includes(s.model));
    // A lookup waits no longer for its vector than the slowest of the model's providers would take.
    const timeoutMs = slowestTimeout(config, s.model);
    return createGatewayEmbedder({ model: s.model, embed: gatewayEmbed, clock: deps.clock, timeoutMs, dims: model?.dimensions });
  }
  const p = config.providers.find((x) => x.name === s.provider);
  if (!p || (p.kind !== "openai" && p.kind !== "openai-compatible"))
    throw new Error(`cache.semantic.provider "${s.provider}" is not an OpenAI-format provider`);
  return createOpenAiEmbedder({
    baseURL: p.baseUrl,
    apiKey: providerApiKey(p, deps.env) ?? "unused",
    model: s.model,
    timeoutMs: p.timeoutMs,
    fetch: createUpstreamFetch(),
  });
}

/** The slowest provider timeout of a catalogue model's deployments, at least a second. */
function slowestTimeout(config: GatewayConfig, name: string): number {
  const model = config.models.find((m) => m.name === name || m.aliases.includes(name));
  const providers = new Set(model?.deployments?.map((d) => d.provider) ?? [model?.provider]);
  return Math.max(1_000, ...config.providers.filter((p) => providers.has(p.name)).map((p) => p.timeoutMs));
}

/** The semantic index the configuration asks for, shared through Redis when the cache is, and its verifier when verification is on. */
export function createSemanticCache(
  config: GatewayConfig,
  options: {
    clock: Clock;
    logger: Logger;
    env: NodeJS.ProcessEnv;
    redis?: RedisClient | undefined;
    gatewayEmbed?: (() => GatewayEmbed) | undefined;
    gatewayComplete?: (() => GatewayComplete) | undefined;
    /** Uniform in [0, 1), for the verifier's audits; injected so that tests are repeatable. */
    random?: (() => number) | undefined;
  },
): { index: SemanticIndex; verifier: Verifier | undefined } {
  const s = config.cache.semantic;
  const v = s.verify;
  const embedder = createEmbedder(config, { env: options.env, clock: options.clock, gatewayEmbed: options.gatewayEmbed });
  const sync = options.redis
    ? createRedisSemanticSync(options.redis, { embedder: embedder.name, maxLen: s.maxEntries, logger: options.logger })
    : undefined;
  const threshold = s.threshold ?? DEFAULT_THRESHOLDS[s.embedder];
  const verifier = v.enabled
    ? createVerifier({
        settings: v,
        store: options.redis ? createRedisVerifyStore(options.redis) : createMemoryVerifyStore(options.clock, v.maxEntries),
        comparator: comparatorFor(config, embedder, options),
        logger: options.logger,
        threshold,
        ...(options.random ? { random: options.random } : {}),
      })
    : undefined;
  const index = createSemanticIndex({
    embedder,
    // Verified, candidates are looked for further out: the bound, not the threshold, decides what is served.
    threshold: v.enabled ? (v.minSimilarity ?? threshold - 0.1) : threshold,
    maxEntries: s.maxEntries,
    clock: options.clock,
    sync,
    onGuarded: (query, cached, reason, similarity) =>
      options.logger.debug("semantic cache: near miss refused by the guard", {
        reason,
        similarity: Number(similarity.toFixed(3)),
        query,
        cached,
      }),
    onNoSynonyms: (error) => options.logger.warn("semantic cache: WordNet not read, the guard knows no synonyms", { error }),
  });
  return { index, verifier };
}

function comparatorFor(
  config: GatewayConfig,
  embedder: Embedder,
  options: { clock: Clock; gatewayComplete?: (() => GatewayComplete) | undefined },
): AnswerComparator {
  const v = config.cache.semantic.verify;
  if (v.comparator === "exact") return createExactComparator();
  if (v.comparator === "embedding") return createEmbeddingComparator(embedder, v.answerThreshold);
  const { gatewayComplete } = options;
  if (!gatewayComplete || !v.judgeModel)
    throw new Error("cache.semantic.verify.comparator is judge, but no judgeModel or gateway to call it");
  return createJudgeComparator({
    model: v.judgeModel,
    complete: gatewayComplete,
    clock: options.clock,
    timeoutMs: slowestTimeout(config, v.judgeModel) + 1_000,
  });
}
