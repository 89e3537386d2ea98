/**
 * `npm run bench:soak [-- N]`: does the gateway's memory stay flat over a long
 * run? N calls (default 1,000,000) at saturation through the gateway on the
 * embedded defaults, in chunks that take turns over the REST face and the gRPC
 * face, unary and streamed (wrk and ghz, 32 callers). RSS is sampled every
 * second; each chunk reports the calls so far and the RSS. "Flat" means the RSS
 * of the last quarter of calls is within SOAK_FLAT_MB (20) of the second
 * quarter's, once the heap has grown to its working size.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { grpcJson, restBodies } from "./lib/clients.js";
import { ghz, median, wrk, wrkPost, type LoadResult } from "./lib/load.js";
import { commitOf, findTool, removeWorkDir, requireNode24, ROOT, rssMb, stopAll, truncateOutput, workDir } from "./lib/procs.js";
import { startGateway, startUpstream } from "./lib/servers.js";

requireNode24();
const TOTAL = Number(process.argv[2] ?? process.env["BENCH_SOAK_CALLS"] ?? 1_000_000);
const CHUNK_S = Number(process.env["BENCH_SOAK_CHUNK_S"] ?? 20);
const FLAT_MB = Number(process.env["SOAK_FLAT_MB"] ?? 20);
const CONCURRENCY = 32;

const wrkPath = findTool("wrk");
const ghzPath = findTool("ghz");
if (!wrkPath || !ghzPath) {
  process.stderr.write("wrk or ghz is missing: run `npm run bench:setup` first\n");
  process.exit(2);
}

/** One chunk of the run, as reported. */
interface Chunk {
  kind: string;
  calls: number;
  errors: number;
  rps: number;
  /** Calls so far, this chunk included. */
  total: number;
  /** RSS in MB: median and max of the 1 s samples during the chunk, and at its end. */
  rssMedian: number;
  rssMax: number;
  rssEnd: number;
  seconds: number;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const upstream = await startUpstream();
  const gateway = await startGateway("gateway-soak", upstream.match[1]!, { cache: "default" });
  await new Promise((r) => setTimeout(r, 2000));
  const idle = rssMb(gateway.pid);
  const rest = `${gateway.httpUrl}/v1/chat/completions`;
  const unaryLua = wrkPost(restBodies.unary);
  const streamLua = wrkPost(restBodies.stream);
  const kinds: [string, () => Promise<LoadResult>][] = [
    ["REST unary", () => wrk(wrkPath!, rest, unaryLua, CONCURRENCY, CHUNK_S)],
    ["gRPC Complete", () => ghzRun("Complete")],
    ["REST stream", () => wrk(wrkPath!, rest, streamLua, CONCURRENCY, CHUNK_S)],
    ["gRPC StreamComplete", () => ghzRun("StreamComplete")],
  ];
  const ghzRun = (method: string) =>
    ghz(ghzPath!, { address: gateway.grpcAddress, method, data: grpcJson.unary, concurrency: CONCURRENCY, seconds: CHUNK_S });

