import type { Clock } from "../core/clock.js";
import {
  compareIds,
  matches,
  type RequestLogStore,
  type RequestPage,
  type RequestQuery,
  type Retention,
  SCAN_LIMIT,
  type StoredRecord,
} from "./store.js";

/**
 * The request log in this replica's memory: a ring bounded by count, age and
 * the JSON size of its records; the oldest go first. Ids are "<ms>-<seq>"
 * like a Redis stream's, so that pages work the same on both.
 */
export function createMemoryRequestLog(clock: Clock, retention: Retention & { maxBytes: number }): RequestLogStore {
  // A queue as an array and a start index: appends at the end, evictions advance the start.
  let ring: { record: StoredRecord; bytes: number }[] = [];
  let start = 0;
  let bytes = 0;
  let lastMs = 0;
  let seq = 0;

  const evict = (now: number) => {
    const oldest = now - retention.maxAgeMs;
    while (start < ring.length) {
      const e = ring[start]!;
      const live = ring.length - start;
      if (live <= retention.maxEntries && bytes <= retention.maxBytes && e.record.time >= oldest) break;
      bytes -= e.bytes;
      start++;
    }
    // Compact once the dead head is as long as the live tail: amortised O(1) per record.
    if (start > 1024 && start * 2 > ring.length) {
      ring = ring.slice(start);
      start = 0;
    }
  };

  return {
    async append(records) {
      const now = clock.now();
      for (const r of records) {
        // Ids never go back, even if the clock does.
        if (now > lastMs) {
          lastMs = now;
          seq = 0;
        } else seq++;
        const record = { ...r, id: `${lastMs}-${seq}` };
        const size = JSON.stringify(record).length;
        ring.push({ record, bytes: size });
        bytes += size;
      }
      evict(now);
    },

    async query(q: RequestQuery): Promise<RequestPage> {
      evict(clock.now());
      const out: StoredRecord[] = [];
      let i = ring.length - 1;
      if (q.before !== undefined) {
        // Binary search for the newest record older than the cursor.
        let lo = start;
        let hi = ring.length - 1;
        i = start - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          if (compareIds(ring[mid]!.record.id, q.before) < 0) {
            i = mid;
            lo = mid + 1;
          } else hi = mid - 1;
        }
      }
      let scanned = 0;
      for (; i >= start; i--) {
        const r = ring[i]!.record;
        if (matches(r, q)) out.push(r);
        scanned++;
        if (out.length === q.pageSize || scanned === SCAN_LIMIT) return { records: out, ...(i > start ? { next: r.id } : {}) };
      }
      return { records: out };
    },
  };
}
