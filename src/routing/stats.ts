import type { Clock } from "../core/clock.js";

/** What routing knows of one deployment's recent behaviour. */
export interface DeploymentStats {
  /** Moving average of whole-call latency, ms; undefined before the first success. */
  latencyMs: number | undefined;
  /** Moving average of time to first token of streams, ms. */
  ttftMs: number | undefined;
  /** Moving average of failure (1) and success (0): the recent error rate. */
  errorRate: number;
  calls: number;
  failures: number;
  lastError: string | undefined;
  lastErrorAtMs: number | undefined;
}

/** Per-deployment statistics that the latency and weighted strategies read. */
export interface DeploymentStatsTracker {
  get(id: string): DeploymentStats | undefined;
  recordSuccess(id: string, latencyMs: number, ttftMs?: number): void;
  recordFailure(id: string, error: string): void;
  all(): ReadonlyMap<string, DeploymentStats>;
  /** Drops a deployment's figures (its definition changed on a reload). */
  forget(id: string): void;
}

/**
 * Exponentially weighted moving averages: each new sample counts for `alpha`
 * of the average, so a deployment's figures follow it within a few calls.
 */
export function createDeploymentStats(clock: Clock, alpha = 0.2): DeploymentStatsTracker {
  const stats = new Map<string, DeploymentStats>();
  const entry = (id: string) => {
    let s = stats.get(id);
    if (!s) {
      s = { latencyMs: undefined, ttftMs: undefined, errorRate: 0, calls: 0, failures: 0, lastError: undefined, lastErrorAtMs: undefined };
      stats.set(id, s);
    }
    return s;
  };
  const ewma = (prev: number | undefined, sample: number) => (prev === undefined ? sample : prev + alpha * (sample - prev));
  return {
    get: (id) => stats.get(id),
    all: () => stats,
    forget: (id) => void stats.delete(id),
    recordSuccess(id, latencyMs, ttftMs) {
      const s = entry(id);
      s.calls++;
      s.latencyMs = ewma(s.latencyMs, latencyMs);
      if (ttftMs !== undefined) s.ttftMs = ewma(s.ttftMs, ttftMs);
      s.errorRate = ewma(s.errorRate, 0);
    },
    recordFailure(id, error) {
      const s = entry(id);
      s.calls++;
      s.failures++;
      s.errorRate = s.calls === 1 ? 1 : ewma(s.errorRate, 1);
      s.lastError = error;
      s.lastErrorAtMs = clock.now();
    },
  };
}
