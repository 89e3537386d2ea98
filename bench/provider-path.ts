/**
 * What one provider call costs the gateway's process: CPU microseconds per
 * call (process.cpuUsage() deltas over N calls) and latency, for each
 * provider path (the OpenAI format through the openai SDK and directly on the
 * wire, the Anthropic SDK, Anthropic's Vertex AI and Bedrock clients, @google/genai on the Gemini API,
 * @mistralai/mistralai on Mistral's API, cohere-ai on Cohere's v2 API),
 * asked without streaming
 * and streaming a 16-token answer, at concurrency 1 and 32. The fake upstream
 * runs in a child process so that its CPU is not counted. Providers are built
 * by the registry, as the gateway builds them.
 *
 * Run with `npm run bench:provider`. Knobs (environment): BENCH_CALLS (per
 * cell, default 2000), BENCH_ROUNDS (default 3; cells interleave and the
 * medians are printed), BENCH_PATHS, BENCH_MODES (unary,stream),
 * BENCH_CONCURRENCY (1,32). For a CPU profile of one cell:
 *   BENCH_PATHS=openai-sdk BENCH_MODES=unary BENCH_CONCURRENCY=32 BENCH_ROUNDS=1 BENCH_CALLS=20000 \
 *     node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/provider-path.js
 *   node dist/bench/provider-path.js --summarize /tmp/prof/<file>.cpuprofile
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { providerSchema } from "../src/config/parts.js";
import type { ProviderConfig } from "../src/config/schema.js";
import type { ProviderRequest } from "../src/providers/provider.js";
import { createProviders, type ProviderDeployment } from "../src/providers/registry.js";
import { BEDROCK_KEYS } from "../test/support/fake-anthropic-cloud.js";
import { startFakeUpstream } from "../test/support/fake-upstream.js";

/** Sixteen words: the fake upstream streams one chunk per word. */
const ANSWER = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";
const TOKENS = 16;

interface Cell {
  path: string;
  mode: "unary" | "stream";
  concurrency: number;
}
interface Figures {
  cpuUs: number;
  p50: number;
  p90: number;
  rps: number;
}

const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(",").filter(Boolean);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const calls = Number(process.env["BENCH_CALLS"] ?? 2000);
  const rounds = Number(process.env["BENCH_ROUNDS"] ?? 3);
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--upstream"], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
  const [openAiBaseUrl, anthropicBaseUrl] = line.split(" ") as [string, string];
  const configs: Record<string, unknown> = {
    "openai-sdk": { name: "openai-sdk", kind: "openai-compatible", apiKey: "k", baseUrl: openAiBaseUrl, client: "sdk" },
    "openai-direct": { name: "openai-direct", kind: "openai-compatible", apiKey: "k", baseUrl: openAiBaseUrl, client: "direct" },
    "anthropic-sdk": { name: "anthropic-sdk", kind: "anthropic", apiKey: "k", baseUrl: anthropicBaseUrl },
    // Claude on the platforms: the same translation, plus Vertex's path rewrite, and Bedrock's SigV4 signing
    // and event-stream decoding (the fake checks each signature in its own process, not counted).
    "anthropic-vertex": {
      name: "anthropic-vertex",
      kind: "anthropic-vertex",
      projectId: "p",
      region: "us-east5",
      accessTokenEnv: "BENCH_GOOGLE_TOKEN",
      baseUrl: `${anthropicBaseUrl}/v1`,
    },
    "anthropic-bedrock": { name: "anthropic-bedrock", kind: "anthropic-bedrock", awsRegion: "us-east-1", baseUrl: anthropicBaseUrl },
    "gemini-sdk": { name: "gemini-sdk", kind: "gemini", apiKey: "k", baseUrl: anthropicBaseUrl },
    "mistral-sdk": { name: "mistral-sdk", kind: "mistral", apiKey: "k", baseUrl: `${anthropicBaseUrl}/mistral` },
    // Cohere's v2 API through cohere-ai: its request serializer and SSE parser, and the [DONE] escape over the stream.
    "cohere-sdk": { name: "cohere-sdk", kind: "cohere", apiKey: "k", baseUrl: anthropicBaseUrl },
  };
  const [keyId, secret] = Object.entries(BEDROCK_KEYS)[0] ?? [];
  const env = { BENCH_GOOGLE_TOKEN: "ya29.bench", AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret };
  const paths = list("BENCH_PATHS", Object.keys(configs).join(","));
  const deployments = createProviders(
    paths.map((p) => providerSchema.parse(configs[p]) as ProviderConfig),
    env,
  );
  const cells: Cell[] = [];
  for (const path of paths) {
    for (const mode of list("BENCH_MODES", "unary,stream") as Cell["mode"][]) {
      for (const concurrency of list("BENCH_CONCURRENCY", "1,32").map(Number)) cells.push({ path, mode, concurrency });
    }
  }
  const results = cells.map(() => [] as Figures[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, cell] of cells.entries()) {
      const deployment = deployments.get(cell.path)!;
      await run(deployment, cell, Math.min(500, calls)); // warm-up: JIT, connection pool
      results[i]!.push(await run(deployment, cell, calls));
    }
  }
  console.log(`Medians over ${rounds} rounds of ${calls} calls per cell; CPU is this process only (the upstream runs apart).\n`);
  console.log("| path | upstream call | concurrency | CPU µs per call | p50 ms | p90 ms | calls/s |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [i, c] of cells.entries()) {
    const f = results[i]!;
    const m = (k: keyof Figures, digits: number) => median(f.map((x) => x[k])).toFixed(digits);
    const label = c.mode === "unary" ? "unary (stream: false)" : `stream, ${TOKENS} tokens`;
    console.log(`| ${c.path} | ${label} | ${c.concurrency} | ${m("cpuUs", 0)} | ${m("p50", 3)} | ${m("p90", 3)} | ${m("rps", 0)} |`);
  }
  child.kill();
}

