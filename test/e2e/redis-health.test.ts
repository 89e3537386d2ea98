import { createClient } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { HealthService, ServingStatus } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { startHarness } from "../support/harness.js";
import { redisForFile } from "../support/redis.js";

/**
 * A Redis that hangs (stopped, not killed) keeps its connection open and
 * says nothing; without rate limits nothing else would notice it before calls
 * fail. The probe does: HealthService says NOT_SERVING for Redis within an
 * interval and a command timeout, and SERVING again once it answers.
 */
const redis = redisForFile();

describe("Redis health", () => {
  it("notices a hung Redis used only by the cache and sessions, and its return", async () => {
    const h = redis.track(
      await startHarness({ redisUrl: redis.server.url, redisProbeMs: 200, cache: { store: "redis" }, sessions: { store: "redis" } }),
    );
    const health = createClient(HealthService, h.rpcTransport());
    const redisStatus = async () => (await health.check({})).dependencies.find((d) => d.name === "redis");
    await vi.waitFor(async () => expect((await redisStatus())?.status).toBe(ServingStatus.SERVING), { timeout: 5000 });
    redis.server.pause();
    try {
      await vi.waitFor(async () => expect((await redisStatus())?.status).toBe(ServingStatus.NOT_SERVING), { timeout: 5000, interval: 100 });
      expect((await redisStatus())?.detail).toContain("PING");
      expect((await health.check({})).status).not.toBe(ServingStatus.SERVING);
    } finally {
      redis.server.resume();
    }
    await vi.waitFor(async () => expect((await redisStatus())?.status).toBe(ServingStatus.SERVING), { timeout: 5000, interval: 100 });
  });
});
