import { GatewayError } from "../core/errors.js";
import type { HealthMonitor } from "../core/health.js";
import type { Logger } from "../log.js";
import type { RateLimiter } from "./limiter.js";

/**
 * What to do when the limit store cannot answer (Redis down): "open" admits
 * the call with a logged warning, "closed" refuses it. Either way the
 * gateway keeps working and tries the store again on the next call, so it
 * recovers by itself when the store returns.
 */
export function withFailurePolicy(limiter: RateLimiter, policy: "open" | "closed", logger: Logger, health: HealthMonitor): RateLimiter {
  let failing = false;
  return {
    async admit(key, estimatedTokens, limits) {
      try {
        const admission = await limiter.admit(key, estimatedTokens, limits);
        if (failing) {
          failing = false;
          logger.info("rate-limit store is back");
          health.set("redis", "redis", "serving", "ok");
        }
        return admission;
      } catch (err) {
        if (!failing) {
          failing = true;
          // Logged once per outage, not once per call.
          logger.warn("rate-limit store unavailable", { policy, error: err instanceof Error ? err.message : String(err) });
          health.set("redis", "redis", "not_serving", `rate-limit store unavailable: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (policy === "closed") {
          throw new GatewayError(
            "LIMITER_UNAVAILABLE",
            "rate limits cannot be checked right now, and the gateway is configured to fail closed",
            {
              cause: err,
              retryAfterMs: 1000,
            },
          );
        }
        return { admitted: true, reservation: { reconcile: async () => {} } };
      }
    },
    usage: (key) => limiter.usage(key),
    close: () => limiter.close(),
  };
}
