/**
 * The cache's figures (docs/caching.md), in four parts:
 *  1. exact hit latency end to end over gRPC, gateway in a child process, memory and Redis stores,
 *     beside a trivial RPC on the same connection (the transport's floor);
 *  2. the same hits inside the core, without a transport;
 *  3. semantic lookup latency by index size (1k, 10k, 100k entries in one scope), embedding reported apart;
 *  4. coalescing: N identical requests at once against an upstream that takes 200 ms.
 * Run with `npm run bench:cache`. Each latency figure is the median of REPEATS runs' percentiles.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { create } from "@bufbuild/protobuf";
import { createApp } from "../src/app.js";
import { createLexicalEmbedder } from "../src/cache/semantic/lexical.js";
import { createLocalEmbedder } from "../src/cache/semantic/local.js";
import { DEFAULT_THRESHOLDS } from "../src/cache/semantic/create.js";
import { createSemanticIndex, Partition } from "../src/cache/semantic/memory-index.js";
import { Sketcher } from "../src/cache/semantic/sketch.js";
import type { Embedder } from "../src/cache/semantic/embedder.js";
import { validateConfig } from "../src/config/load.js";
import { systemClock } from "../src/core/clock.js";
import type { ChatRequest } from "../src/core/types.js";
import { createLogger } from "../src/log.js";
import { CompleteRequestSchema, CompletionService, ListModelsRequestSchema } from "../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../gen/ts/llmgateway/v1/types_pb.js";
import { startFakeUpstream } from "../test/support/fake-upstream.js";
import { grpcClient, unary } from "../test/support/grpc-client.js";

const REPEATS = Number(process.env["BENCH_REPEATS"] ?? 3);
const CALLS = Number(process.env["BENCH_CALLS"] ?? 3000);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);

/** One call at a time, CALLS times after a warm-up; the median over REPEATS of p50, p90 and p99. */
async function sequential(call: () => Promise<unknown>): Promise<{ p50: number; p90: number; p99: number }> {
  const runs: { p50: number; p90: number; p99: number }[] = [];
  for (let r = 0; r < REPEATS; r++) {
    for (let i = 0; i < 300; i++) await call();
    const lat: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t = performance.now();
      await call();
      lat.push(performance.now() - t);
    }
    lat.sort((a, b) => a - b);
    runs.push({ p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99) });
  }
  return { p50: median(runs.map((r) => r.p50)), p90: median(runs.map((r) => r.p90)), p99: median(runs.map((r) => r.p99)) };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function startRedisServer(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  await new Promise((r) => setTimeout(r, 300));
  return { url: `redis://127.0.0.1:${port}`, stop: () => proc.kill() };
}

async function startGateway(config: object): Promise<{ port: number; child: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), "gw-cache-bench-"));
  const file = join(dir, "gateway.json");
  writeFileSync(file, JSON.stringify(config));
  const main = new URL("../src/main.js", import.meta.url).pathname;
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, LLM_GATEWAY_CONFIG: file },
    stdio: ["ignore", "pipe", "inherit"],
  });
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = line.match(/gRPC on 127\.0\.0\.1:(\d+)/);
    if (m) return { port: Number(m[1]), child };
  }
  throw new Error("gateway exited before it was ready");
}

const baseConfig = (cache: object, redisUrl?: string) => ({
  server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0 },
  log: { level: "warn" },
  providers: [{ name: "local", kind: "local", tokenDelayMs: 0 }],
  models: [{ name: "local-echo", provider: "local", contextWindow: 32768, maxOutputTokens: 256, tokenizer: "o200k_base" }],
  cache,
  ...(redisUrl ? { redis: { url: redisUrl } } : {}),
});

const prompt = "Summarise the difference between TCP and UDP in two sentences for a new engineer.";

