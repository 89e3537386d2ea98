import { isDeepStrictEqual } from "node:util";
import type { GatewayConfig } from "../config/schema.js";
import type { Catalog } from "../core/catalog.js";

/**
 * Settings a running gateway cannot take without a restart: what the
 * listeners are bound with, the Redis connection, which store each part
 * keeps its data in and the memory stores' bounds, the breakers' settings,
 * the telemetry exporter and the log level. Besides these, any setting
 * named `store` or `url`, in any section, is taken to choose where data
 * lives and needs a restart too.
 */
export const RESTART_ONLY: readonly string[] = [
  "server",
  "redis",
  "telemetry",
  "log.level",
  "resilience.breaker",
  "limits.onStoreError",
  "cache.enabled",
  "cache.maxEntries",
  "cache.maxBytes",
  "cache.coalesce",
  "cache.semantic",
  "sessions.maxSessions",
  "sessions.maxStoredChars",
  // The alerts' webhook is built once with the long-lived parts (its deliveries may be under way).
  "budgets.alerts",
  // Runtime keys' store and lookup cache outlive reloads.
  "keys",
  // So do the request log's store, writer and bounds.
  "requestLog",
  // And durable calls: their journals, leases and settings (src/durable/).
  "durable",
];

const STORE_NAMES = new Set(["store", "url"]);

/** The restart-only settings that differ between two configurations, by dotted path. */
export function restartOnlyChanges(old: GatewayConfig, next: GatewayConfig): string[] {
  const out: string[] = [];
  for (const path of RESTART_ONLY) {
    if (!isDeepStrictEqual(at(old, path), at(next, path))) out.push(path);
  }
  walk(old, next, "", (path) => {
    if (!RESTART_ONLY.some((r) => path === r || path.startsWith(`${r}.`))) out.push(path);
  });
  return out;
}

/** Every `store` or `url` setting (outside arrays) whose value differs, present on either side. */
function walk(a: unknown, b: unknown, prefix: string, found: (path: string) => void): void {
  const objA = isObject(a) ? a : {};
  const objB = isObject(b) ? b : {};
  for (const key of new Set([...Object.keys(objA), ...Object.keys(objB)])) {
    const path = prefix ? `${prefix}.${key}` : key;
    const va = objA[key];
    const vb = objB[key];
    if (STORE_NAMES.has(key) && !isObject(va) && !isObject(vb) && !isDeepStrictEqual(va, vb)) found(path);
    else if (isObject(va) || isObject(vb)) walk(va, vb, path, found);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function at(config: unknown, path: string): unknown {
  let v = config;
  for (const k of path.split(".")) v = isObject(v) ? v[k] : undefined;
  return v;
}

/** What a reload changed, by name: each list sorted. */
export interface ConfigChanges {
  models: Changes;
  providers: Changes;
  deployments: Changes;
  tenants: Changes;
  /** Top-level sections that differ in any way (for the log line). */
  sections: string[];
}

export interface Changes {
  added: string[];
  removed: string[];
  changed: string[];
}

/** Compares two configurations and their catalogues. */
export function diffConfigs(old: GatewayConfig, next: GatewayConfig, oldCatalog: Catalog, nextCatalog: Catalog): ConfigChanges {
  const deploymentsOf = (c: Catalog) => new Map(c.models.flatMap((m) => m.deployments.map((d) => [`${m.name}@${d.id}`, d] as const)));
  return {
    models: compare(byName(old.models), byName(next.models)),
    providers: compare(byName(old.providers), byName(next.providers)),
    deployments: compare(deploymentsOf(oldCatalog), deploymentsOf(nextCatalog)),
    tenants: compare(byName(old.auth.tenants), byName(next.auth.tenants)),
    sections: [...new Set([...Object.keys(old), ...Object.keys(next)])]
      .filter((k) => !isDeepStrictEqual((old as Record<string, unknown>)[k], (next as Record<string, unknown>)[k]))
      .sort(),
  };
}

const byName = <T extends { name: string }>(items: readonly T[]) => new Map(items.map((i) => [i.name, i]));

function compare(old: ReadonlyMap<string, unknown>, next: ReadonlyMap<string, unknown>): Changes {
  const added = [...next.keys()].filter((k) => !old.has(k));
  const removed = [...old.keys()].filter((k) => !next.has(k));
  const changed = [...next.keys()].filter((k) => old.has(k) && !isDeepStrictEqual(old.get(k), next.get(k)));
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

/**
 * Deployments whose breaker and statistics must start fresh: those no
 * model uses any more, and those whose provider's settings changed (a new
 * base URL or key is a different upstream). A deployment is known by its id,
 * provider/upstream model, as breakers and statistics are.
 */
export function staleDeployments(old: GatewayConfig, next: GatewayConfig, oldCatalog: Catalog, nextCatalog: Catalog): string[] {
  const nextProviders = byName(next.providers);
  const changedProviders = new Set(old.providers.filter((p) => !isDeepStrictEqual(p, nextProviders.get(p.name))).map((p) => p.name));
  const kept = new Set(nextCatalog.models.flatMap((m) => m.deployments.map((d) => d.id)));
  const stale = new Set<string>();
  for (const m of oldCatalog.models) {
    for (const d of m.deployments) if (!kept.has(d.id) || changedProviders.has(d.provider)) stale.add(d.id);
  }
  return [...stale].sort();
}
