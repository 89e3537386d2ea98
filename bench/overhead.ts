/**
 * Measures the latency the gateway adds over calling the fake upstream
 * directly, at fixed request rates (open loop, so a slow response cannot
 * hide queueing) and at saturation, for unary gRPC and for streaming time to
 * first token. The gateway and the upstream run as child processes; this
 * process is the load generator. All three share the machine's cores, as in
 * the target. Run with `npm run bench`; figures go to docs/benchmarks.md.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { create } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import { CompleteRequestSchema, CompletionService, StreamCompleteRequestSchema } from "../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../gen/ts/llmgateway/v1/types_pb.js";
import { grpcClient, unary } from "../test/support/grpc-client.js";

const PHASE_MS = Number(process.env["BENCH_PHASE_MS"] ?? 5000);
const WARMUP_MS = Number(process.env["BENCH_WARMUP_MS"] ?? 1500);
const REPEATS = Number(process.env["BENCH_REPEATS"] ?? 3);
const RATES = (process.env["BENCH_RATES"] ?? "200,500").split(",").map(Number);
const SATURATION_CONCURRENCY = 32;

type Call = () => Promise<void>;
interface Stats {
  n: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  rps: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summarise(latencies: number[], errors: number, elapsedMs: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    n: sorted.length,
    errors,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    rps: (sorted.length / elapsedMs) * 1000,
  };
}

/** Open loop: requests start on schedule whether or not earlier ones finished; latency counts from the scheduled start. */
async function fixedRate(call: Call, rate: number, durationMs: number): Promise<Stats> {
  const latencies: number[] = [];
  let errors = 0;
  const interval = 1000 / rate;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; ; i++) {
    const scheduled = start + i * interval;
    if (scheduled - start >= durationMs) break;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      call().then(
        () => void latencies.push(performance.now() - scheduled),
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  return summarise(latencies, errors, performance.now() - start);
}

/** Closed loop at a fixed concurrency: the most the set-up can do. */
async function saturate(call: Call, concurrency: number, durationMs: number): Promise<Stats> {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - start < durationMs) {
        const t = performance.now();
        try {
          await call();
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  return summarise(latencies, errors, performance.now() - start);
}

async function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=prof") goes to the child processes, for profiling.
  const nodeArgs = (process.env["BENCH_NODE_ARGS"] ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const match = line.match(ready);
    if (match) return { child, match };
  }
  throw new Error(`${args.join(" ")} exited before it was ready`);
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const dist = new URL(".", import.meta.url).pathname;
  const { child: upstreamProc, match: up } = await startChild([join(dist, "upstream.js")], {}, /^(http:\/\/\S+)$/);
  const baseUrl = up[1]!;
  const dir = mkdtempSync(join(tmpdir(), "gw-bench-"));
  const configFile = join(dir, "gateway.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0 },
      log: { level: "warn" },
      providers: [{ name: "fake", kind: "openai-compatible", baseUrl, apiKey: "sk-bench" }],
      models: [
        { name: "bench-model", provider: "fake", upstreamModel: "gpt-4o-mini", pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
      ],
    }),
  );
  const { child: gatewayProc, match: gw } = await startChild(
    [join(dist, "../src/main.js")],
    { LLM_GATEWAY_CONFIG: configFile },
    /gRPC on 127\.0\.0\.1:(\d+)/,
  );
  const client = grpcClient(CompletionService, `127.0.0.1:${gw[1]}`);

  const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "ping" }], max_tokens: 64 });
  const streamBody = JSON.stringify({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "ping" }],
    max_tokens: 64,
    stream: true,
    stream_options: { include_usage: true },
  });
  const request = create(CompleteRequestSchema, { model: "bench-model", messages: [{ role: Role.USER, content: "ping" }], maxTokens: 64 });
  const streamRequest = create(StreamCompleteRequestSchema, {
    model: "bench-model",
    messages: [{ role: Role.USER, content: "ping" }],
    maxTokens: 64,
  });

  const direct: Call = async () => {
    const res = await fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
      body,
    });
    await res.json();
  };
  // Time to first token, directly: until the first SSE chunk that carries text. The rest is read and dropped.
  const directStream: Call = async () => {
    const res = await fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
      body: streamBody,
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
      if (text.includes('"content":"B')) {
        void reader.cancel();
        return;
      }
    }
  };
  const viaGateway: Call = async () => void (await unary(client, "complete", request));
  const viaGatewayStream: Call = () =>
    new Promise<void>((resolve, reject) => {
      const call = client["streamComplete"]!(streamRequest) as grpc.ClientReadableStream<unknown>;
      let first = true;
      call.on("data", () => {
        if (first) {
          first = false;
          resolve();
        }
      });
      call.on("error", (e: Error) => (first ? reject(e) : undefined));
      call.on("end", () => (first ? reject(new Error("no delta")) : undefined));
    });

  // Warm both paths (JIT, connection pools) before measuring.
  await saturate(direct, 8, WARMUP_MS);
  await saturate(viaGateway, 8, WARMUP_MS);
  await saturate(viaGatewayStream, 8, WARMUP_MS);

  const rows: { name: string; stats: Stats[] }[] = [];
  const phase = async (name: string, run: () => Promise<Stats>) => {
    let row = rows.find((r) => r.name === name);
    if (!row) rows.push((row = { name, stats: [] }));
    row.stats.push(await run());
  };
  const rss: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    // One call at a time: what the gateway adds when nothing competes for the cores.
    await phase("unary direct sequential (c=1)", () => saturate(direct, 1, PHASE_MS));
    await phase("unary gateway sequential (c=1)", () => saturate(viaGateway, 1, PHASE_MS));
    await phase("ttft direct sequential (c=1)", () => saturate(directStream, 1, PHASE_MS));
    await phase("ttft gateway sequential (c=1)", () => saturate(viaGatewayStream, 1, PHASE_MS));
    for (const rate of RATES) {
      await phase(`unary direct @${rate}/s`, () => fixedRate(direct, rate, PHASE_MS));
      await phase(`unary gateway @${rate}/s`, () => fixedRate(viaGateway, rate, PHASE_MS));
      rss.push(rssMb(gatewayProc.pid!));
      await phase(`ttft direct @${rate}/s`, () => fixedRate(directStream, rate, PHASE_MS));
      await phase(`ttft gateway @${rate}/s`, () => fixedRate(viaGatewayStream, rate, PHASE_MS));
      rss.push(rssMb(gatewayProc.pid!));
    }
    await phase(`unary direct saturation (c=${SATURATION_CONCURRENCY})`, () => saturate(direct, SATURATION_CONCURRENCY, PHASE_MS));
    await phase(`unary gateway saturation (c=${SATURATION_CONCURRENCY})`, () => saturate(viaGateway, SATURATION_CONCURRENCY, PHASE_MS));
    rss.push(rssMb(gatewayProc.pid!));
  }

  const fmt = (x: number) => x.toFixed(3);
  const med = (stats: Stats[], key: keyof Stats) => median(stats.map((s) => s[key]));
  console.log(`\n${REPEATS} runs of ${PHASE_MS} ms per phase; medians across runs of each run's percentile (ms).\n`);
  console.log("| phase | requests/run | errors | achieved req/s | p50 | p90 | p99 |");
  console.log("|---|---|---|---|---|---|---|");
  for (const { name, stats } of rows) {
    console.log(
      `| ${name} | ${med(stats, "n")} | ${med(stats, "errors")} | ${med(stats, "rps").toFixed(0)} | ${fmt(med(stats, "p50"))} | ${fmt(med(stats, "p90"))} | ${fmt(med(stats, "p99"))} |`,
    );
  }
  console.log("\nAdded by the gateway (gateway minus direct, medians):\n");
  console.log("| load | p50 added | p90 added | p99 added |");
  console.log("|---|---|---|---|");
  const added = (kind: string, label: string) => {
    const d = rows.find((r) => r.name === `${kind} direct ${label}`)!;
    const g = rows.find((r) => r.name === `${kind} gateway ${label}`)!;
    const diff = (k: keyof Stats) => fmt(med(g.stats, k) - med(d.stats, k));
    console.log(`| ${kind} ${label} | ${diff("p50")} | ${diff("p90")} | ${diff("p99")} |`);
  };
  added("unary", "sequential (c=1)");
  added("ttft", "sequential (c=1)");
  for (const rate of RATES) {
    added("unary", `@${rate}/s`);
    added("ttft", `@${rate}/s`);
  }
  added("unary", `saturation (c=${SATURATION_CONCURRENCY})`);
  console.log(`\nGateway RSS: median ${median(rss).toFixed(0)} MB, max ${Math.max(...rss).toFixed(0)} MB.`);

  client.close();
  rss.push(rssMb(gatewayProc.pid!));
  gatewayProc.kill("SIGTERM");
  upstreamProc.kill("SIGTERM");
}

await main();
