/**
 * What resumable streams cost (docs/resilience.md "Resuming a stream"): for a stream of CHUNKS deltas
 * arriving every INTERVAL ms, how many store writes one stream makes (group commits: an event is written
 * at once when no write is in flight; those that come meanwhile go together in the next), and how much
 * later than the pipeline yields it an event reaches a reader on the same replica (it waits for its
 * write). Memory store and Redis (a redis-server started here on a free port); no transport, no provider.
 * Run with `npm run bench:durable`.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { systemClock } from "../src/core/clock.js";
import type { ChatRequest, ChatResult, ChatStreamEvent } from "../src/core/types.js";
import { createDurableCalls, type StreamSource } from "../src/durable/durable.js";
import { createMemoryDurableStore } from "../src/durable/memory-store.js";
import { createRedisDurableStore } from "../src/durable/redis-store.js";
import type { DurableStore } from "../src/durable/store.js";
import { percentile } from "./lib/load.js";

const CHUNKS = Number(process.env["CHUNKS"] ?? 200);
const STREAMS = Number(process.env["STREAMS"] ?? 20);
const CONCURRENCY = Number(process.env["CONCURRENCY"] ?? 10);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const request: ChatRequest = {
  model: "m",
  messages: [{ role: "user", content: "hi" }],
  user: "",
  metadata: {},
  routing: {},
} as ChatRequest;
const result = { id: "r", message: { role: "assistant", content: "" }, finishReason: "stop", attempts: [] } as unknown as ChatResult;

/** A source of CHUNKS deltas, `interval` ms apart; each delta's text is the time it was yielded. */
function source(interval: number): StreamSource {
  return async function* (): AsyncGenerator<ChatStreamEvent> {
    yield { type: "cache", status: "miss" };
    for (let i = 0; i < CHUNKS; i++) {
      if (interval > 0) await sleep(interval);
      else if (i % 20 === 0) await new Promise((r) => setImmediate(r));
      yield { type: "delta", text: String(performance.now()) };
    }
    yield { type: "done", result };
  };
}

/** Counts a store's appends. */
function counting(store: DurableStore): DurableStore & { appends: number } {
  const c = Object.assign(Object.create(store) as DurableStore, { appends: 0 });
  c.append = (...args) => {
    c.appends++;
    return store.append(...args);
  };
  return c as DurableStore & { appends: number };
}

async function run(name: string, store: DurableStore, interval: number): Promise<void> {
  const counted = counting(store);
  const calls = createDurableCalls({
    store: counted,
    source: source(interval),
    clock: systemClock,
    settings: { graceMs: 30_000, leaseMs: 5_000, flushMs: Number(process.env["FLUSH_MS"] ?? 0), ttlMs: 60_000, idempotencyTtlMs: 60_000 },
  });
  const lags: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next++ < STREAMS) {
      const call = { signal: new AbortController().signal, requestId: "b", receivedAt: performance.now() };
      const s = await calls.start(request, call);
      for await (const { event } of s.events) if (event.type === "delta") lags.push(performance.now() - Number(event.text));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await calls.close();
  lags.sort((a, b) => a - b);
  const perStream = counted.appends / STREAMS;
  console.log(
    `| ${name} | ${interval} ms | ${CONCURRENCY} | ${perStream.toFixed(1)} | ${(perStream / (CHUNKS + 2)).toFixed(3)} | ${percentile(lags, 50).toFixed(2)} ms | ${percentile(lags, 99).toFixed(2)} ms |`,
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const port = await freePort();
const server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
  stdio: "ignore",
});
const redis = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true });
// Refused connections while the server starts are expected: connect() is retried below.
redis.on("error", () => {});
for (let i = 0; ; i++) {
  try {
    await redis.connect();
    break;
  } catch {
    if (i > 100) throw new Error("redis-server did not start");
    await sleep(50);
  }
}
console.log(`${STREAMS} streams of ${CHUNKS} deltas each, ${CONCURRENCY} at a time`);
console.log("| store | delta interval | streams at once | writes per stream | writes per event | reader lag p50 | reader lag p99 |");
console.log("|---|---|---|---|---|---|---|");
try {
  for (const interval of [0, 2, 20]) {
    await run("memory", createMemoryDurableStore(systemClock), interval);
    await run("redis", createRedisDurableStore(redis), interval);
  }
} finally {
  redis.disconnect();
  server.kill();
}
