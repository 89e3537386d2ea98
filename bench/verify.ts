/**
 * What verified caching adds to a semantic lookup (docs/caching.md, "Verified caching"): the
 * decision for one candidate (read the entry's and the pool's observations, fit or reuse the
 * curve, bound it) with the memory store, and with Redis when BENCH_REDIS_URL is set. Two cases:
 * the observations unchanged since the last decision (the fit is reused), and one new
 * observation before each decision (the fit is redone, from the last one); each with trust none (the
 * bound decides) and trust guard (a confident candidate, checked against its entry and the pool's band). Embedding the query
 * (25 ms local, 27 µs lexical) is not included. Run with `npm run bench:verify` on a quiet machine.
 */
import { Redis } from "ioredis";
import { createVerifier, type Candidate } from "../src/cache/semantic/verify.js";
import { createExactComparator } from "../src/cache/semantic/verify-compare.js";
import { createMemoryVerifyStore, createRedisVerifyStore, type VerifyStore } from "../src/cache/semantic/verify-store.js";
import { systemClock } from "../src/core/clock.js";
import { silentLogger } from "../src/log.js";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 2_000);
const quantile = (xs: number[], q: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

async function measure(store: VerifyStore, observations: number, changing: boolean, trust: "none" | "guard"): Promise<string> {
  await store.clear();
  const verifier = createVerifier({
    settings: { delta: 0.01, confidence: 0.95, minObservations: 8, rule: "bound", models: {}, tenants: {}, trust, auditRate: 0 },
    store,
    comparator: createExactComparator(),
    logger: silentLogger,
    // With trust guard the candidate (0.93) is a confident one: the pool's band is read instead of a fit.
    threshold: 0.9,
  });
  const c = (s: number): Candidate => ({
    tenant: "bench",
    model: "m",
    key: "entry",
    similarity: s,
    query: "q",
    cachedQuery: "c",
    ttlMs: 600_000,
  });
  // Observations spread over 0.75 to 1 (up to 251 buckets), agreeing above 0.88.
  for (let i = 0; i < observations; i++) {
    const s = 0.75 + 0.25 * ((i * 0.618034) % 1);
    await verifier.settle(c(s), "a", s > 0.88 ? "a" : "b");
  }
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    if (changing) await verifier.settle(c(0.9 + (i % 10) / 100), "a", "a");
    const t0 = performance.now();
    await verifier.decide(c(0.93));
    times.push((performance.now() - t0) * 1000);
  }
  const p = (q: number) => quantile(times, q).toFixed(0);
  return `| ${store.kind} | ${trust} | ${observations} | ${changing ? "one new observation each time" : "unchanged"} | ${p(0.5)} µs | ${p(0.9)} µs | ${p(0.99)} µs |`;
}

const stores: VerifyStore[] = [createMemoryVerifyStore(systemClock, 10_000)];
const url = process.env["BENCH_REDIS_URL"];
const redis = url ? new Redis(url) : undefined;
if (redis) stores.push(createRedisVerifyStore(redis, "llmgw:bench-verify"));
console.log(
  "| store | trust | observations of the entry and its pool | between decisions | p50 | p90 | p99 |\n|---|---|---|---|---|---|---|",
);
for (const store of stores)
  for (const trust of ["none", "guard"] as const)
    for (const n of [0, 50, 1_000]) for (const changing of [false, true]) console.log(await measure(store, n, changing, trust));
if (redis) {
  await stores[1]!.clear();
  redis.disconnect();
}
