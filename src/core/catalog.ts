import type { GatewayConfig } from "../config/schema.js";
import type { EmbeddingTask } from "../config/parts.js";
import { echo, GatewayError } from "./errors.js";
import { tokenizerFor, type TokenizerName } from "./tokens.js";
import type { Usage } from "./types.js";

/** What a model can do; routing and validation check requests against it. */
export interface ModelCapabilities {
  streaming: boolean;
  tools: boolean;
  vision: boolean;
  jsonMode: boolean;
  documents: boolean;
  audio: boolean;
  reasoning: boolean;
}

/** A deployment's or a model's prices, in USD per million tokens. */
export interface Prices {
  inputPricePerMillion: number;
  outputPricePerMillion: number;
  /** Input tokens read from the provider's prompt cache. */
  cachedInputPricePerMillion: number;
  /** Input tokens written to the provider's prompt cache (5-minute writes at Anthropic). */
  cacheWritePricePerMillion: number;
  /** Input tokens written to the provider's prompt cache for an hour (Anthropic). */
  cacheWrite1hPricePerMillion: number;
}

/** One provider serving one model, with its own upstream name, prices and routing weights. */
export interface Deployment extends Prices {
  /** "provider/upstreamModel": unique within a model, the key of its routing statistics. */
  id: string;
  provider: string;
  providerKind: string;
  upstreamModel: string;
  weight: number;
  /** The most calls to it in flight at once on one replica; absent, no cap. */
  maxConcurrent?: number;
  priority: number;
}

/** One model of the catalogue, resolved from configuration at start-up. */
export interface ModelEntry extends Prices {
  /** Every deployment, in fallback order (priority, then config order). The first is the primary. */
  deployments: readonly Deployment[];
  name: string;
  aliases: readonly string[];
  provider: string;
  providerKind: string;
  upstreamModel: string;
  contextWindow: number;
  maxOutputTokens: number;
  capabilities: ModelCapabilities;
  tokenizer: TokenizerName;
  /** Hedging: the next deployment starts too when the first has sent no token by then. */
  hedgeAfterMs: number | undefined;
  /** A stream cut after its first text is continued on another attempt (absent means yes). */
  continueStreams?: boolean;
  /** What it answers: completions on every chat face (absent means chat), or embeddings. */
  type?: ModelType;
  /** An embedding model's vector size, when configured. */
  embeddingDimensions?: number;
  /** An embedding model's task (what its vectors are for), sent to the providers whose models take one. */
  embeddingTask?: EmbeddingTask;
}

export type ModelType = "chat" | "embedding";

/** The model catalogue: names and aliases resolved to models, and prices. */
export interface Catalog {
  readonly models: readonly ModelEntry[];
  readonly defaultModel: string | undefined;
  /** Resolves a name or alias; empty means the default. Throws MODEL_NOT_FOUND. */
  resolve(name: string): ModelEntry;
}

