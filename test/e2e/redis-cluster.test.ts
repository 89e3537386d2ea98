import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { AdminService } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CacheService } from "../../gen/ts/llmgateway/v1/cache_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { HealthService, ServingStatus } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { SessionService } from "../../gen/ts/llmgateway/v1/session_service_pb.js";
import { CacheStatus, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { bearer, digest } from "../support/auth.js";
import { startHarness, type Harness } from "../support/harness.js";
import { redisClusterForFile } from "../support/redis-cluster.js";

const redis = redisClusterForFile();

const KEYS = { ops: "sk-ops", acme: "sk-acme", thrifty: "sk-thrifty" };
const LIMIT = 25;

/** A gateway whose every store is on the file's three-master cluster, found from its seed nodes. */
const replica = async (cache: Record<string, unknown> = {}): Promise<Harness> => {
  const [url, ...nodes] = redis.cluster.urls;
  return redis.track(
    await startHarness({
      redisUrl: url!,
      redis: { mode: "cluster", nodes },
      limits: { store: "redis", requestsPerMinute: LIMIT },
      cache: { store: "redis", ...cache },
      sessions: { store: "redis" },
      usage: { store: "redis" },
      auth: {
        tenants: [
          { name: "ops", keys: [{ sha256: digest(KEYS.ops) }], admin: true },
          { name: "acme", keys: [{ sha256: digest(KEYS.acme) }] },
          // A call of gpt-test with at most 100 output tokens reserves about $0.00021; 0.002 fits nine or so.
          { name: "thrifty", keys: [{ sha256: digest(KEYS.thrifty) }], budget: { dailyUsd: 0.002 } },
        ],
      },
    }),
  );
};
const clients = (h: Harness, key = KEYS.acme) => {
  const transport = h.rpcTransport({ interceptors: [bearer(key)] });
  return {
    completion: createClient(CompletionService, transport),
    cache: createClient(CacheService, h.rpcTransport({ interceptors: [bearer(KEYS.ops)] })),
    sessions: createClient(SessionService, transport),
    admin: createClient(AdminService, h.rpcTransport({ interceptors: [bearer(KEYS.ops)] })),
    health: createClient(HealthService, transport),
  };
};
const ask = (content: string, user: string, extra: object = {}) => ({
  model: "gpt-test",
  temperature: 0,
  user,
  messages: [{ role: Role.USER, content }],
  ...extra,
});
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "ok" as const,
    (e: unknown) => ConnectError.from(e),
  );

