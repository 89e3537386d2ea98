import { describe, expect, it } from "vitest";
import { createVerifier, type Candidate } from "../../src/cache/semantic/verify.js";
import { createExactComparator } from "../../src/cache/semantic/verify-compare.js";
import { createRedisVerifyStore } from "../../src/cache/semantic/verify-store.js";
import { silentLogger } from "../../src/log.js";
import type { RedisClient } from "../../src/redis-client.js";
import { redisBackends } from "../support/redis-cluster.js";

const replicaOn = (client: () => RedisClient) => () =>
  createVerifier({
    settings: { delta: 0.05, confidence: 0.95, minObservations: 8, rule: "bound", models: {}, tenants: {}, trust: "none", auditRate: 0 },
    store: createRedisVerifyStore(client()),
    comparator: createExactComparator(),
    logger: silentLogger,
  });

const candidate = (similarity: number): Candidate => ({
  tenant: "acme",
  model: "gpt",
  key: "entry-1",
  similarity,
  query: "q",
  cachedQuery: "c",
  ttlMs: 60_000,
});

describe.each(redisBackends(replicaOn))("verification learnt on one replica (%s)", (_name, replica) => {
  it("decides on another through Redis: observations from both add up", async () => {
    const a = replica();
    const b = replica();
    expect((await b.decide(candidate(0.9))).action).toBe("explore");
    // Two replicas verify the same entry at once: neither's observations are lost.
    await Promise.all(
      Array.from({ length: 150 }, (_, i) => (i % 2 === 0 ? a : b).settle(candidate(0.9 + (i % 3) / 100), "Paris.", "paris.")),
    );
    expect(await b.decide(candidate(0.91))).toMatchObject({ action: "serve", basis: "entry" });
    expect(await a.decide(candidate(0.91))).toMatchObject({ action: "serve", basis: "entry" });
    // Cleared on one, gone for both.
    await a.clear("acme");
    expect((await b.decide(candidate(0.91))).action).toBe("explore");
  });
});
