import { Counter, type Registry } from "prom-client";
import { ConfigError } from "../config/load.js";
import type { GatewayConfig } from "../config/schema.js";
import type { Logger } from "../log.js";
import { diffConfigs, restartOnlyChanges, staleDeployments, type ConfigChanges } from "./diff.js";
import { buildGeneration, type SharedParts } from "./generation.js";
import type { Generations } from "./live.js";
import { warmProviderSdks } from "./warm.js";

/** How a reload ended: the new configuration serving, or the reason it was refused (the old one serving). */
export type ReloadOutcome = { ok: true; changes: ConfigChanges; freshDeployments: string[] } | { ok: false; error: string };

/** Re-reads and swaps the configuration. */
export interface Reloader {
  /** One reload at a time: a second call waits for the first and then reads the file again. */
  reload(): Promise<ReloadOutcome>;
}

export interface ReloaderOptions {
  generations: Generations;
  shared: SharedParts;
  /** Reads and validates the configuration as start-up does (file, environment); throws ConfigError. */
  load: () => GatewayConfig;
  logger: Logger;
  /** Where llmgw_config_reloads_total is registered. */
  registry?: Registry | undefined;
}

/**
 * A reload validates the whole new configuration by building its
 * generation (providers, catalogue, keys, tools: what start-up builds),
 * waits for new provider SDKs to load, then swaps. Deployments whose
 * definition changed lose their breaker and statistics; the others keep
 * theirs. The old generation's calls finish on it.
 */
export function createReloader(options: ReloaderOptions): Reloader {
  const { generations, shared, logger } = options;
  const counter = new Counter({
    name: "llmgw_config_reloads_total",
    help: "Configuration reloads by result (ok, refused).",
    labelNames: ["result"],
    registers: options.registry ? [options.registry] : [],
  });
  let last: Promise<unknown> = Promise.resolve();

  async function attempt(): Promise<ReloadOutcome> {
    const old = generations.current();
    let next: ReturnType<typeof buildGeneration>;
    try {
      const config = options.load();
      const restart = restartOnlyChanges(old.config, config);
      if (restart.length > 0) {
        throw new ConfigError(`${restart.join(", ")} changed: these settings need a restart, not a reload`);
      }
      next = buildGeneration(config, shared, old);
    } catch (err) {
      // Whatever start-up would have failed on (a ConfigError, or a provider client that cannot be built) refuses.
      const error = err instanceof Error ? err.message : String(err);
      counter.inc({ result: "refused" });
      logger.error("configuration reload refused; the running configuration stays", { error });
      return { ok: false, error };
    }
    const loaded = new Set(old.config.providers.map((p) => p.kind));
    await warmProviderSdks(next.config.providers.map((p) => p.kind).filter((k) => !loaded.has(k)));
    // Stale breakers and figures are dropped first, so that no call on the new generation reads them.
    const stale = staleDeployments(old.config, next.config, old.gateway.catalog, next.gateway.catalog);
    for (const id of stale) {
      shared.breakers.forget(id);
      shared.stats.forget(id);
    }
    const nextProviders = new Set(next.providers.keys());
    for (const name of old.providers.keys()) if (!nextProviders.has(name)) shared.health.forget(name);
    for (const name of nextProviders) {
      if (!old.providers.has(name)) shared.health.set(name, "provider", "serving", "no calls yet");
    }
    generations.swap(next);
    if (next.auth.open && !old.auth.open) {
      logger.warn("NO API KEYS CONFIGURED after this reload: the gateway is OPEN. Every caller is the anonymous tenant, with admin rights");
    }
    const changes = diffConfigs(old.config, next.config, old.gateway.catalog, next.gateway.catalog);
    counter.inc({ result: "ok" });
    logger.info("configuration reloaded", {
      sections: changes.sections,
      models: summary(changes.models),
      providers: summary(changes.providers),
      deployments: summary(changes.deployments),
      tenants: summary(changes.tenants),
      freshBreakers: stale,
    });
    // The old provider clients hold only pooled connections, which close when idle: the old generation
    // is dropped once its calls end, and collected.
    void generations.drained(old).then(() => logger.debug("previous configuration drained"));
    return { ok: true, changes, freshDeployments: stale };
  }

  return {
    reload() {
      const run = last.then(attempt, attempt);
      last = run.catch(() => undefined);
      return run;
    },
  };
}

const summary = (c: { added: string[]; removed: string[]; changed: string[] }) =>
  `+${c.added.join(",") || "-"} -${c.removed.join(",") || "-"} ~${c.changed.join(",") || "-"}`;
