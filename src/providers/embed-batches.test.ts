import { describe, expect, it } from "vitest";
import { batchesOf, embedInBatches } from "./embed-batches.js";

const target = { provider: "p", model: "m" };

/** A call whose answers the test releases one by one, recording how many were in flight at once. */
function scripted() {
  const pending: { signal: AbortSignal; settled: boolean; release: (tokens?: number) => void; fail: (e: Error) => void }[] = [];
  let inFlight = 0;
  let most = 0;
  const finish = (entry: { settled: boolean }) => {
    entry.settled = true;
    inFlight--;
  };
  const call = (batch: string[], signal: AbortSignal) =>
    new Promise<{ vectors: Float32Array[]; inputTokens?: number }>((resolve, reject) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const entry = {
        signal,
        settled: false,
        release: (tokens?: number) => {
          finish(entry);
          resolve({ vectors: batch.map((t) => Float32Array.of(Number(t))), ...(tokens === undefined ? {} : { inputTokens: tokens }) });
        },
        fail: (e: Error) => {
          finish(entry);
          reject(e);
        },
      };
      pending.push(entry);
    });
  return { call, pending, most: () => most };
}

/** Lets the batcher start the calls it may start now. */
const settle = () => new Promise((r) => setImmediate(r));

describe("embedInBatches", () => {
  it("keeps at most `concurrency` calls in flight and puts the vectors back in the inputs' order", async () => {
    const s = scripted();
    const texts = Array.from({ length: 7 }, (_, i) => String(i));
    const result = embedInBatches(texts, { maxInputs: 1, concurrency: 3 }, new AbortController().signal, target, s.call);
    // Answers come back newest first; each answer lets the next batch start.
    for (let released = 0; released < 7; released++) {
      await settle();
      s.pending
        .filter((p) => !p.settled)
        .at(-1)!
        .release(1);
    }
    const out = await result;
    expect(s.most()).toBe(3);
    expect(out.vectors.map((v) => v[0])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(out.usage).toEqual({ inputTokens: 7 });
  });

  it("reports no usage when a batch counted none, for the gateway to count", async () => {
    const s = scripted();
    const result = embedInBatches(["1", "2"], { maxInputs: 1, concurrency: 2 }, new AbortController().signal, target, s.call);
    await settle();
    s.pending[0]!.release(3);
    s.pending[1]!.release();
    expect((await result).usage).toBeUndefined();
  });

  it("aborts the calls in flight on the first failure, and on the caller's cancel", async () => {
    const s = scripted();
    const failing = embedInBatches(["1", "2"], { maxInputs: 1, concurrency: 2 }, new AbortController().signal, target, s.call);
    await settle();
    s.pending[1]!.fail(new Error("boom"));
    await expect(failing).rejects.toThrow("boom");
    expect(s.pending[0]!.signal.aborted).toBe(true);

    const t = scripted();
    const caller = new AbortController();
    const cancelled = embedInBatches(["1", "2", "3"], { maxInputs: 1, concurrency: 2 }, caller.signal, target, t.call);
    await settle();
    caller.abort();
    expect(t.pending.every((p) => p.signal.aborted)).toBe(true);
    for (const p of t.pending) p.fail(new Error("aborted"));
    await expect(cancelled).rejects.toThrow("aborted");
    // The third batch never started.
    expect(t.pending).toHaveLength(2);
  });

  it("makes no call for a caller that has already gone", async () => {
    const s = scripted();
    const caller = new AbortController();
    caller.abort();
    await expect(embedInBatches(["1"], { maxInputs: 1, concurrency: 1 }, caller.signal, target, s.call)).rejects.toThrow();
    expect(s.pending).toHaveLength(0);
  });

  it("refuses an answer with another number of vectors than its batch", async () => {
    const call = async () => ({ vectors: [Float32Array.of(1)] });
    await expect(embedInBatches(["a", "b"], { maxInputs: 2, concurrency: 1 }, new AbortController().signal, target, call)).rejects.toThrow(
      "1 vectors for 2 inputs",
    );
  });
});

describe("batchesOf", () => {
  it("cuts by count and by characters, a text longer than the bound alone", () => {
    expect(batchesOf(["a", "b", "c"], { maxInputs: 2 })).toEqual([["a", "b"], ["c"]]);
    expect(batchesOf(["aaaa", "bb", "cc", "dddddd", "e"], { maxInputs: 10, maxChars: 5 })).toEqual([
      ["aaaa"],
      ["bb", "cc"],
      ["dddddd"],
      ["e"],
    ]);
  });
});