/** N calls through one deployment at a fixed concurrency (closed loop). */
async function run(deployment: ProviderDeployment, cell: Cell, calls: number): Promise<Figures> {
  const request: ProviderRequest = {
    model: "bench-model",
    messages: [{ role: "user", content: "ping" }],
    maxTokens: 64,
    stop: [],
    ...(cell.mode === "unary" ? { unary: true } : {}),
  };
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next++ < calls) {
      const t = performance.now();
      await once(deployment, request, cell.mode);
      latencies.push(performance.now() - t);
    }
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: cell.concurrency }, worker));
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return {
    cpuUs: (used.user + used.system) / calls,
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p90: latencies[Math.floor(latencies.length * 0.9)]!,
    rps: (calls / elapsed) * 1000,
  };
}

/** One provider call read to its end, as an attempt reads it; a wrong answer stops the benchmark. */
async function once(deployment: ProviderDeployment, request: ProviderRequest, mode: Cell["mode"]): Promise<void> {
  // Each attempt in the gateway has its own controller; so does each call here.
  const controller = new AbortController();
  let text = "";
  let deltas = 0;
  let ended = false;
  for await (const chunk of deployment.provider.stream(request, controller.signal)) {
    if (chunk.type === "delta") {
      deltas++;
      text += chunk.text;
    } else if (chunk.type === "end") {
      // The answer's tokens: Gemini's fake answers count thinking tokens beside them.
      ended = (chunk.usage?.outputTokens ?? 0) - (chunk.usage?.reasoningTokens ?? 0) === TOKENS;
    }
  }
  // The whole text, however it came: the direct client sends what one network read brought as one delta.
  if (!ended || text !== ANSWER || (mode === "unary" && deltas !== 1)) {
    throw new Error(`${deployment.provider.name}: unexpected answer (${deltas} deltas, ${text.length} characters, ended: ${ended})`);
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time of a --cpu-prof profile by function, and by where the code lives. */
function summarize(file: string): void {
  const profile = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const idle = new Set(["(idle)", "(program)"]);
  const fns = new Map<string, number>();
  const places = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (idle.has(functionName)) continue;
    busy += us;
    const where = place(url);
    const key = `${functionName || "(anonymous)"} ${where}${url ? `:${lineNumber + 1}` : ""}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    places.set(where, (places.get(where) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `| ${((us / busy) * 100).toFixed(1)}% | ${k} |`)
      .join("\n");
  console.log(`busy (not idle or program) ${(busy / 1000).toFixed(0)} ms\n\n| self | where |\n|---|---|\n${top(places, 15)}`);
  console.log(`\n| self | function |\n|---|---|\n${top(fns, 30)}`);
}

/** node_modules/<package>, node:<internal area>, our own file, or a V8 bucket such as (garbage collector). */
function place(url: string): string {
  if (!url) return "(native/V8)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  return url.replace(/^file:\/\/.*?\/(dist\/)?/, "");
}

// Last, so that every constant above is initialised: one file is the benchmark, its upstream and its profile reader.
if (process.argv[2] === "--upstream") {
  const upstream = await startFakeUpstream();
  upstream.setDefault({ text: ANSWER });
  setInterval(() => upstream.requests.splice(0), 1000).unref();
  process.stdout.write(`${upstream.openAiBaseUrl} ${upstream.anthropicBaseUrl}\n`);
} else if (process.argv[2] === "--summarize") {
  summarize(process.argv[3] ?? "");
} else {
  await main();
}
