import type { GatewayConfig } from "../config/schema.js";
import { echo, GatewayError } from "./errors.js";
import { tokenizerFor, type TokenizerName } from "./tokens.js";
import type { Usage } from "./types.js";

/** What a model can do; routing and validation check requests against it. */
export interface ModelCapabilities {
  streaming: boolean;
  tools: boolean;
  vision: boolean;
  jsonMode: boolean;
}

/** One provider serving one model, with its own upstream name, prices and routing weights. */
export interface Deployment {
  /** "provider/upstreamModel": unique within a model, the key of its routing statistics. */
  id: string;
  provider: string;
  providerKind: string;
  upstreamModel: string;
  weight: number;
  priority: number;
  inputPricePerMillion: number;
  outputPricePerMillion: number;
}

/** One model of the catalogue, resolved from configuration at start-up. */
export interface ModelEntry {
  /** Every deployment, in fallback order (priority, then config order). The first is the primary. */
  deployments: readonly Deployment[];
  name: string;
  aliases: readonly string[];
  provider: string;
  providerKind: string;
  upstreamModel: string;
  contextWindow: number;
  maxOutputTokens: number;
  inputPricePerMillion: number;
  outputPricePerMillion: number;
  capabilities: ModelCapabilities;
  tokenizer: TokenizerName;
  /** Hedging: the next deployment starts too when the first has sent no token by then. */
  hedgeAfterMs: number | undefined;
}

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
          inputPricePerMillion: pricing.inputPerMillion,
          outputPricePerMillion: pricing.outputPerMillion,
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
      capabilities: { ...m.capabilities },
      tokenizer: m.tokenizer ?? tokenizerFor(defaultUpstream),
      hedgeAfterMs: m.hedgeAfterMs,
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

/** The cost in USD of a call's usage at a deployment's (or a model's primary) prices. */
export function costOf(
  model: Pick<Deployment, "inputPricePerMillion" | "outputPricePerMillion">,
  usage: Pick<Usage, "inputTokens" | "outputTokens">,
): number {
  return (usage.inputTokens * model.inputPricePerMillion + usage.outputTokens * model.outputPricePerMillion) / 1_000_000;
}
