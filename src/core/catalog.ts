import type { GatewayConfig } from "../config/schema.js";
import { GatewayError } from "./errors.js";
import { tokenizerFor, type TokenizerName } from "./tokens.js";
import type { Usage } from "./types.js";

/** What a model can do; routing and validation check requests against it. */
export interface ModelCapabilities {
  streaming: boolean;
  tools: boolean;
  vision: boolean;
  jsonMode: boolean;
}

/** One model of the catalogue, resolved from configuration at start-up. */
export interface ModelEntry {
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
    const upstreamModel = m.upstreamModel ?? m.name;
    return {
      name: m.name,
      aliases: m.aliases,
      provider: m.provider,
      providerKind: kinds.get(m.provider) ?? "unknown",
      upstreamModel,
      contextWindow: m.contextWindow,
      maxOutputTokens: m.maxOutputTokens,
      inputPricePerMillion: m.pricing.inputPerMillion,
      outputPricePerMillion: m.pricing.outputPerMillion,
      capabilities: { ...m.capabilities },
      tokenizer: m.tokenizer ?? tokenizerFor(upstreamModel),
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
        throw new GatewayError("MODEL_NOT_FOUND", `model "${wanted}" is not in the catalogue; ListModels lists the models served`, {
          metadata: { model: wanted },
        });
      }
      return entry;
    },
  };
}

/** The cost in USD of a call's usage at a model's prices. */
export function costOf(model: ModelEntry, usage: Pick<Usage, "inputTokens" | "outputTokens">): number {
  return (usage.inputTokens * model.inputPricePerMillion + usage.outputTokens * model.outputPricePerMillion) / 1_000_000;
}
