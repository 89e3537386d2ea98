import { Gauge, Histogram, type Registry } from "prom-client";
import type { QueueSnapshot } from "./queues.js";
import type { QueueObserver } from "./wait-line.js";

const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The queue's figures in the gateway's registry: llmgw_queue_depth (read
 * when Prometheus scrapes, per line kind and deployment) and
 * llmgw_queue_wait_seconds (each wait as it ends, by kind and outcome).
 */
export function createQueueMetrics(registry: Registry): QueueObserver & { track(snapshot: () => QueueSnapshot): void } {
  const registers = [registry];
  let snapshot: (() => QueueSnapshot) | undefined;
  new Gauge({
    name: "llmgw_queue_depth",
    help: "Calls waiting on this replica: for their rate limit (queue=rate), or for a slot of a deployment's concurrency cap (queue=deployment).",
    labelNames: ["queue", "model", "deployment"],
    registers,
    collect() {
      this.reset();
      if (!snapshot) return;
      const s = snapshot();
      this.set({ queue: "rate", model: "", deployment: "" }, s.rate.depth);
      for (const d of s.deployments) this.set({ queue: "deployment", model: d.model, deployment: d.deploymentId }, d.depth);
    },
  });
  const waited = new Histogram({
    name: "llmgw_queue_wait_seconds",
    help: "How long calls waited, by queue (rate, deployment) and how the wait ended (admitted, refused, cancelled).",
    labelNames: ["queue", "outcome"],
    buckets: WAIT_BUCKETS,
    registers,
  });
  return {
    waited: (kind, seconds, outcome) => waited.observe({ queue: kind, outcome }, seconds),
    track(s) {
      snapshot = s;
    },
  };
}