async function endToEnd(redisUrl: string): Promise<string[]> {
  const rows = ["| store | exact hit p50 | p90 | p99 | trivial RPC (ListModels) p50 | hit minus trivial |", "|---|---|---|---|---|---|"];
  for (const store of ["memory", "redis"] as const) {
    const { port, child } = await startGateway(baseConfig({ store }, store === "redis" ? redisUrl : undefined));
    const client = grpcClient(CompletionService, `127.0.0.1:${port}`);
    const req = create(CompleteRequestSchema, {
      model: "local-echo",
      temperature: 0,
      user: "bench",
      messages: [{ role: Role.USER, content: prompt }],
    });
    const first = await unary<{ completion: { cacheStatus: number } }>(client, "complete", req);
    const second = await unary<{ completion: { cacheStatus: number } }>(client, "complete", req);
    if (second.completion.cacheStatus !== 2)
      throw new Error(`expected a hit, got ${second.completion.cacheStatus} after ${first.completion.cacheStatus}`);
    const hit = await sequential(() => unary(client, "complete", req));
    const trivial = await sequential(() => unary(client, "listModels", create(ListModelsRequestSchema, {})));
    rows.push(`| ${store} | ${fmt(hit.p50)} | ${fmt(hit.p90)} | ${fmt(hit.p99)} | ${fmt(trivial.p50)} | ${fmt(hit.p50 - trivial.p50)} |`);
    client.close();
    child.kill();
  }
  return rows;
}

async function inCore(redisUrl: string): Promise<string[]> {
  const rows = ["| store | hit in the core p50 | p90 | p99 |", "|---|---|---|---|"];
  for (const store of ["memory", "redis"] as const) {
    const config = validateConfig(baseConfig({ store }, store === "redis" ? redisUrl : undefined), {}, "bench");
    const app = createApp(config, { logger: createLogger("error", () => {}), env: {} });
    const request: ChatRequest = {
      model: "local-echo",
      temperature: 0,
      user: "bench-core",
      messages: [{ role: "user", content: prompt }],
      stop: [],
      metadata: {},
      routing: { preferredProviders: [], excludedProviders: [] },
    };
    const call = () =>
      app.gateway.complete(request, { signal: new AbortController().signal, requestId: "bench", receivedAt: systemClock.monotonic() });
    if (store === "redis") await new Promise((r) => setTimeout(r, 300));
    await call();
    const hit = await sequential(call);
    rows.push(`| ${store} | ${fmt(hit.p50)} | ${fmt(hit.p90)} | ${fmt(hit.p99)} |`);
    await app.gateway.cache.close();
  }
  return rows;
}

/** Random unit vectors: the worst case for a scan (nothing to prune) and the same cost as real ones. */
function randomVectors(n: number, dims: number): Float32Array[] {
  return Array.from({ length: n }, () => {
    const v = new Float32Array(dims);
    let s = 0;
    for (let i = 0; i < dims; i++) s += (v[i] = Math.random() - 0.5) ** 2;
    const norm = Math.sqrt(s);
    for (let i = 0; i < dims; i++) v[i]! /= norm;
    return v;
  });
}