/** Builds the catalogue once from validated configuration. */
export function createCatalog(config: Pick<GatewayConfig, "models" | "providers" | "defaultModel">): Catalog {
  const kinds = new Map(config.providers.map((p) => [p.name, p.kind]));
  const models: ModelEntry[] = config.models.map((m) => {
    const defaultUpstream = m.upstreamModel ?? m.name;
    const configured = m.deployments ?? [{ provider: m.provider ?? "", weight: 1, priority: 0 }];
    const deployments: Deployment[] = configured
      .map((d, index) => {
        const upstreamModel = d.upstreamModel ?? defaultUpstream;
        const pricing = d.pricing ?? m.pricing;
        return {
          index,
          id: `${d.provider}/${upstreamModel}`,
          provider: d.provider,
          providerKind: kinds.get(d.provider) ?? "unknown",
          upstreamModel,
          weight: d.weight,
          priority: d.priority,
          ...("maxConcurrent" in d && d.maxConcurrent !== undefined ? { maxConcurrent: d.maxConcurrent } : {}),
          ...pricesOf(pricing, kinds.get(d.provider)),
        };
      })
      .sort((a, b) => a.priority - b.priority || a.index - b.index)
      .map(({ index: _index, ...d }) => d);
    const primary = deployments[0]!;
    return {
      name: m.name,
      aliases: m.aliases,
      deployments,
      provider: primary.provider,
      providerKind: primary.providerKind,
      upstreamModel: primary.upstreamModel,
      contextWindow: m.contextWindow,
      maxOutputTokens: m.maxOutputTokens,
      inputPricePerMillion: primary.inputPricePerMillion,
      outputPricePerMillion: primary.outputPricePerMillion,
      cachedInputPricePerMillion: primary.cachedInputPricePerMillion,
      cacheWritePricePerMillion: primary.cacheWritePricePerMillion,
      cacheWrite1hPricePerMillion: primary.cacheWrite1hPricePerMillion,
      capabilities: { ...m.capabilities },
      tokenizer: m.tokenizer ?? tokenizerFor(defaultUpstream),
      hedgeAfterMs: m.hedgeAfterMs,
      continueStreams: m.continueStreams,
      type: m.type,
      ...(m.dimensions === undefined ? {} : { embeddingDimensions: m.dimensions }),
      ...(m.task === undefined ? {} : { embeddingTask: m.task }),
    };
  });
  const byName = new Map<string, ModelEntry>();
  for (const m of models) {
    for (const n of [m.name, ...m.aliases]) byName.set(n, m);
  }
  const defaultModel = config.defaultModel ?? (models.length === 1 ? models[0]?.name : undefined);
  return {
    models,
    defaultModel,
    resolve(name) {
      const wanted = name || defaultModel;
      if (!wanted) {
        throw new GatewayError("INVALID_REQUEST", "model: required, because no default model is configured", {
          metadata: { field: "model" },
        });
      }
      const entry = byName.get(wanted);
      if (!entry) {
        throw new GatewayError("MODEL_NOT_FOUND", `model ${echo(wanted)} is not in the catalogue; ListModels lists the models served`, {
          metadata: { model: wanted },
        });
      }
      return entry;
    },
  };
}

type Pricing = GatewayConfig["models"][number]["pricing"];

/** The configured prices, with the prompt-cache rates each provider kind charges where none are set. */
function pricesOf(pricing: Pricing, kind: string | undefined): Prices {
  const input = pricing.inputPerMillion;
  // Divisors rather than shares: 3 / 10 is 0.3 exactly as a double, 3 * 0.1 is not.
  // Claude on Vertex AI and Bedrock is priced like Anthropic's own API, cache rates included; Gemini 2.5's
  // implicit and explicit cache reads cost a tenth of input, as Anthropic's do, and so do Mistral's.
  const claude = kind === "anthropic" || kind === "anthropic-vertex" || kind === "anthropic-bedrock";
  const cachedDivisor =
    claude || kind === "gemini" || kind === "vertex" || kind === "mistral" ? 10 : kind === "openai" || kind === "azure-openai" ? 2 : 1;
  const writeShare = claude ? 1.25 : 1;
  const hourShare = claude ? 2 : 1;
  return {
    inputPricePerMillion: input,
    outputPricePerMillion: pricing.outputPerMillion,
    cachedInputPricePerMillion: pricing.cachedInputPerMillion ?? input / cachedDivisor,
    cacheWritePricePerMillion: pricing.cacheWritePerMillion ?? input * writeShare,
    cacheWrite1hPricePerMillion: pricing.cacheWrite1hPerMillion ?? input * hourShare,
  };
}

/**
 * The cost in USD of a call's usage at a deployment's (or a model's primary) prices: input tokens
 * read from or written to the provider's prompt cache at their own rates, the rest of the input at
 * the input rate; output (reasoning included) at the output rate.
 */
export function costOf(
  prices: Pick<Prices, "inputPricePerMillion" | "outputPricePerMillion"> & Partial<Prices>,
  usage: Pick<Usage, "inputTokens" | "outputTokens" | "cachedInputTokens" | "cacheWriteTokens" | "cacheWrite1hTokens">,
): number {
  const cached = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  const hour = Math.min(written, usage.cacheWrite1hTokens ?? 0);
  const plain = Math.max(0, usage.inputTokens - cached - written);
  return (
    (plain * prices.inputPricePerMillion +
      cached * (prices.cachedInputPricePerMillion ?? prices.inputPricePerMillion) +
      (written - hour) * (prices.cacheWritePricePerMillion ?? prices.inputPricePerMillion) +
      hour * (prices.cacheWrite1hPricePerMillion ?? prices.cacheWritePricePerMillion ?? prices.inputPricePerMillion) +
      usage.outputTokens * prices.outputPricePerMillion) /
    1_000_000
  );
}
