import { describe, expect, it } from "vitest";
import type { RequestLogStore, RequestRecord, StoredRecord } from "./store.js";
import { createRequestLogWriter } from "./writer.js";

const record = (requestId: string) => ({ requestId }) as RequestRecord;

/** A store that holds its appends until released, or fails them while `down`. */
function heldStore() {
  const written: string[] = [];
  let release: (() => void) | undefined;
  const state = { down: false, hold: false };
  const store: RequestLogStore = {
    async append(records) {
      if (state.hold) await new Promise<void>((r) => (release = r));
      if (state.down) throw new Error("store down");
      written.push(...records.map((r) => r.requestId));
    },
    async query() {
      return { records: [] as StoredRecord[] };
    },
  };
  return { store, written, state, release: () => release?.() };
}

describe("request log writer", () => {
  it("writes in the background, in order, and flush waits for it", async () => {
    const s = heldStore();
    const w = createRequestLogWriter({ store: s.store, maxPending: 100 });
    w.write(record("a"));
    w.write(record("b"));
    expect(s.written).toEqual([]);
    await w.flush();
    expect(s.written).toEqual(["a", "b"]);
    expect(w.dropped).toBe(0);
  });

  it("drops and counts what does not fit while the store is slow, and never blocks the caller", async () => {
    const s = heldStore();
    s.state.hold = true;
    const counted: number[] = [];
    const w = createRequestLogWriter({ store: s.store, maxPending: 2, onDropped: (n) => counted.push(n) });
    w.write(record("a"));
    const flushed = w.flush();
    // "a" is being written (held); two fit in the queue; the fourth is dropped.
    await Promise.resolve();
    w.write(record("b"));
    w.write(record("c"));
    w.write(record("d"));
    expect(w.dropped).toBe(1);
    s.state.hold = false;
    s.release();
    await flushed;
    await w.flush();
    expect(s.written).toEqual(["a", "b", "c"]);
    expect(counted).toEqual([1]);
  });

  it("drops and counts a batch the store fails, then writes again once it is back", async () => {
    const s = heldStore();
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as unknown as Parameters<typeof createRequestLogWriter>[0]["logger"];
    const w = createRequestLogWriter({ store: s.store, maxPending: 100, logger });
    s.state.down = true;
    w.write(record("a"));
    w.write(record("b"));
    await w.flush();
    expect(w.dropped).toBe(2);
    expect(warnings).toEqual(["request log entries dropped"]);
    s.state.down = false;
    w.write(record("c"));
    await w.flush();
    expect(s.written).toEqual(["c"]);
  });
});