  process.stderr.write(`soak: ${TOTAL.toLocaleString("en-US")} calls; gateway idle at ${idle.toFixed(0)} MB (output in ${workDir})\n`);
  const chunks: Chunk[] = [];
  let total = 0;
  for (let i = 0; total < TOTAL; i++) {
    const [kind, load] = kinds[i % kinds.length]!;
    const samples: number[] = [];
    const timer = setInterval(() => samples.push(rssMb(gateway.pid)), 1000);
    const t0 = Date.now();
    const r = await load();
    clearInterval(timer);
    const rssEnd = rssMb(gateway.pid);
    truncateOutput(gateway);
    samples.push(rssEnd);
    total += r.calls;
    const chunk: Chunk = {
      kind,
      calls: r.calls,
      errors: r.errors,
      rps: r.rps,
      total,
      rssMedian: median(samples),
      rssMax: Math.max(...samples),
      rssEnd,
      seconds: (Date.now() - t0) / 1000,
    };
    chunks.push(chunk);
    const elapsed = (Date.now() - startedAt) / 1000;
    const eta = (elapsed / total) * (TOTAL - total);
    process.stderr.write(
      `[${elapsed.toFixed(0).padStart(5)} s] ${total.toLocaleString("en-US").padStart(10)} calls  ${kind.padEnd(20)} ` +
        `${r.rps.toFixed(0).padStart(5)}/s  errors ${r.errors}  RSS ${chunk.rssMedian.toFixed(0)} (max ${chunk.rssMax.toFixed(0)}) MB` +
        `  ~${Math.max(0, eta / 60).toFixed(0)} min left\n`,
    );
    if (r.calls === 0) throw new Error(`${kind}: no call succeeded`);
  }
  // After the load: does the RSS come back down once the gateway is idle?
  await new Promise((r) => setTimeout(r, 10_000));
  const settled = rssMb(gateway.pid);

  const inQuarter = (q: number) => chunks.filter((c) => c.total > (q - 1) * 0.25 * total && c.total <= q * 0.25 * total);
  const second = median(inQuarter(2).map((c) => c.rssMedian));
  const last = median(inQuarter(4).map((c) => c.rssMedian));
  const growth = last - second;
  const flat = Number.isFinite(growth) && growth <= FLAT_MB;
  const errors = chunks.reduce((a, c) => a + c.errors, 0);

  const out: string[] = [
    `\n## Soak: ${total.toLocaleString("en-US")} calls, ${((Date.now() - startedAt) / 60_000).toFixed(0)} min, ` +
      `commit ${commitOf().commit}, Node ${process.versions.node}\n`,
    `Gateway on the embedded defaults; chunks of ${CHUNK_S} s at ${CONCURRENCY} callers, in turn REST unary, gRPC Complete, ` +
      "REST stream, gRPC StreamComplete. RSS in MB.\n",
    "| calls so far | RSS median | RSS max |",
    "|---|---|---|",
  ];
  // Ten rows or so, evenly spread, are enough to see a trend; the JSON keeps every chunk.
  const step = Math.max(1, Math.floor(chunks.length / 10));
  for (let i = 0; i < chunks.length; i += step) {
    const c = chunks[i]!;
    out.push(`| ${c.total.toLocaleString("en-US")} | ${c.rssMedian.toFixed(0)} | ${c.rssMax.toFixed(0)} |`);
  }
  out.push(
    "",
    `Idle before: ${idle.toFixed(0)} MB; idle 10 s after: ${settled.toFixed(0)} MB; max ${Math.max(...chunks.map((c) => c.rssMax)).toFixed(0)} MB.`,
    `Second quarter of calls: median ${second.toFixed(0)} MB; last quarter: ${last.toFixed(0)} MB; growth ${growth.toFixed(1)} MB ` +
      `(flat means ≤ ${FLAT_MB} MB): **${flat ? "FLAT" : "GROWING"}**. Failed calls: ${errors}.`,
  );

  const dir = join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const { commit, dirty } = commitOf();
  const base = `${new Date().toISOString().slice(0, 10)}-${commit}${dirty ? "-dirty" : ""}-soak`;
  let file = join(dir, `${base}.json`);
  for (let i = 2; existsSync(file); i++) file = join(dir, `${base}-${i}.json`);
  writeFileSync(file, `${JSON.stringify({ total, idle, settled, second, last, growth, flat, chunkSeconds: CHUNK_S, chunks }, null, 2)}\n`);
  out.push("", `Results: ${file}`);
  process.stdout.write(`${out.join("\n")}\n`);
}

try {
  await main();
  await stopAll();
  removeWorkDir();
} catch (err) {
  process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\nservers' output: ${workDir}\n`);
  await stopAll();
  process.exit(1);
}
