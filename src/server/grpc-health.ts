import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { echo } from "../core/errors.js";
import type { HealthMonitor } from "../core/health.js";
import {
  type Health,
  HealthCheckResponse_ServingStatus as Status,
  HealthCheckResponseSchema,
  HealthListResponseSchema,
} from "../../gen/ts/health/v1/health_pb.js";
import { watchHealth } from "./health-watch.js";

/**
 * The standard grpc.health.v1.Health service for probes and load balancers.
 * "" and every served service name answer SERVING unless the gateway is
 * NOT_SERVING: a DEGRADED gateway still serves, through its other providers.
 */
export function createGrpcHealthService(health: HealthMonitor, serviceNames: readonly string[]): ServiceImpl<typeof Health> {
  const known = new Set(["", ...serviceNames]);
  const status = (): Status => (health.snapshot().status === "not_serving" ? Status.NOT_SERVING : Status.SERVING);
  return {
    check(req) {
      if (!known.has(req.service)) throw new ConnectError(`unknown service ${echo(req.service)}`, Code.NotFound);
      return create(HealthCheckResponseSchema, { status: status() });
    },
    async *watch(req, ctx) {
      if (!known.has(req.service)) {
        // The protocol says: answer SERVICE_UNKNOWN and keep watching rather than fail.
        yield create(HealthCheckResponseSchema, { status: Status.SERVICE_UNKNOWN });
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
        return;
      }
      let last: Status | undefined;
      for await (const _ of watchHealth(health, ctx.signal)) {
        const now = status();
        if (now === last) continue;
        last = now;
        yield create(HealthCheckResponseSchema, { status: now });
      }
    },
    list() {
      const s = status();
      return create(HealthListResponseSchema, {
        statuses: Object.fromEntries([...known].map((name) => [name, { status: s }])),
      });
    },
  };
}
