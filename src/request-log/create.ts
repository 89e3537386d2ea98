import { Counter, type Registry } from "prom-client";
import type { GatewayConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../log.js";
import type { SharedRedis } from "../shared-redis.js";
import { createMemoryRequestLog } from "./memory-store.js";
import { createRedisRequestLog } from "./redis-store.js";
import type { RequestLogStore } from "./store.js";
import { createRequestLogWriter, type RequestLogWriter } from "./writer.js";

/** The request log as configured: where records are kept, and the queue that writes them. */
export interface RequestLog {
  store: RequestLogStore;
  writer: RequestLogWriter;
}

/** Builds the configured request log, or nothing when requestLog.enabled is false. */
export function createRequestLog(
  config: GatewayConfig,
  parts: { clock: Clock; logger: Logger; redis: SharedRedis; registry: Registry },
): RequestLog | undefined {
  const settings = config.requestLog;
  if (!settings.enabled) return undefined;
  const retention = { maxEntries: settings.retention.maxEntries, maxAgeMs: settings.retention.maxAgeHours * 3_600_000 };
  const store =
    settings.store === "redis"
      ? createRedisRequestLog(parts.redis.get(), parts.clock, retention)
      : createMemoryRequestLog(parts.clock, { ...retention, maxBytes: settings.maxBytes });
  const dropped = new Counter({
    name: "llmgw_request_log_dropped_total",
    help: "Request log entries not written: the queue was full or the store failed.",
    registers: [parts.registry],
  });
  const writer = createRequestLogWriter({
    store,
    maxPending: settings.maxPending,
    logger: parts.logger,
    onDropped: (n) => dropped.inc(n),
  });
  return { store, writer };
}
