/**
 * The gateway's resident memory (RSS), started the way production starts it
 * (`node dist/src/main.js`, embedded default configuration: the local echo
 * model, memory stores, cache on), in four phases:
 *  1. idle after start-up, once it has settled;
 *  2. saturation: CONCURRENCY callers in a closed loop on the REST face
 *     (`/v1/chat/completions`, model local-echo) for SATURATION_MS;
 *  3. a long run of CALLS calls at the same concurrency, RSS sampled as it goes;
 *  4. idle again after the long run.
 * Every call asks something new, and none asks for caching (no temperature 0),
 * so each one goes through the whole pipeline to the provider: memory that
 * grows with calls would show in phase 3. MEMORY_CACHED=1 asks at temperature 0
 * instead, so the response cache also fills up to its bounds (10,000 entries
 * by default) and then evicts.
 * MEMORY_TOKEN_DELAY_MS=0 runs the same local model without its 15 ms pause
 * between streamed tokens (from a configuration file, otherwise the embedded
 * default's), so that the gateway's CPU, not the pauses, bounds throughput.
 * Beside RSS, each phase reports the gateway's CPU and garbage-collection time
 * per call and its V8 heap by space (from its own /metrics), which is what
 * runtime flags trade against memory. MEMORY_NODE_ARGS passes flags to the
 * gateway's Node. Run with `npm run bench:memory`; figures go to docs/benchmarks.md.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Pool } from "undici";
import { GATEWAY_NODE_ARGS } from "../src/heap.js";

const SETTLE_MS = Number(process.env["MEMORY_SETTLE_MS"] ?? 10_000);
const SATURATION_MS = Number(process.env["MEMORY_SATURATION_MS"] ?? 20_000);
const CALLS = Number(process.env["MEMORY_CALLS"] ?? 200_000);
const CONCURRENCY = Number(process.env["MEMORY_CONCURRENCY"] ?? 256);
const CACHED = process.env["MEMORY_CACHED"] === "1";
const TOKEN_DELAY_MS = process.env["MEMORY_TOKEN_DELAY_MS"];
// As `npm start` and the container start the gateway (docs/operations.md), unless MEMORY_NODE_ARGS says otherwise.
const NODE_ARGS = (process.env["MEMORY_NODE_ARGS"] ?? GATEWAY_NODE_ARGS.join(" ")).split(" ").filter(Boolean);
const SAMPLE_MS = 250;

/** The process's resident memory in MB: all of it, the anonymous part (heaps, buffers) and mapped files (the node binary). */
function memoryOf(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? NaN) / 1024;
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile") };
}

/** CPU seconds the process has used (user + system, every thread). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** What the gateway says of its own heap and collections (prom-client's default metrics). */
interface Runtime {
  /** Seconds spent in GC pauses, by kind (minor, major, incremental, weakcb). */
  gc: Map<string, number>;
  /** MB by heap space: committed ("total") and used. */
  total: Map<string, number>;
  used: Map<string, number>;
}

