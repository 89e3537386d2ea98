/**
 * What authentication costs a call (docs/operations.md, "Runtime API keys"): authenticate() on a request's
 * headers for a configured key, a runtime key found in the replica's cache (every call within a second of
 * the last lookup), and a runtime key looked up in the store (the first call after the cache lapsed, or
 * every call with keys.cacheMs 0): memory, and Redis when BENCH_REDIS_URL is set. Run with
 * `npm run bench:keys` on a quiet machine; no test asserts these times.
 */
import { Redis } from "ioredis";
import { createAuthenticator, keyDigest } from "../src/auth/tenants.js";
import { validateConfig } from "../src/config/load.js";
import { createCatalog } from "../src/core/catalog.js";
import { systemClock } from "../src/core/clock.js";
import { createMemoryKeyStore } from "../src/keys/memory-store.js";
import { createRedisKeyStore } from "../src/keys/redis-store.js";
import { createKeyResolver } from "../src/keys/resolver.js";
import type { KeyStore } from "../src/keys/store.js";
import { authenticate } from "../src/server/auth.js";

const CALLS = Number(process.env["BENCH_CALLS"] ?? 200_000);
const LOOKUPS = Number(process.env["BENCH_LOOKUPS"] ?? 5_000);
const CONFIGURED = "sk-configured-bench-key-0123456789";
const RUNTIME = "llmgw_bench-runtime-key-abcdefghijklmnopqrstuvwxyz012345";

const config = validateConfig(
  {
    providers: [{ name: "local", kind: "local" }],
    models: [{ name: "echo", provider: "local" }],
    auth: { tenants: [{ name: "acme", keys: [{ sha256: keyDigest(CONFIGURED) }] }] },
  },
  {},
);
// Built once: what the faces pass is a cheap view of headers already parsed, not a new Headers per call.
const headersOf = (key: string) => {
  const value = `Bearer ${key}`;
  const reader = { get: (name: string) => (name === "authorization" ? value : null) };
  return () => reader;
};

async function setup(store: KeyStore, cacheMs: number) {
  await store.put(
    {
      id: "key_00000000000000bb",
      tenant: "acme",
      name: "bench",
      metadata: {},
      createdAt: 0,
      secrets: [{ digest: keyDigest(RUNTIME), prefix: RUNTIME.slice(0, 12) }],
      version: 1,
    },
    0,
    [],
  );
  const resolver = createKeyResolver({ store, clock: systemClock, cacheMs, maxEntries: 1000 });
  return createAuthenticator(config, createCatalog(config), {}, resolver);
}

/** Microseconds per call, over `n` calls made one after another. */
async function perCall(n: number, call: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(n, 1000); i++) await call();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = call();
    if (r instanceof Promise) await r;
  }
  return ((performance.now() - t0) * 1000) / n;
}

const rows: [string, number][] = [];
const memoryCached = await setup(createMemoryKeyStore(), 1000);
const configured = headersOf(CONFIGURED);
const runtime = headersOf(RUNTIME);
rows.push(["configured key", await perCall(CALLS, () => authenticate(memoryCached, configured()))]);
rows.push(["runtime key, cached", await perCall(CALLS, () => authenticate(memoryCached, runtime()))]);
const memoryMiss = await setup(createMemoryKeyStore(), 0);
rows.push(["runtime key, memory store lookup", await perCall(LOOKUPS, () => authenticate(memoryMiss, runtime()))]);
const url = process.env["BENCH_REDIS_URL"];
if (url) {
  const redis = new Redis(url);
  const store = createRedisKeyStore(redis);
  await store.ready();
  const redisMiss = await setup(store, 0);
  rows.push(["runtime key, Redis lookup (one round trip)", await perCall(LOOKUPS, () => authenticate(redisMiss, runtime()))]);
  await store.close();
  redis.disconnect();
}
console.log("| authentication | µs per call |\n|---|---:|");
for (const [what, us] of rows) console.log(`| ${what} | ${us.toFixed(2)} |`);
