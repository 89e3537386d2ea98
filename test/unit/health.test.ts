import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/core/errors.js";
import { createHealthMonitor, type HealthSnapshot } from "../../src/core/health.js";

import { manualClock } from "../support/manual-clock.js";

const outage = new GatewayError("UPSTREAM_UNAVAILABLE", "p1: 503");

describe("health monitor", () => {
  it("degrades a provider on failure, takes it down after repeated failures, and restores it on success", () => {
    const clock = manualClock();
    const health = createHealthMonitor({ clock, providers: ["p1", "p2"], failuresUntilDown: 3 });
    const seen: HealthSnapshot[] = [];
    health.subscribe((s) => seen.push(s));
    expect(health.snapshot().status).toBe("serving");

    clock.advance(5);
    health.recordFailure("p1", outage);
    expect(health.snapshot().status).toBe("degraded");
    expect(health.snapshot().dependencies[0]).toMatchObject({ name: "p1", status: "degraded", changedAtMs: 1_005 });

    health.recordFailure("p1", outage);
    health.recordFailure("p1", outage);
    expect(health.snapshot().dependencies[0]?.status).toBe("not_serving");
    // One provider down of two: still serving through the other.
    expect(health.snapshot().status).toBe("degraded");

    health.recordSuccess("p1");
    expect(health.snapshot().status).toBe("serving");
    // Only status changes are published: degraded, not_serving, serving.
    expect(seen.map((s) => s.dependencies[0]?.status)).toEqual(["degraded", "not_serving", "serving"]);
  });

  it("is NOT_SERVING when every provider is down", () => {
    const health = createHealthMonitor({ clock: manualClock(), providers: ["only"], failuresUntilDown: 1 });
    health.recordFailure("only", outage);
    expect(health.snapshot().status).toBe("not_serving");
  });

  it.each(["INVALID_REQUEST", "UPSTREAM_BAD_REQUEST", "CANCELLED", "DEADLINE_EXCEEDED"] as const)(
    "does not blame the provider for %s",
    (reason) => {
      const health = createHealthMonitor({ clock: manualClock(), providers: ["p1"] });
      health.recordFailure("p1", new GatewayError(reason, "x"));
      expect(health.snapshot().status).toBe("serving");
    },
  );

  it("reports NOT_SERVING and draining once shutting down", () => {
    const health = createHealthMonitor({ clock: manualClock(), providers: ["p1"] });
    health.setShuttingDown();
    expect(health.snapshot().status).toBe("not_serving");
    expect(health.draining()).toBe(true);
  });
});
