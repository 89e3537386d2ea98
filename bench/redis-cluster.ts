/**
 * What a Redis Cluster costs the stores a call touches, against one Redis (docs/operations.md, "Redis Cluster"):
 * the rate limiter's admission (one script) and its reconcile, a budget reservation and its settle (one script each),
 * a cache read and write, and a session append (a read and one script), one after another (latency) and 64 at a
 * time (throughput). The servers are started here on free ports (one redis-server, and three masters joined into a
 * cluster), so both run on the same machine with no network in between: the figures compare the client's routing
 * and the servers, not a network. Run with `npm run bench:redis-cluster` on a quiet machine.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createRedisCacheStore } from "../src/cache/redis-store.js";
import { systemClock } from "../src/core/clock.js";
import { createRedisRateLimiter } from "../src/limits/redis-limiter.js";
import type { RedisClient } from "../src/redis-client.js";
import { createRedisSessionStore } from "../src/sessions/redis-store.js";
import { createRedisUsageStore } from "../src/usage/redis-store.js";
import { startRedis } from "../test/support/redis.js";
import { startRedisCluster } from "../test/support/redis-cluster.js";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3_000);
const CONCURRENCY = 64;
const quantile = (xs: number[], q: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

type Op = (i: number) => Promise<unknown>;

function operations(client: RedisClient): [string, Op][] {
  const limiter = createRedisRateLimiter(client, systemClock, `llmgw:bench-rl:${randomUUID()}`);
  const usage = createRedisUsageStore(client, `llmgw:bench-usage:${randomUUID()}`);
  const cache = createRedisCacheStore(client, `llmgw:bench-cache:${randomUUID()}`);
  const sessions = createRedisSessionStore(client, `llmgw:bench-session:${randomUUID()}`);
  const answer = {
    message: { role: "assistant" as const, content: "Paris." },
    finishReason: "stop" as const,
    usage: { inputTokens: 12, outputTokens: 3, estimated: false },
    costUsd: 0.00004,
    provider: "p",
    model: "m",
    storedAt: 0,
  };
  const sessionIds = Array.from({ length: 100 }, () => randomUUID());
  return [
    [
      "rate limit: admit + reconcile",
      async (i) => {
        const a = await limiter.admit(`caller-${i % 100}`, 100, { requestsPerMinute: 1e9, tokensPerMinute: 1e12 });
        if (a.admitted) await a.reservation.reconcile(80);
      },
    ],
    [
      "budget: reserve + settle",
      async (i) => {
        const r = await usage.reserve(`tenant-${i % 100}`, "2026-11-29", "2026-11", 500, [
          { level: "tenant", id: `tenant-${i % 100}`, caps: { dailyMicros: 1e15, monthlyMicros: 1e15 } },
        ]);
        if (r.admitted) await r.settle(400);
      },
    ],
    ["cache: set", (i) => cache.set(`tenant-${i % 10}`, `h${i % 1000}`, answer, 600_000)],
    ["cache: get", (i) => cache.get(`tenant-${i % 10}`, `h${i % 1000}`)],
    [
      "session: append one message",
      async (i) => {
        const id = sessionIds[i % sessionIds.length]!;
        if (i < sessionIds.length) {
          await sessions.create({
            id,
            owner: "bench",
            systemPrompt: "",
            model: "m",
            defaults: {},
            metadata: {},
            createdAt: Date.now(),
            ttlMs: 600_000,
          });
        }
        await sessions.append(id, [{ role: "user", content: `turn ${i}` }], Date.now());
      },
    ],
  ];
}

async function run(op: Op): Promise<{ p50: number; p99: number; perSecond: number }> {
  for (let i = 0; i < 200; i++) await op(i);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await op(i);
    times.push(performance.now() - t);
  }
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ROUNDS) await op(next++);
    }),
  );
  const perSecond = ROUNDS / ((performance.now() - started) / 1000);
  return { p50: quantile(times, 0.5) * 1000, p99: quantile(times, 0.99) * 1000, perSecond };
}

const single = await startRedis();
const cluster = await startRedisCluster();
const targets: [string, RedisClient][] = [
  ["one Redis", new Redis(single.url)],
  ["cluster (3 masters)", cluster.client()],
];
console.log(`${ROUNDS} operations each; latency one at a time, throughput ${CONCURRENCY} at a time\n`);
console.log("| operation | target | p50 µs | p99 µs | ops/s |");
console.log("|---|---|---|---|---|");
try {
  const ops = targets.map(([name, client]) => [name, operations(client)] as const);
  for (let k = 0; k < ops[0]![1].length; k++) {
    for (const [name, list] of ops) {
      const [label, op] = list[k]!;
      const r = await run(op);
      console.log(`| ${label} | ${name} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.perSecond.toFixed(0)} |`);
    }
  }
} finally {
  for (const [, c] of targets) c.disconnect();
  await cluster.stop();
  await single.stop();
}
