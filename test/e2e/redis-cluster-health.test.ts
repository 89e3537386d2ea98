import { createClient } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { HealthService, ServingStatus } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { startHarness } from "../support/harness.js";
import { redisClusterForFile } from "../support/redis-cluster.js";

/**
 * Every master of a cluster holds a share of every store's keys, so one that
 * hangs fails a share of the calls: the probe PINGs each, and HealthService
 * says NOT_SERVING for Redis while any of them does not answer.
 */
const redis = redisClusterForFile();

describe("Redis Cluster health", () => {
  it.each([0, 2])("notices a hung master (%i of three), and its return", async (master) => {
    const [url, ...nodes] = redis.cluster.urls;
    const h = redis.track(
      await startHarness({ redisUrl: url!, redis: { mode: "cluster", nodes }, redisProbeMs: 200, cache: { store: "redis" } }),
    );
    const health = createClient(HealthService, h.rpcTransport());
    const redisStatus = async () => (await health.check({})).dependencies.find((d) => d.name === "redis");
    await vi.waitFor(async () => expect((await redisStatus())?.status).toBe(ServingStatus.SERVING), { timeout: 5000 });
    redis.cluster.pause(master);
    try {
      await vi.waitFor(async () => expect((await redisStatus())?.status).toBe(ServingStatus.NOT_SERVING), { timeout: 5000, interval: 100 });
      expect((await redisStatus())?.detail).toContain("PING");
    } finally {
      redis.cluster.resume(master);
    }
    await vi.waitFor(async () => expect((await redisStatus())?.status).toBe(ServingStatus.SERVING), { timeout: 5000, interval: 100 });
  });
});
