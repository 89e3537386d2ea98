import { type Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import type { FakeBehaviour } from "../support/fake-upstream.js";

/*
 * What the chaos runs share (chaos.test.ts on one provider, chaos-mixed.test.ts on a mix of kinds): the faults,
 * a seeded random, the driver that sends the requests (half unary, half streamed) and the report of a run.
 */

export const TEXT = "the quick brown fox jumps over the lazy dog";
/** Calls per run; CHAOS_REQUESTS raises it for the figures in docs/resilience.md (the CI size runs in seconds). */
export const REQUESTS = Number(process.env["CHAOS_REQUESTS"] ?? 200);
const CONCURRENCY = 10;

/** A deterministic random in [0, 1), so that a run's fault choices repeat. */
export function seeded(seed: number): () => number {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/** Every fault before the first token; a fallback can hide all of them. */
export const FAULTS: FakeBehaviour[] = [
  { status: 500 },
  { status: 503 },
  { status: 429, retryAfter: "0.05" },
  { reset: true },
  { hang: true },
  { firstByteDelayMs: 2_000 },
  { text: TEXT, abortAfterChunks: 0 },
  { text: "", endWithoutFinish: true },
];

/** The reasons a caller may see when every deployment failed: each names what went wrong. */
export const CLEAR_REASONS = [
  "UPSTREAM_UNAVAILABLE",
  "UPSTREAM_RATE_LIMITED",
  "UPSTREAM_TIMEOUT",
  "STREAM_INTERRUPTED",
  "CIRCUIT_OPEN",
  "DEADLINE_EXCEEDED",
  undefined,
];

/** What one run saw. */
export interface Run {
  failures: { code: Code; reason: string | undefined; message?: string }[];
  latencies: number[];
  /**
   * Per call, how long it ran past its deadline beyond how late this process's own timer for that deadline
   * fired (negative when it ended in time). The caller's deadline is a timer in this process, which also
   * runs the gateway and the fake upstream: on a loaded machine every timer fires late, so the figure takes
   * that lateness out and leaves what the call itself added.
   */
  overruns: number[];
  injected: number;
  statusless: number;
  /** Calls whose text was not the answer the fake would give uninterrupted (checked when the driver is told it). */
  mismatches: string[];
  /** Streams that were cut after their first text and continued by another attempt. */
  continued: number;
}

export const newRun = (): Run => ({ failures: [], latencies: [], overruns: [], injected: 0, statusless: 0, mismatches: [], continued: 0 });

/** Faults after the first text: a cut connection, a stream ending without its finish, chunks `stallMs` apart (past a timeout). */
export const MIDSTREAM_FAULTS = (text: string, random: () => number, stallMs: number): FakeBehaviour[] => {
  const words = text.split(" ").length;
  // After at least one word and before the last, so that the caller has some text and some is missing.
  const at = 1 + Math.floor(random() * (words - 2));
  return [
    { text, abortAfterChunks: at },
    { text: text.split(" ").slice(0, at).join(" "), endWithoutFinish: true },
    { text, chunkDelayMs: stallMs },
  ];
};

/**
 * Sends REQUESTS calls of `model`, CONCURRENCY at a time, each under `timeoutMs`, and records what callers saw;
 * with `expected`, also whether each answer's text is the one the prompt gets uninterrupted.
 */
export async function drive(
  grpcUrl: string,
  model: string,
  timeoutMs: number,
  run: Run,
  expected?: (prompt: string) => string,
): Promise<void> {
  const client = createClient(CompletionService, createGrpcTransport({ baseUrl: grpcUrl }));
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const started = performance.now();
        // Set before the call's own deadline timer (connect's), for the same time: it fires first, and its
        // lateness is the event loop's at the deadline.
        let lateness = 0;
        const probe = setTimeout(() => {
          lateness = performance.now() - started - timeoutMs;
        }, timeoutMs);
        try {
          const prompt = `q${i}`;
          let text = "";
          if (i % 2 === 0) {
            const { completion } = await client.complete({ model, messages: [{ role: Role.USER, content: prompt }] }, { timeoutMs });
            text = completion?.message?.content ?? "";
          } else {
            let sawCompletion = false;
            for await (const e of client.streamComplete({ model, messages: [{ role: Role.USER, content: prompt }] }, { timeoutMs })) {
              if (e.event.case === "delta") text += e.event.value.text;
              if (e.event.case !== "completion") continue;
              sawCompletion = true;
              if (e.event.value.attempts.some((a) => a.continuation)) run.continued++;
            }
            // A stream that ended without its final message and without an error status is a silent truncation.
            if (!sawCompletion) run.statusless++;
          }
          if (expected && text !== expected(prompt)) run.mismatches.push(`${prompt}: ${JSON.stringify(text)}`);
        } catch (e) {
          const err = ConnectError.from(e);
          run.failures.push({ code: err.code, reason: err.findDetails(ErrorInfoSchema)[0]?.reason, message: err.rawMessage });
        }
        clearTimeout(probe);
        const latency = performance.now() - started;
        run.latencies.push(latency);
        run.overruns.push(latency - timeoutMs - lateness);
      }
    }),
  );
}

/** One line of figures for the run, printed (docs/resilience.md keeps them). */
export function report(name: string, run: Run, extra = ""): string {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(0);
  const line = `${name}: ${REQUESTS} requests, ${run.injected} injected faults${extra}, ${run.failures.length} caller-visible failures, ${run.statusless} streams without a status, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`;
  console.log(line);
  return line;
}
