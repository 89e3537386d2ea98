import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { HealthMonitor } from "../core/health.js";
import { CheckResponseSchema, HealthService, WatchResponseSchema } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { toHealthFields } from "./convert.js";
import { watchHealth } from "./health-watch.js";

/** The gateway's own HealthService, with one entry per dependency. */
export function createHealthService(health: HealthMonitor): ServiceImpl<typeof HealthService> {
  return {
    check() {
      return create(CheckResponseSchema, toHealthFields(health.snapshot()));
    },
    async *watch(_req, ctx) {
      for await (const snapshot of watchHealth(health, ctx.signal)) {
        yield create(WatchResponseSchema, toHealthFields(snapshot));
      }
    },
  };
}
