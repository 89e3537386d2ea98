import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { SchemaJob, SchemaReply } from "./schema-worker.js";

/*
 * Runs schema jobs on one worker thread, one job at a time, each within its own time limit. A job that
 * runs over its limit, or that the worker dies on, costs the worker (it is ended and a new one started
 * for the next job), never the gateway.
 */

/** How a job ended: the worker's reply, out of time, or the worker died (`ours` when it never started). */
export type JobOutcome = { kind: "done"; reply: SchemaReply } | { kind: "timeout" } | { kind: "crashed"; why: string; ours: boolean };

interface Queued {
  job: SchemaJob;
  limitMs: number;
  /** The limit once the worker says that it must compile first. */
  compileLimitMs: number;
  settle: (outcome: JobOutcome) => void;
}

// A worker that does not start within this long is our failure, not a job's.
const STARTUP_LIMIT_MS = 10_000;
// A runaway compile dies alone (ERR_WORKER_OUT_OF_MEMORY) instead of taking the gateway's heap with it.
const WORKER_HEAP_MB = 256;

const queue: Queued[] = [];
let current: Queued | undefined;
let worker: Worker | undefined;
let ready = false;
let timer: NodeJS.Timeout | undefined;
let nextId = 1;
const stats = { jobs: 0, workers: 0 };

/** How many jobs have run and workers started (one, unless jobs timed out or crashed) so far: for tests. */
export const schemaJobStats = (): Readonly<typeof stats> => ({ ...stats });

/** Queues a job; it runs when the jobs before it are done, within `limitMs` (or `compileLimitMs` if it compiles). */
export function runSchemaJob(job: Omit<SchemaJob, "id">, limitMs: number, compileLimitMs = limitMs): Promise<JobOutcome> {
  return new Promise((settle) => {
    queue.push({ job: { ...job, id: nextId++ }, limitMs, compileLimitMs, settle });
    pump();
  });
}

/** The worker's file beside this one: .js in dist/, .ts when the sources run directly (tests). */
function workerUrl(): URL {
  const js = new URL("./schema-worker.js", import.meta.url);
  return existsSync(js) ? js : new URL("./schema-worker.ts", import.meta.url);
}

function pump(): void {
  if (current || queue.length === 0) return;
  if (!worker) start();
  if (!ready) return;
  current = queue.shift()!;
  stats.jobs++;
  arm(current.limitMs);
  worker!.postMessage(current.job);
}

/** A timer that keeps the process alive while a job runs; an idle worker does not. */
function arm(ms: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => (ready ? finish({ kind: "timeout" }) : fail("the schema worker did not start in time", true)), ms);
}

function start(): void {
  const w = new Worker(workerUrl(), { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
  worker = w;
  ready = false;
  stats.workers++;
  arm(STARTUP_LIMIT_MS);
  w.on("message", (m: SchemaReply | { ready: true }) => {
    if (w !== worker) return;
    if ("ready" in m) {
      ready = true;
      clearTimeout(timer);
      pump();
    } else if (current && m.id === current.job.id) {
      if (m.compiling) arm(current.compileLimitMs);
      else finish({ kind: "done", reply: m });
    }
  });
  w.on("error", (err) => {
    if (w === worker) fail(`the schema worker failed: ${err.message}`, !ready);
  });
  w.on("exit", (code) => {
    if (w === worker) fail(`the schema worker stopped (exit code ${code})`, !ready);
  });
  w.unref(); // after the listeners: adding a "message" listener refs the worker's port again
}

/** Ends the job that is running (or, when the worker never started, every job waiting). */
function fail(why: string, ours: boolean): void {
  if (ours) {
    const waiting = queue.splice(0);
    stop();
    for (const q of waiting) q.settle({ kind: "crashed", why, ours });
    return;
  }
  finish({ kind: "crashed", why, ours });
}

function finish(outcome: JobOutcome): void {
  clearTimeout(timer);
  const done = current;
  current = undefined;
  if (outcome.kind !== "done") stop();
  done?.settle(outcome);
  pump();
}

function stop(): void {
  const w = worker;
  worker = undefined;
  ready = false;
  clearTimeout(timer);
  void w?.terminate();
}
