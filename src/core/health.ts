import type { Clock } from "./clock.js";
import { isGatewayError, isProviderFault } from "./errors.js";

export type ServingStatus = "serving" | "degraded" | "not_serving";

/** The health of one dependency (a provider, Redis). */
export interface DependencyHealth {
  name: string;
  kind: "provider" | "redis";
  status: ServingStatus;
  detail: string;
  changedAtMs: number;
}

/** The gateway's health at one moment. */
export interface HealthSnapshot {
  status: ServingStatus;
  dependencies: readonly DependencyHealth[];
}

/** Tracks the health of the gateway's dependencies and tells subscribers when it changes. */
export interface HealthMonitor {
  snapshot(): HealthSnapshot;
  /** Calls the listener on every change; returns a function that unsubscribes. */
  subscribe(listener: (snapshot: HealthSnapshot) => void): () => void;
  /** Records a successful upstream call of a provider. */
  recordSuccess(provider: string): void;
  /** Records a failed upstream call; failures that are not the provider's fault are ignored. */
  recordFailure(provider: string, error: unknown): void;
  /** Sets a dependency's status directly (Redis, breakers). */
  set(name: string, kind: DependencyHealth["kind"], status: ServingStatus, detail: string): void;
  /** Stops tracking a dependency (a provider removed by a reload). */
  forget(name: string): void;
  /** Marks the gateway as going away: NOT_SERVING from now on. */
  setShuttingDown(): void;
  /** True once the gateway is shutting down; watchers end after telling their clients. */
  draining(): boolean;
}

/** Options of the health monitor. */
export interface HealthMonitorOptions {
  clock: Clock;
  providers: readonly string[];
  /** Consecutive failures after which a provider is NOT_SERVING rather than DEGRADED. */
  failuresUntilDown?: number;
}

/**
 * Passive health from call outcomes: a provider is SERVING after a success,
 * DEGRADED after a failure, NOT_SERVING after several in a row. The gateway is
 * SERVING when every dependency is, NOT_SERVING when shutting down or when no
 * provider is serving, DEGRADED otherwise.
 */
export function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  const failuresUntilDown = options.failuresUntilDown ?? 5;
  const deps = new Map<string, DependencyHealth>();
  const failures = new Map<string, number>();
  const listeners = new Set<(s: HealthSnapshot) => void>();
  let shuttingDown = false;
  let current: HealthSnapshot;

  for (const name of options.providers) {
    deps.set(name, { name, kind: "provider", status: "serving", detail: "no calls yet", changedAtMs: options.clock.now() });
  }
  current = compute();

  function compute(): HealthSnapshot {
    const dependencies = [...deps.values()].map((d) => ({ ...d }));
    const providers = dependencies.filter((d) => d.kind === "provider");
    let status: ServingStatus = "serving";
    if (shuttingDown || (providers.length > 0 && providers.every((p) => p.status === "not_serving"))) status = "not_serving";
    else if (dependencies.some((d) => d.status !== "serving")) status = "degraded";
    return { status, dependencies };
  }

  function update(name: string, kind: DependencyHealth["kind"], status: ServingStatus, detail: string): void {
    const prev = deps.get(name);
    // Only status changes count as changes: a new error text on an already failing provider would flood watchers.
    if (prev && prev.status === status) {
      prev.detail = detail;
      current = compute();
      return;
    }
    deps.set(name, { name, kind, status, detail, changedAtMs: options.clock.now() });
    publish();
  }

  function publish(): void {
    current = compute();
    for (const l of listeners) l(current);
  }

  return {
    snapshot: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    recordSuccess(provider) {
      failures.set(provider, 0);
      const dep = deps.get(provider);
      if (dep && (dep.status !== "serving" || dep.detail !== "ok")) update(provider, "provider", "serving", "ok");
    },
    recordFailure(provider, error) {
      if (!isGatewayError(error) || !isProviderFault(error.reason)) return;
      const count = (failures.get(provider) ?? 0) + 1;
      failures.set(provider, count);
      const status = count >= failuresUntilDown ? "not_serving" : "degraded";
      update(provider, "provider", status, `${count} failure(s) in a row; last: ${error.message}`);
    },
    set: update,
    forget(name) {
      failures.delete(name);
      if (deps.delete(name)) publish();
    },
    setShuttingDown() {
      if (shuttingDown) return;
      shuttingDown = true;
      publish();
    },
    draining: () => shuttingDown,
  };
}
