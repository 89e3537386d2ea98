import { create } from "@bufbuild/protobuf";
import type { ModelEntry } from "../core/catalog.js";
import type { DependencyHealth, HealthSnapshot, ServingStatus as CoreServingStatus } from "../core/health.js";
import {
  BreakerState,
  DependencyHealthSchema,
  DeploymentHealthSchema,
  ServingStatus,
  type DependencyHealth as DependencyHealthMessage,
  type DeploymentHealth as DeploymentHealthMessage,
} from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import type { BreakerState as CoreBreakerState, Breakers } from "../resilience/breakers.js";
import type { DeploymentStatsTracker } from "../routing/stats.js";

/* The gateway's health, its dependencies' and its deployments', as the health and admin services send it. */

const servingStatuses: Record<CoreServingStatus, ServingStatus> = {
  serving: ServingStatus.SERVING,
  degraded: ServingStatus.DEGRADED,
  not_serving: ServingStatus.NOT_SERVING,
};

const breakerStates: Record<CoreBreakerState, BreakerState> = {
  closed: BreakerState.CLOSED,
  open: BreakerState.OPEN,
  half_open: BreakerState.HALF_OPEN,
};

/** What a caller without an admin key is told of a dependency: its status in words, never an error text or an address. */
const PUBLIC_DETAIL: Record<CoreServingStatus, string> = { serving: "ok", degraded: "failing", not_serving: "down" };

/** The health snapshot, with routing's per-deployment figures, as protobuf fields (details only for admins). */
export function toHealthFields(
  s: HealthSnapshot,
  models: readonly ModelEntry[],
  stats: DeploymentStatsTracker,
  breakers: Breakers,
  details = true,
): { status: ServingStatus; dependencies: DependencyHealthMessage[]; deployments: DeploymentHealthMessage[] } {
  return {
    deployments: models.flatMap((m) =>
      m.deployments.map((d) => {
        const st = stats.get(d.id);
        return create(DeploymentHealthSchema, {
          model: m.name,
          provider: d.provider,
          upstreamModel: d.upstreamModel,
          latencyMs: st?.latencyMs ?? 0,
          timeToFirstTokenMs: st?.ttftMs ?? 0,
          errorRate: st?.errorRate ?? 0,
          calls: BigInt(st?.calls ?? 0),
          failures: BigInt(st?.failures ?? 0),
          lastError: details ? (st?.lastError ?? "") : st?.lastError ? "failing" : "",
          breakerState: breakerStates[breakers.state(d.id)],
          breakerRetryAfterMs: BigInt(Math.ceil(breakers.retryAfterMs(d.id))),
        });
      }),
    ),
    status: servingStatuses[s.status],
    dependencies: s.dependencies.map((d: DependencyHealth) =>
      create(DependencyHealthSchema, {
        name: d.name,
        kind: d.kind,
        status: servingStatuses[d.status],
        detail: details ? d.detail : PUBLIC_DETAIL[d.status],
        changedAtUnixMs: BigInt(d.changedAtMs),
      }),
    ),
  };
}
