/**
 * What one semantic-cache lookup costs to embed, per offline embedder (docs/caching.md, "Embedders"):
 * load time and memory (RSS before and after loading, and the peak), the latency of one lookup at a
 * time for short, medium and long prompts (p50, p99), a burst of 32 lookups at once, and the longest
 * the event loop was held meanwhile (minilm runs in a worker thread; USE-lite runs on the event loop).
 * Each embedder runs in its own process, so that one's memory does not count in another's.
 * Run with `npm run bench:embedder` on a quiet machine; BENCH_CALLS sets lookups per length (200).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Embedder } from "../src/cache/semantic/embedder.js";
import { createLexicalEmbedder } from "../src/cache/semantic/lexical.js";
import { createLocalEmbedder } from "../src/cache/semantic/local.js";
import { createMinilmEmbedder } from "../src/cache/semantic/minilm.js";
import { MINILM_F32 } from "../src/cache/semantic/model-files.js";
import { systemClock } from "../src/core/clock.js";

const CALLS = Number(process.env["BENCH_CALLS"] ?? 200);
const SHORT = "How do I reverse a list in Python without copying it?";
const MEDIUM =
  "I have a Postgres table of orders with a customer id, an amount and a created-at timestamp. How do I get, for each customer, the total of their orders in the last thirty days, including customers who ordered nothing, sorted by that total?";
const LONG = `${MEDIUM} ${"Here is more context about the schema, the indexes we have and what we tried so far, pasted from our notes. ".repeat(12)}`;

const makers: Record<string, () => Embedder & { close?(): Promise<void>; stats?(): { jobs: number } }> = {
  lexical: () => createLexicalEmbedder(),
  local: createLocalEmbedder,
  minilm: () => createMinilmEmbedder({ clock: systemClock }),
  "minilm-f32": () => createMinilmEmbedder({ clock: systemClock, spec: MINILM_F32 }),
};

const mb = (bytes: number) => Math.round(bytes / 1048576);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function child(name: string): Promise<Record<string, unknown>> {
  const rssBefore = process.memoryUsage().rss;
  const embedder = makers[name]!();
  const loadStart = performance.now();
  await embedder.embed(["warm up"]);
  const loadMs = performance.now() - loadStart;
  const rssLoaded = process.memoryUsage().rss;
  const row: Record<string, unknown> = {
    embedder: name,
    loadMs: Math.round(loadMs),
    rssBeforeMb: mb(rssBefore),
    rssLoadedMb: mb(rssLoaded),
  };
  // A 1 ms ticker: the longest gap between its ticks is the longest time the event loop was held.
  // (monitorEventLoopDelay records nothing while the loop never turns, which is the case to catch.)
  const gaps: number[] = [];
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  let n = 0;
  for (const [label, text] of [
    ["short", SHORT],
    ["medium", MEDIUM],
    ["long", LONG],
  ] as const) {
    for (let i = 0; i < 5; i++) await embedder.embed([`${text} ${++n}`]);
    const times: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t = performance.now();
      await embedder.embed([`${text} ${++n}`]);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    row[`${label}P50Ms`] = Number(pct(times, 50).toFixed(2));
    row[`${label}P99Ms`] = Number(pct(times, 99).toFixed(2));
  }
  // A burst: 32 lookups arrive at once; minilm sends those that wait to its worker together.
  const jobsBefore = embedder.stats?.().jobs ?? 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: 32 }, () => embedder.embed([`${SHORT} ${++n}`])));
  row["burst32Ms"] = Number((performance.now() - t).toFixed(1));
  if (embedder.stats) row["burst32Jobs"] = embedder.stats().jobs - jobsBefore;
  clearInterval(ticker);
  gaps.push(performance.now() - last);
  gaps.sort((a, b) => a - b);
  row["loopHeldMaxMs"] = Number(gaps.at(-1)!.toFixed(1));
  row["loopHeldP99Ms"] = Number(pct(gaps, 99).toFixed(1));
  row["rssAfterMb"] = mb(process.memoryUsage().rss);
  row["rssPeakMb"] = Math.round(process.resourceUsage().maxRSS / 1024);
  await embedder.close?.();
  return row;
}

const asChild = process.argv.find((a) => a.startsWith("--child="))?.slice(8);
if (asChild) {
  process.stdout.write(`${JSON.stringify(await child(asChild))}\n`);
} else {
  const names = (process.argv.find((a) => a.startsWith("--embedders="))?.slice(12) ?? "lexical,local,minilm").split(",");
  const rows = names.map((name) => {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), `--child=${name}`], { encoding: "utf8" });
    return JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, unknown>;
  });
  console.log(`embedder cost per lookup, ${CALLS} lookups per length, one at a time (Node ${process.versions.node})`);
  console.table(rows);
}
