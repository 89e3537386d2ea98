import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Gateway } from "../core/gateway.js";
import { CheckResponseSchema, HealthService, WatchResponseSchema } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { toHealthFields } from "./convert.js";
import { watchHealth } from "./health-watch.js";

/** The gateway's own HealthService: one entry per dependency, and routing's figures per deployment. */
export function createHealthService(gateway: Gateway): ServiceImpl<typeof HealthService> {
  const fields = (snapshot: ReturnType<Gateway["health"]["snapshot"]>) => toHealthFields(snapshot, gateway.catalog.models, gateway.stats, gateway.breakers);
  return {
    check() {
      return create(CheckResponseSchema, fields(gateway.health.snapshot()));
    },
    async *watch(_req, ctx) {
      for await (const snapshot of watchHealth(gateway.health, ctx.signal)) {
        yield create(WatchResponseSchema, fields(snapshot));
      }
    },
  };
}
