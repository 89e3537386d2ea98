import { describe, expect, it } from "vitest";
import { createDeploymentStats } from "../../src/routing/stats.js";
import { manualClock } from "../support/manual-clock.js";

const clock = manualClock(5_000);

describe("deployment statistics", () => {
  it("moves averages a fifth of the way to each new sample", () => {
    const stats = createDeploymentStats(clock, 0.2);
    stats.recordSuccess("d", 100, 10);
    expect(stats.get("d")).toMatchObject({ latencyMs: 100, ttftMs: 10, errorRate: 0, calls: 1 });
    stats.recordSuccess("d", 200);
    expect(stats.get("d")?.latencyMs).toBeCloseTo(120);
    expect(stats.get("d")?.ttftMs).toBe(10);
  });

  it("tracks the error rate and the last error", () => {
    const stats = createDeploymentStats(clock, 0.5);
    stats.recordFailure("d", "boom");
    expect(stats.get("d")).toMatchObject({ errorRate: 1, failures: 1, lastError: "boom", lastErrorAtMs: 5_000 });
    stats.recordSuccess("d", 10);
    expect(stats.get("d")?.errorRate).toBeCloseTo(0.5);
    stats.recordSuccess("d", 10);
    expect(stats.get("d")?.errorRate).toBeCloseTo(0.25);
  });
});
