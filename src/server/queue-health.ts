import { create } from "@bufbuild/protobuf";
import { type DeploymentHealth, QueueHealthSchema } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import type { Queues } from "../queue/queues.js";

/**
 * Adds what waits on this replica to HealthService's answer: per deployment
 * its cap, calls in flight and waiting; overall the calls waiting for their
 * rate limit. Figures only, no caller's name, so every caller may see them.
 */
export function withQueues<T extends { deployments: DeploymentHealth[] }>(fields: T, queues: Queues | undefined): T {
  if (!queues) return fields;
  const s = queues.snapshot();
  const byDeployment = new Map(s.deployments.map((d) => [`${d.model}\u0000${d.deploymentId}`, d]));
  for (const d of fields.deployments) {
    const q = byDeployment.get(`${d.model}\u0000${d.provider}/${d.upstreamModel}`);
    if (!q) continue;
    d.maxConcurrent = q.maxConcurrent;
    d.inFlight = q.inFlight;
    d.queueDepth = q.depth;
    d.queueOldestWaitMs = BigInt(Math.round(q.oldestWaitMs));
  }
  return Object.assign(fields, {
    queue: create(QueueHealthSchema, {
      rateLimitDepth: s.rate.depth,
      rateLimitOldestWaitMs: BigInt(Math.round(s.rate.oldestWaitMs)),
      concurrencyDepth: s.deployments.reduce((n, d) => n + d.depth, 0),
    }),
  });
}
