import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { Gateway } from "../pipeline/pipeline.js";
import { CheckResponseSchema, type HealthService, WatchResponseSchema } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { toHealthFields } from "./convert-health.js";
import { tenantOf } from "./auth.js";
import { watchHealth } from "./health-watch.js";
import { withQueues } from "./queue-health.js";

/** The gateway's own HealthService: one entry per dependency, and routing's figures per deployment. */
export function createHealthService(gateway: Gateway): ServiceImpl<typeof HealthService> {
  // Error texts and dependency details can name internal hosts and upstream messages: admin keys only.
  const fields = (snapshot: ReturnType<Gateway["health"]["snapshot"]>, ctx: HandlerContext) =>
    withQueues(toHealthFields(snapshot, gateway.catalog.models, gateway.stats, gateway.breakers, tenantOf(ctx).admin), gateway.queues);
  return {
    check(_req, ctx) {
      return create(CheckResponseSchema, fields(gateway.health.snapshot(), ctx));
    },
    async *watch(_req, ctx) {
      for await (const snapshot of watchHealth(gateway.health, ctx.signal)) {
        yield create(WatchResponseSchema, fields(snapshot, ctx));
      }
    },
  };
}