async function semanticBySize(): Promise<string[]> {
  const dims = 512;
  const rows = [
    "| entries in one scope | sketch scan p50 | p90 | p99 | scoring every entry p50 | ratio | insert p50 | vectors + sketches |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const n of [1_000, 10_000, 100_000]) {
    const vectors = randomVectors(n, dims);
    const queries = randomVectors(200, dims);
    let next: Float32Array = queries[0]!;
    // The embedder hands back prepared vectors: this measures the index alone.
    const embedder: Embedder = { name: "prepared", dims, embed: async () => [next] };
    const index = createSemanticIndex({ embedder, threshold: DEFAULT_THRESHOLDS.local, maxEntries: n, clock: systemClock });
    const inserts: number[] = [];
    for (let i = 0; i < n; i++) {
      next = vectors[i]!;
      const t = performance.now();
      await index.add("t", "scope", `query ${i}`, `key-${i}`, 3_600_000);
      inserts.push(performance.now() - t);
    }
    inserts.sort((a, b) => a - b);
    let q = 0;
    const sketched = await sequentialN(() => {
      next = queries[q++ % queries.length]!;
      // Distinct text per call, so that the query-vector memo does not answer.
      return index.find("t", "scope", `lookup ${q}`);
    }, 1000);
    const partition = new Partition("t", dims, new Sketcher(dims));
    for (const [i, v] of vectors.entries()) partition.add(`k${i}`, "q", v, Infinity);
    const full = await sequentialN(
      async () => partition.scanAll(queries[q++ % queries.length]!, DEFAULT_THRESHOLDS.local),
      n >= 100_000 ? 100 : 500,
    );
    const bytes = n * (dims * 4 + new Sketcher(dims).words * 4);
    rows.push(
      `| ${n.toLocaleString("en")} | ${fmt(sketched.p50)} | ${fmt(sketched.p90)} | ${fmt(sketched.p99)} | ${fmt(full.p50)} | ${(full.p50 / sketched.p50).toFixed(1)}x | ${fmt(percentile(inserts, 50))} | ${(bytes / 1e6).toFixed(0)} MB |`,
    );
  }
  return rows;
}

async function sequentialN(call: () => Promise<unknown>, n: number) {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99) };
}

async function embeddingCost(): Promise<string[]> {
  const rows = ["| embedder | one query p50 | p90 |", "|---|---|---|"];
  const local = createLocalEmbedder();
  await local.warm();
  for (const [name, e] of [
    ["local (USE lite)", local],
    ["lexical", createLexicalEmbedder()],
  ] as [string, Embedder][]) {
    let i = 0;
    const r = await sequentialN(() => e.embed([`How do I reverse a list in Python, variant ${i++}?`]), 200);
    rows.push(`| ${name} | ${fmt(r.p50)} | ${fmt(r.p90)} |`);
  }
  return rows;
}

async function coalescing(): Promise<string[]> {
  const upstream = await startFakeUpstream();
  upstream.setDefault({ text: "shared", firstByteDelayMs: 200 });
  const config = validateConfig(
    {
      log: { level: "error" },
      providers: [{ name: "fake", kind: "openai-compatible", baseUrl: upstream.openAiBaseUrl, apiKey: "sk" }],
      models: [{ name: "m", provider: "fake", upstreamModel: "gpt-4o-mini" }],
    },
    {},
    "bench",
  );
  const rows = ["| concurrent identical requests | upstream calls | slowest caller |", "|---|---|---|"];
  const app = createApp(config, { logger: createLogger("error", () => {}), env: {} });
  for (const n of [10, 100, 1000]) {
    const before = upstream.requests.length;
    const request: ChatRequest = {
      model: "m",
      temperature: 0,
      user: `c${n}`,
      messages: [{ role: "user", content: `same ${n}` }],
      stop: [],
      metadata: {},
      routing: { preferredProviders: [], excludedProviders: [] },
    };
    const t = performance.now();
    await Promise.all(
      Array.from({ length: n }, () =>
        app.gateway.complete(request, { signal: new AbortController().signal, requestId: "x", receivedAt: systemClock.monotonic() }),
      ),
    );
    rows.push(`| ${n} | ${upstream.requests.length - before} | ${fmt(performance.now() - t)} |`);
  }
  await upstream.close();
  return rows;
}

async function main() {
  const redis = await startRedisServer();
  try {
    const out = [
      "### Exact hits end to end over gRPC (grpc-js client, gateway in its own process)",
      ...(await endToEnd(redis.url)),
      "",
      "### Exact hits inside the core (no transport)",
      ...(await inCore(redis.url)),
      "",
      "### Semantic lookup by index size (512 dimensions, threshold 0.85, embedding excluded)",
      ...(await semanticBySize()),
      "",
      "### Embedding one query",
      ...(await embeddingCost()),
      "",
      "### Coalescing (upstream answers after 200 ms)",
      ...(await coalescing()),
    ];
    console.log(out.join("\n"));
  } finally {
    redis.stop();
  }
  process.exit(0);
}

void main();
