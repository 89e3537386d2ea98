/**
 * The request log's costs (docs/operations.md "Request log"):
 *  1. what recording costs a call: the access entry turned into a record, queued, and written to the memory ring,
 *     as CPU time per call over many calls (the write happens behind the calls, so this is all of it);
 *  2. ListRequests' store query over a full log of 100,000 entries, memory and Redis: the newest page, a page
 *     deep in the log (by its token), and a selective filter that scans its bound.
 * Run with `npm run bench:request-log` (starts its own redis-server when one is on PATH).
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { systemClock } from "../src/core/clock.js";
import { createMemoryRequestLog } from "../src/request-log/memory-store.js";
import { createRedisRequestLog } from "../src/request-log/redis-store.js";
import type { RequestLogStore, RequestQuery, RequestRecord } from "../src/request-log/store.js";
import { createRequestLogWriter } from "../src/request-log/writer.js";
import type { AccessEntry } from "../src/server/access-log.js";
import { createRequestRecorder } from "../src/server/request-record.js";
import { findTool, requireNode24 } from "./lib/procs.js";

const CALLS = 200_000;
const ENTRIES = 100_000;
const QUERIES = 200;
const retention = { maxEntries: ENTRIES, maxAgeMs: 7 * 24 * 3_600_000 };

const entry = (i: number): AccessEntry => ({
  service: "openai.rest",
  method: "chat.completions",
  error: undefined,
  seconds: 0.123,
  requestId: `req-${i}`,
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  tenant: `tenant-${i % 20}`,
  status: 200,
  endedAt: Date.now(),
  report: {
    model: "gpt-test",
    provider: "fake-openai",
    cache: "miss",
    input_tokens: 120,
    output_tokens: 40,
    cost_usd: 0.0002,
    user: `user-${i % 500}`,
    detail: { attempts: [{ provider: "fake-openai", model: "gpt-4o-mini", latencyMs: 110 }] },
  },
});

async function recordingCost(): Promise<void> {
  const store = createMemoryRequestLog(systemClock, { ...retention, maxBytes: 64 * 1024 * 1024 });
  const writer = createRequestLogWriter({ store, maxPending: CALLS });
  const record = createRequestRecorder(writer, 8192);
  const entries = Array.from({ length: CALLS }, (_, i) => entry(i));
  const cpu = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) record(entries[i]!, "ok");
  await writer.flush();
  const used = process.cpuUsage(cpu);
  console.log(`recording, memory ring: ${((used.user + used.system) / CALLS).toFixed(2)} µs of CPU per call (${CALLS} calls)`);
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function queries(name: string, store: RequestLogStore): Promise<void> {
  const batch: RequestRecord[] = [];
  const record = createRequestRecorder({ write: (r) => batch.push(r), discard: () => {}, flush: async () => {}, dropped: 0 }, 8192);
  for (let i = 0; i < ENTRIES; i++) record(entry(i), i % 7 === 0 ? "unavailable" : "ok");
  for (let i = 0; i < batch.length; i += 1000) await store.append(batch.slice(i, i + 1000));
  let deep: string | undefined;
  for (let i = 0; i < 20; i++) deep = (await store.query({ pageSize: 500, before: deep })).next;
  const cases: [string, RequestQuery][] = [
    ["newest page of 50", { pageSize: 50 }],
    ["page of 50 at 10,000 deep", { pageSize: 50, before: deep }],
    ["errors of one tenant (scans its bound)", { pageSize: 50, tenant: "tenant-3", status: "error" }],
  ];
  for (const [what, q] of cases) {
    const ms: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const t = performance.now();
      await store.query(q);
      ms.push(performance.now() - t);
    }
    console.log(`${name}: ${what}: p50 ${percentile(ms, 0.5).toFixed(2)} ms, p99 ${percentile(ms, 0.99).toFixed(2)} ms`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  requireNode24();
  await recordingCost();
  await queries("memory", createMemoryRequestLog(systemClock, { ...retention, maxBytes: 256 * 1024 * 1024 }));
  const server = findTool("redis-server");
  if (!server) return console.log("redis-server not on PATH: Redis figures skipped");
  const port = await freePort();
  const proc = spawn(server, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const redis = new Redis(`redis://127.0.0.1:${port}`, { retryStrategy: (n) => (n > 50 ? null : 50) });
  // Refused until the server listens; the client retries.
  redis.on("error", () => {});
  try {
    await redis.ping();
    await queries("redis", createRedisRequestLog(redis, systemClock, retention));
  } finally {
    redis.disconnect();
    proc.kill();
  }
}

await main();
