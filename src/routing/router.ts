import type { Deployment, ModelEntry } from "../core/catalog.js";
import { GatewayError } from "../core/errors.js";
import { estimatePromptTokens } from "../core/tokens.js";
import type { ChatRequest, RoutingHints, RoutingStrategy } from "../core/types.js";
import type { DeploymentStatsTracker } from "./stats.js";
import { strategies } from "./strategies.js";

/** Chooses the order in which a request's deployments are tried. */
export interface Router {
  route(model: ModelEntry, request: ChatRequest, streaming: boolean): Deployment[];
  /**
   * The same for a call that is not a chat request (embeddings): its hints, and the tokens the
   * strategies weigh (asked only when there is a choice to make).
   */
  order(
    model: ModelEntry,
    routing: RoutingHints,
    tokens: () => { inputTokens: number; maxTokens: number },
    streaming: boolean,
  ): Deployment[];
}

/** Options of the router. */
export interface RouterOptions {
  defaultStrategy: RoutingStrategy;
  stats: DeploymentStatsTracker;
  random?: () => number;
}

/**
 * Applies the request's hints around the chosen strategy: excluded providers
 * are never tried, preferred ones go first in the order given, and the
 * strategy orders the rest. Capabilities are the model's, checked before
 * routing, so every deployment here can serve the request.
 */
export function createRouter(options: RouterOptions): Router {
  const turns = new Map<string, number>();
  const random = options.random ?? Math.random;
  const ctxBase = {
    stats: (id: string) => options.stats.get(id),
    random,
    nextTurn: (key: string) => {
      const n = turns.get(key) ?? 0;
      turns.set(key, n + 1);
      return n;
    },
  };
  const router: Router = {
    route(model, request, streaming) {
      return router.order(
        model,
        request.routing,
        () => ({ inputTokens: estimatePromptTokens(request.messages), maxTokens: request.maxTokens ?? model.maxOutputTokens }),
        streaming,
      );
    },
    order(model, routing, tokens, streaming) {
      const { excludedProviders, preferredProviders } = routing;
      const candidates =
        excludedProviders.length === 0 ? model.deployments : model.deployments.filter((d) => !excludedProviders.includes(d.provider));
      if (candidates.length === 0) {
        throw new GatewayError(
          "UPSTREAM_UNAVAILABLE",
          `every provider of model "${model.name}" is excluded by the request's routing hints`,
          {
            metadata: { model: model.name, excluded: excludedProviders.join(",") },
          },
        );
      }
      if (candidates.length === 1) return [...candidates];
      const strategy = strategies[routing.strategy ?? options.defaultStrategy];
      const ordered = strategy(candidates, { ...ctxBase, model: model.name, streaming, ...tokens() });
      if (preferredProviders.length === 0) return ordered;
      const rank = (d: Deployment) => {
        const i = preferredProviders.indexOf(d.provider);
        return i < 0 ? preferredProviders.length : i;
      };
      return ordered
        .map((d, i) => ({ d, i }))
        .sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i)
        .map((x) => x.d);
    },
  };
  return router;
}
