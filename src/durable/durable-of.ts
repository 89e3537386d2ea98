import type { GatewayConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../log.js";
import type { Gateway } from "../pipeline/pipeline.js";
import type { SharedRedis } from "../shared-redis.js";
import { createDurableCalls, type DurableCalls } from "./durable.js";
import { createMemoryDurableStore } from "./memory-store.js";
import { createRedisDurableStore } from "./redis-store.js";

/** The gateway's durable calls, as the configuration's `durable` section says. */
export function durableOf(config: GatewayConfig, gateway: Gateway, clock: Clock, logger: Logger, redis: SharedRedis): DurableCalls {
  const d = config.durable;
  return createDurableCalls({
    store: d.store === "redis" ? createRedisDurableStore(redis.get()) : createMemoryDurableStore(clock),
    source: (request, call, continueFrom) => gateway.stream(request, call, continueFrom),
    clock,
    logger,
    settings: {
      graceMs: d.graceMs,
      leaseMs: d.leaseMs,
      // A write to memory costs nothing: batching would only delay readers.
      flushMs: d.store === "redis" ? d.flushMs : 0,
      ttlMs: d.retentionMs,
      idempotencyTtlMs: d.idempotencyRetentionMs,
    },
  });
}
