/**
 * What a configuration reload costs the calls around it, in one process
 * (the gateway and its callers share the event loop, so a stall of the loop
 * is seen by both). A gateway on the local echo model (no token pauses) is
 * kept busy by CONCURRENCY callers on the REST face; meanwhile it is reloaded
 * RELOADS times with a changed tenant limit (nothing new to load), then once
 * with a Mistral provider added: a provider kind this process has not loaded,
 * whose SDK is imported during that reload, before the swap. For each kind of
 * reload: how long it took, the longest the event loop was held during it
 * (the largest gap between 1 ms timer ticks, less the 1 ms), and the calls'
 * latency while reloads ran against a quiet stretch without any. Failed calls
 * are counted (there should be none).
 * Run with `npm run bench:reload`; figures go to docs/benchmarks.md.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/config/load.js";
import { silentLogger } from "../src/log.js";

const CONCURRENCY = Number(process.env["RELOAD_CONCURRENCY"] ?? 16);
const RELOADS = Number(process.env["RELOAD_COUNT"] ?? 20);
const QUIET_MS = Number(process.env["RELOAD_QUIET_MS"] ?? 3000);

const config = (rpm: number, mistral: boolean) => ({
  server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, playground: false },
  log: { level: "warn" },
  auth: { tenants: [{ name: "bench", keys: [{ env: "BENCH_KEY" }], limits: { requestsPerMinute: rpm } }] },
  providers: [
    { name: "local", kind: "local", tokenDelayMs: 0 },
    ...(mistral ? [{ name: "mistral", kind: "mistral", apiKey: "unused", baseUrl: "http://127.0.0.1:9" }] : []),
  ],
  models: [
    { name: "echo", provider: "local" },
    ...(mistral ? [{ name: "mistral-small", provider: "mistral", upstreamModel: "mistral-small-latest" }] : []),
  ],
});

const file = join(mkdtempSync(join(tmpdir(), "bench-reload-")), "config.json");
const env = { LLM_GATEWAY_CONFIG: file, BENCH_KEY: "sk-bench" };
writeFileSync(file, JSON.stringify(config(1e9, false)));
const app = createApp(loadConfig({ env }), { logger: silentLogger, env });
const server = await app.start();
const pool = new Pool(`http://127.0.0.1:${server.httpPort}`, { connections: CONCURRENCY });

// The longest gap between 1 ms ticks since the last reset: how long the loop was held.
let lastTick = performance.now();
let longestGap = 0;
const ticker = setInterval(() => {
  const now = performance.now();
  longestGap = Math.max(longestGap, now - lastTick - 1);
  lastTick = now;
}, 1);

let latencies: number[] = [];
let failures = 0;
let running = true;
const body = JSON.stringify({ model: "echo", messages: [{ role: "user", content: "a short question for the echo model" }] });
const callers = Array.from({ length: CONCURRENCY }, async () => {
  while (running) {
    const t0 = performance.now();
    const res = await pool.request({
      path: "/v1/chat/completions",
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
      body,
    });
    await res.body.text();
    if (res.statusCode !== 200) failures++;
    latencies.push(performance.now() - t0);
  }
});

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const wait = (t: number) => new Promise((r) => setTimeout(r, t));

/** Runs `step`, reporting its duration and the longest loop stall during it. */
async function timed(step: () => Promise<unknown>): Promise<{ ms: number; stall: number }> {
  longestGap = 0;
  lastTick = performance.now();
  const t0 = performance.now();
  const outcome = await step();
  const took = performance.now() - t0;
  if (!(outcome as { ok?: boolean }).ok) throw new Error(`reload refused: ${JSON.stringify(outcome)}`);
  // The ticker sees a stall only when it next runs.
  await wait(5);
  return { ms: took, stall: longestGap };
}

await wait(1000);
latencies = [];
await wait(QUIET_MS);
const quiet = latencies;

latencies = [];
const plain: { ms: number; stall: number }[] = [];
for (let i = 0; i < RELOADS; i++) {
  writeFileSync(file, JSON.stringify(config(1e9 - i - 1, false)));
  plain.push(await timed(() => app.reload()));
  await wait(50);
}
const during = latencies;

writeFileSync(file, JSON.stringify(config(1e9, true)));
latencies = [];
const withMistral = await timed(() => app.reload());
const duringMistral = latencies;

running = false;
await Promise.all(callers);
clearInterval(ticker);
await pool.close();
await server.close(0);

const rows = [
  ["quiet (no reload)", `${quiet.length} calls`, ms(pct(quiet, 50)), ms(pct(quiet, 99)), ms(Math.max(...quiet))],
  [`while reloading ×${RELOADS}`, `${during.length} calls`, ms(pct(during, 50)), ms(pct(during, 99)), ms(Math.max(...during))],
  [
    "while adding Mistral",
    `${duringMistral.length} calls`,
    ms(pct(duringMistral, 50)),
    ms(pct(duringMistral, 99)),
    ms(Math.max(...duringMistral)),
  ],
];
console.log(`calls (REST, local echo, ${CONCURRENCY} callers): p50, p99, max`);
for (const r of rows) console.log(`  ${r.join("  ")}`);
console.log(
  `reload, tenant limit changed: median ${ms(
    pct(
      plain.map((p) => p.ms),
      50,
    ),
  )}, max ${ms(Math.max(...plain.map((p) => p.ms)))}; longest loop stall median ${ms(
    pct(
      plain.map((p) => p.stall),
      50,
    ),
  )}, max ${ms(Math.max(...plain.map((p) => p.stall)))}`,
);
console.log(`reload adding a Mistral provider (SDK not loaded yet): ${ms(withMistral.ms)}; longest loop stall ${ms(withMistral.stall)}`);
console.log(`failed calls: ${failures}`);
process.exit(0);
