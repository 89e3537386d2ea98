/**
 * The load generators: wrk for HTTP, ghz for gRPC (both native, so the load
 * costs the shared cores little), and an in-process open-loop or sequential
 * driver for the measures no generator takes (time to first content).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runTool, workDir } from "./procs.js";

/** What one load phase measured. */
export interface LoadResult {
  /** Calls answered successfully. */
  calls: number;
  /** Calls that failed (non-2xx, socket errors, gRPC errors). */
  errors: number;
  rps: number;
  /** Median latency in ms. */
  p50: number;
  p99: number;
}

/** The p-th percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The median, NaN for none. */
export function median(xs: number[]): number {
  const finite = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

let scripts = 0;

/** A wrk script that POSTs one JSON body. */
export function wrkPost(body: string): string {
  const file = join(workDir, `post-${scripts++}.lua`);
  writeFileSync(
    file,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer sk-bench"\n`,
  );
  return file;
}

const toMs = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? Number.NaN);

/**
 * wrk with one thread for `seconds`: at one connection this is a sequential
 * caller, at 32 the saturated closed loop the issue measures.
 */
export async function wrk(wrkPath: string, url: string, script: string, connections: number, seconds: number): Promise<LoadResult> {
  const out = await runTool(wrkPath, ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, url]);
  const requests = Number(out.match(/(\d+) requests in/)?.[1] ?? Number.NaN);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const socket = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const lat = (p: string) => {
    const m = out.match(new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m"));
    return m ? toMs(m[1]!, m[2]!) : Number.NaN;
  };
  // Requests/sec counts failed answers too: the rate of good ones comes from the count and the elapsed time.
  const elapsed = out.match(/requests in ([\d.]+)(us|ms|s|m),/);
  const elapsedS = elapsed ? toMs(elapsed[1]!, elapsed[2]!) / 1000 : Number.NaN;
  const calls = requests - non2xx;
  return { calls, errors: non2xx + socketErrors, rps: calls / elapsedS, p50: lat("50"), p99: lat("99") };
}

interface GhzReport {
  count: number;
  rps: number;
  latencyDistribution: { percentage: number; latency: number }[] | null;
  statusCodeDistribution?: Record<string, number>;
}

/** The options of one ghz run. */
export interface GhzOptions {
  address: string;
  /** Method name within llmgateway.v1.CompletionService. */
  method: string;
  /** The request, as protobuf JSON. */
  data: object;
  concurrency: number;
  seconds: number;
}

/**
 * ghz on ONE HTTP/2 connection, as the issue measures (`--connections=1`),
 * with one core (`--cpus=1`, as wrk's one thread). Calls still running at the
 * end are waited for, so that a cut call is not counted as an error.
 */
export async function ghz(ghzPath: string, o: GhzOptions): Promise<LoadResult> {
  const out = await runTool(ghzPath, [
    "--insecure",
    "--proto",
    join(ROOT, "proto/llmgateway/v1/completion_service.proto"),
    "--import-paths",
    join(ROOT, "proto"),
    "--call",
    `llmgateway.v1.CompletionService.${o.method}`,
    "-d",
    JSON.stringify(o.data),
    "--connections=1",
    `--concurrency=${o.concurrency}`,
    "--cpus=1",
    `--duration=${o.seconds}s`,
    "--duration-stop=wait",
    "--format=json",
    o.address,
  ]);
  const report = JSON.parse(out) as GhzReport;
  const ok = report.statusCodeDistribution?.["OK"] ?? 0;
  const lat = (p: number) => (report.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? Number.NaN) / 1e6;
  return { calls: ok, errors: report.count - ok, rps: report.rps * (ok / Math.max(1, report.count)), p50: lat(50), p99: lat(99) };
}

/** A call given its start time (ms, performance.now()); resolves with the time it measured (time to first content) or rejects. */
export type TimedCall = (startedAt: number) => Promise<number>;

/** Latencies of one in-process phase, in ms. */
export interface Timings {
  p50: number;
  p99: number;
  calls: number;
  errors: number;
}

function timings(latencies: number[], errors: number): Timings {
  const sorted = latencies.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), calls: sorted.length, errors };
}

/**
 * Open loop at a fixed rate: each call starts on its schedule whether or not
 * earlier ones ended, and its time counts from the scheduled start, so that a
 * queue in the server (or in this process) shows instead of hiding.
 */
export async function openLoop(call: TimedCall, rate: number, seconds: number): Promise<Timings> {
  const latencies: number[] = [];
  let errors = 0;
  const interval = 1000 / rate;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i * interval < seconds * 1000; i++) {
    const scheduled = start + i * interval;
    const wait = scheduled - performance.now();
    // Timers here fire about a millisecond late: sleep to just before the start, then yield to I/O until it.
    if (wait > 2) await new Promise((r) => setTimeout(r, wait - 1.5));
    while (performance.now() < scheduled) await new Promise((r) => setImmediate(r));
    pending.push(
      call(scheduled).then(
        (ms) => void latencies.push(ms),
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  return timings(latencies, errors);
}

/** One call at a time for `seconds`. */
export async function sequential(call: TimedCall, seconds: number): Promise<Timings> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    try {
      latencies.push(await call(performance.now()));
    } catch {
      errors++;
    }
  }
  return timings(latencies, errors);
}