describe("two gateways on one Redis Cluster", () => {
  it("say in HealthService that Redis serves", async () => {
    const h = await replica();
    const { completion, health } = clients(h);
    await completion.complete(ask("warm up", "health"));
    expect((await health.check({})).dependencies.find((d) => d.name === "redis")?.status).toBe(ServingStatus.SERVING);
  });

  it("share rate limits: under concurrent load on both, exactly the limit is admitted", async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    const both = [clients(a), clients(b)];
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        outcome(both[i % 2]!.completion.complete(ask(`q${i}`, "limited", { cache: { noStore: true } }))),
      ),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(LIMIT);
    for (const r of results.filter((r) => r !== "ok")) expect((r as ConnectError).code).toBe(Code.ResourceExhausted);
  });

  it("share the cache: one stores, the other serves; a clear on one is a miss on both", async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    const [ca, cb] = [clients(a), clients(b)];
    await ca.completion.complete(ask("shared?", "cacher"));
    const served = await cb.completion.complete(ask("shared?", "cacher"));
    expect(served.completion?.cacheStatus).toBe(CacheStatus.HIT_EXACT);
    expect(b.upstream.requests.filter((r) => r.path.endsWith("/chat/completions"))).toHaveLength(0);
    // Stats and clears walk every master.
    expect(Number((await cb.cache.getCacheStats({})).stats?.entries)).toBe(1);
    await cb.cache.clearCache({});
    expect((await ca.completion.complete(ask("shared?", "cacher"))).completion?.cacheStatus).toBe(CacheStatus.MISS);
  });

  it("share sessions: created on one, continued on both at once, read whole from either", async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    const [ca, cb] = [clients(a), clients(b)];
    const id = (await ca.sessions.createSession({ user: "ann" })).session!.id;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? ca : cb).completion.complete({ user: "ann", sessionId: id, messages: [{ role: Role.USER, content: `turn ${i}` }] }),
      ),
    );
    expect((await cb.sessions.getSession({ user: "ann", sessionId: id, pageSize: 100 })).messages).toHaveLength(20);
    expect((await ca.sessions.listSessions({ user: "ann" })).sessions.map((s) => s.id)).toEqual([id]);
    await cb.sessions.deleteSession({ user: "ann", sessionId: id });
    expect((await ca.sessions.listSessions({ user: "ann" })).sessions).toHaveLength(0);
  });

  it("share usage and budgets: either reports both's calls, and together they never pass the cap", async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    // Every answer is 100 words, all that maxTokens allows: a call costs what it reserved, so that the cap
    // refuses some of the calls however they interleave.
    for (const h of [a, b]) h.upstream.setScript(() => ({ text: Array.from({ length: 100 }, (_, i) => `w${i}`).join(" ") }));
    const both = [clients(a, KEYS.thrifty), clients(b, KEYS.thrifty)];
    const results = await Promise.all(
      // Fewer than the rate limit (per tenant), so that only the budget refuses.
      Array.from({ length: 20 }, (_, i) =>
        both[i % 2]!.completion.complete(ask(`spend ${i}`, `u${i % 3}`, { maxTokens: 100 })).then(
          (r) => r.completion!.costUsd,
          (e: unknown) => ConnectError.from(e),
        ),
      ),
    );
    // A call admitted with what was left (less than its max_tokens could cost) is stopped there: it fails
    // with BUDGET_EXCEEDED too, but it was admitted and spent, as its delivered_chars and spent_usd say.
    const spentBy = results.map((r) => {
      if (typeof r === "number") return r;
      const info = r.findDetails(ErrorInfoSchema)[0];
      expect(info?.reason).toBe("BUDGET_EXCEEDED");
      return info?.metadata["delivered_chars"] === undefined ? undefined : Number(info.metadata["spent_usd"]);
    });
    const costs = spentBy.filter((r): r is number => r !== undefined);
    expect(results.filter((r) => typeof r === "number").length).toBeGreaterThan(0);
    expect(spentBy.filter((r) => r === undefined).length).toBeGreaterThan(0);
    const spent = costs.reduce((x, y) => x + y, 0);
    // Replicas never pass a cap by more than what calls cost beyond their reservations (src/usage/store.ts):
    // here the fake reports every prompt as 11 tokens, which the reservation estimated at 2 ($1 per
    // million). The call stopped at what was left spent exactly that, so this is all the slack there is.
    expect(spent).toBeLessThanOrEqual(0.002 + costs.length * 9e-6 + 1e-9);
    // A call settles its reservation after its answer has gone out: the last may land a moment later.
    for (const h of [a, b]) {
      await vi.waitFor(
        async () => expect((await clients(h).admin.getTenantStatus({ tenant: "thrifty" })).spentTodayUsd).toBeCloseTo(spent, 6),
        {
          timeout: 5000,
          interval: 50,
        },
      );
    }
    // Usage too is recorded once the answer is out.
    await vi.waitFor(
      async () => {
        const rows = (await both[1]!.admin.getUsage({ tenant: "thrifty" })).rows;
        expect(rows.reduce((n, r) => n + Number(r.requests), 0)).toBe(costs.length);
        // Calls went through both replicas, users in turn: rows of every user that was admitted, from either.
        expect(new Set(rows.map((r) => r.user))).toEqual(new Set(spentBy.flatMap((r, i) => (r === undefined ? [] : [`u${i % 3}`]))));
      },
      { timeout: 5000, interval: 50 },
    );
  });

  it("share semantic entries: a paraphrase stored on one is served by the other", async () => {
    // Verification on: the observations it reads before serving live on the cluster too (one hash per entry).
    const semantic = { semantic: { enabled: true, embedder: "lexical", verify: { enabled: true, trust: "guard" } } };
    const a = await replica(semantic);
    a.upstream.enqueue({ text: "Au." });
    await clients(a).completion.complete(ask("What is the chemical symbol for gold?", "sem"));
    const b = await replica(semantic);
    // The other replica reads the shared stream (one key, on one master) as it starts, then follows it. Its catching
    // up is watched through the admin's stats, which spend none of the tenant's requests per minute.
    await vi.waitFor(async () => expect((await clients(b).cache.getCacheStats({})).stats?.semanticEntries).toBeGreaterThan(0n), {
      timeout: 15_000,
      interval: 50,
    });
    let got = CacheStatus.MISS;
    // A few tries, well under the rate limit: a lookup may still be audited (verification explores 5% of candidates).
    for (let i = 0; i < 10 && got !== CacheStatus.HIT_SEMANTIC; i++) {
      const r = await clients(b).completion.complete(ask("what's the chemical symbol for gold", "sem", { cache: { noStore: true } }));
      got = r.completion!.cacheStatus;
    }
    expect(got).toBe(CacheStatus.HIT_SEMANTIC);
  });
});