async function runtimeOf(pool: Pool): Promise<Runtime> {
  const res = await pool.request({ method: "GET", path: "/metrics" });
  const text = await res.body.text();
  const read = (name: string, label: string, scale: number) =>
    new Map(
      [...text.matchAll(new RegExp(`^${name}\\{${label}="(\\w+)"\\} (\\S+)$`, "gm"))].map((m) => [m[1]!, Number(m[2]) / scale] as const),
    );
  return {
    gc: read("nodejs_gc_duration_seconds_sum", "kind", 1),
    total: read("nodejs_heap_space_size_total_bytes", "space", 1024 * 1024),
    used: read("nodejs_heap_space_size_used_bytes", "space", 1024 * 1024),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dist = new URL(".", import.meta.url).pathname;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LLM_GATEWAY_HOST: "127.0.0.1",
    LLM_GATEWAY_GRPC_PORT: "0",
    LLM_GATEWAY_HTTP_PORT: "0",
    LLM_GATEWAY_LOG_LEVEL: "warn",
  };
  // The embedded default, whatever the shell has set.
  for (const k of ["LLM_GATEWAY_CONFIG", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"]) delete env[k];
  if (TOKEN_DELAY_MS !== undefined) {
    const file = join(mkdtempSync(join(tmpdir(), "gw-memory-")), "gateway.json");
    const model = { name: "local-echo", provider: "local", contextWindow: 32_768, maxOutputTokens: 1024, tokenizer: "o200k_base" };
    writeFileSync(
      file,
      JSON.stringify({ providers: [{ name: "local", kind: "local", tokenDelayMs: Number(TOKEN_DELAY_MS) }], models: [model] }),
    );
    env["LLM_GATEWAY_CONFIG"] = file;
  }
  const child = spawn(process.execPath, [...NODE_ARGS, join(dist, "../src/main.js")], { env, stdio: ["ignore", "pipe", "inherit"] });
  const pid = child.pid!;
  let finished = false;
  child.on("exit", (code, signal) => {
    if (finished) return;
    console.error(`the gateway exited during the run (code ${code}, signal ${signal})`);
    process.exit(1);
  });
  let port: string | undefined;
  for await (const line of createInterface({ input: child.stdout! })) {
    port = line.match(/on 127\.0\.0\.1:(\d+) \(HTTP\/1\.1\)/)?.[1];
    if (port) break;
  }
  if (!port) throw new Error("the gateway exited before it was listening");
  // MEMORY_VERBOSE=1 shows the gateway's output (with MEMORY_NODE_ARGS=--trace-gc, its collections).
  if (process.env["MEMORY_VERBOSE"]) child.stdout!.pipe(process.stderr);
  else child.stdout!.resume();

  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY + 1, pipelining: 1 });
  let sequence = 0;
  let errors = 0;
  const call = async (): Promise<void> => {
    const body = JSON.stringify({
      model: "local-echo",
      messages: [{ role: "user", content: `ping ${sequence++}` }],
      max_tokens: 16,
      ...(CACHED ? { temperature: 0 } : {}),
    });
    const res = await pool.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body });
    await res.body.text();
    if (res.statusCode !== 200) errors++;
  };
  /** CONCURRENCY callers until `done` says stop; returns the calls made. */
  const load = async (done: (startedAt: number, calls: number) => boolean): Promise<number> => {
    const startedAt = performance.now();
    let calls = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (!done(startedAt, calls)) {
          calls++;
          await call().catch(() => void errors++);
        }
      }),
    );
    return calls;
  };

  const rows: string[] = [];
  const heaps: string[] = [];
  const heapRow = (phase: string, r: Runtime) => {
    const t = (s: string) => (r.total.get(s) ?? 0).toFixed(1);
    const u = (s: string) => (r.used.get(s) ?? 0).toFixed(1);
    const rest = [...r.total].filter(([s]) => s !== "new" && s !== "old").reduce((n, [, v]) => n + v, 0);
    heaps.push(`| ${phase} | ${t("new")} | ${u("old")} / ${t("old")} | ${rest.toFixed(1)} |`);
  };
  /** Runs one loaded phase and adds its row: RSS median and max, throughput, CPU and GC pauses per call. */
  const phase = async (name: string, done: (startedAt: number, calls: number) => boolean) => {
    const before = await runtimeOf(pool);
    const cpu = cpuSecondsOf(pid);
    const errorsBefore = errors;
    const t0 = performance.now();
    const samples: ReturnType<typeof memoryOf>[] = [];
    const timer = setInterval(() => samples.push(memoryOf(pid)), SAMPLE_MS);
    const calls = await load(done);
    clearInterval(timer);
    const seconds = (performance.now() - t0) / 1000;
    const cpuMs = ((cpuSecondsOf(pid) - cpu) * 1000) / calls;
    const after = await runtimeOf(pool);
    const gcMs = (kind: string) => (((after.gc.get(kind) ?? 0) - (before.gc.get(kind) ?? 0)) * 1000) / calls;
    const rss = samples.map((s) => s.rss);
    rows.push(
      `| ${name} | ${median(rss).toFixed(0)} / ${Math.max(...rss).toFixed(0)} | ${(calls / seconds).toFixed(0)} | ${cpuMs.toFixed(3)} | ${gcMs("minor").toFixed(3)} | ${(gcMs("major") + gcMs("incremental")).toFixed(3)} | ${errors - errorsBefore} |`,
    );
    heapRow(name, after);
    return samples;
  };

  await sleep(SETTLE_MS);
  const idle = memoryOf(pid);
  heapRow("idle after start-up", await runtimeOf(pool));

  await phase(`saturation, ${SATURATION_MS / 1000} s`, (startedAt) => performance.now() - startedAt >= SATURATION_MS);

  // The long run: RSS at every tenth of the calls.
  const checkpoints: { calls: number; rss: number }[] = [];
  const step = Math.max(1, Math.floor(CALLS / 10));
  let next = step;
  const long = await phase(`long run, ${CALLS} calls`, (_, calls) => {
    if (calls >= next) {
      checkpoints.push({ calls: next, rss: memoryOf(pid).rss });
      next += step;
    }
    return calls >= CALLS;
  });
  await sleep(SETTLE_MS);
  const after = memoryOf(pid);
  heapRow("idle after the long run", await runtimeOf(pool));

  const mb = (x: number) => x.toFixed(1);
  console.log(
    `node ${process.version}, gateway flags: ${NODE_ARGS.join(" ") || "none"}; concurrency ${CONCURRENCY}${CACHED ? "; calls cached" : ""}${TOKEN_DELAY_MS === undefined ? "" : `; token delay ${TOKEN_DELAY_MS} ms`}\n`,
  );
  console.log("| idle | RSS MB | anonymous | files |\n|---|---|---|---|");
  console.log(`| after start-up (${SETTLE_MS / 1000} s) | ${mb(idle.rss)} | ${mb(idle.anon)} | ${mb(idle.file)} |`);
  console.log(`| after the long run (${SETTLE_MS / 1000} s) | ${mb(after.rss)} | ${mb(after.anon)} | ${mb(after.file)} |\n`);
  console.log("| under load | RSS MB, median / max | req/s | CPU ms per call | GC pause ms per call: minor | major | errors |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
  console.log("\nV8 heap at the end of each phase (MB): new space committed, old space used / committed, every other space committed.\n");
  console.log("| at the end of | new | old | other |\n|---|---|---|---|");
  for (const h of heaps) console.log(h);
  console.log("\nRSS during the long run (MB), at every tenth of the calls:\n");
  console.log(`| calls | ${checkpoints.map((c) => c.calls).join(" | ")} |`);
  console.log(`|---|${checkpoints.map(() => "---").join("|")}|`);
  console.log(`| RSS | ${checkpoints.map((c) => c.rss.toFixed(0)).join(" | ")} |`);
  // Flat means the second half grows no more than noise: compare the medians of its two quarters.
  const half = long.slice(Math.floor(long.length / 2)).map((s) => s.rss);
  const q = Math.floor(half.length / 2);
  console.log(
    `\nSecond half of the long run: median RSS ${mb(median(half.slice(0, q)))} MB in its first quarter, ${mb(median(half.slice(q)))} MB in its last.`,
  );

  finished = true;
  await pool.close();
  child.kill("SIGTERM");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
