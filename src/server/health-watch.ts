import type { HealthMonitor, HealthSnapshot } from "../core/health.js";

/**
 * Yields the current health at once, then each later snapshot, until the
 * signal aborts or the gateway shuts down. A slow reader gets the latest
 * snapshot, not a backlog.
 */
export async function* watchHealth(health: HealthMonitor, signal: AbortSignal): AsyncIterable<HealthSnapshot> {
  let pending: HealthSnapshot | undefined = health.snapshot();
  let wake: (() => void) | undefined;
  const unsubscribe = health.subscribe((s) => {
    pending = s;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    while (!signal.aborted) {
      if (pending) {
        const next: HealthSnapshot = pending;
        pending = undefined;
        yield next;
        // A gateway going away has said so; ending the watch lets the shutdown finish.
        if (health.draining()) return;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
  }
}
