import type { RedisClient } from "../redis-client.js";
import type { Clock } from "../core/clock.js";
import {
  compareIds,
  matches,
  type RequestLogStore,
  type RequestPage,
  type RequestQuery,
  type RequestRecord,
  type Retention,
  SCAN_LIMIT,
  type StoredRecord,
} from "./store.js";

/** One stream, one key: every command here touches only it, so it lives on one slot of a cluster. */
const KEY = "llmgw:{reqlog}:stream";
const CHUNK = 200;

/**
 * The request log in a Redis stream shared by every replica: XADD with
 * MAXLEN ~ (cheap, whole nodes at a time) and XTRIM MINID ~ for age. Since
 * approximate trimming keeps up to a node's worth beyond the bounds, a query
 * skips what the bounds have already evicted, so that both stores keep exactly
 * the same records. Stream ids (Redis's own clock) order the entries across
 * replicas; a record's `time` is the gateway's.
 */
export function createRedisRequestLog(redis: RedisClient, clock: Clock, retention: Retention): RequestLogStore {
  // The oldest id still within maxEntries: entries beyond the approximate trim are past it.
  async function floorId(): Promise<string | undefined> {
    const excess = (await redis.xlen(KEY)) - retention.maxEntries;
    if (excess <= 0) return undefined;
    const rows = await redis.xrange(KEY, "-", "+", "COUNT", excess + 1);
    return rows[rows.length - 1]?.[0];
  }

  return {
    async append(records) {
      if (records.length === 0) return;
      const now = clock.now();
      const pipeline = redis.pipeline();
      for (const r of records) pipeline.xadd(KEY, "MAXLEN", "~", retention.maxEntries, "*", "r", JSON.stringify(r));
      pipeline.xtrim(KEY, "MINID", "~", Math.max(0, Math.floor(now - retention.maxAgeMs)));
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0];
    },

    async query(q: RequestQuery): Promise<RequestPage> {
      const oldest = clock.now() - retention.maxAgeMs;
      const floor = await floorId();
      const out: StoredRecord[] = [];
      let end = q.before === undefined ? "+" : `(${q.before}`;
      let scanned = 0;
      // The first read asks for a page's worth: an unfiltered page costs one short read.
      let count = Math.min(CHUNK, q.pageSize);
      for (;;) {
        const rows = await redis.xrevrange(KEY, end, floor ?? "-", "COUNT", count);
        for (const [id, fields] of rows) {
          scanned++;
          const record = { ...(JSON.parse(fields[1] ?? "{}") as RequestRecord), id };
          if (record.time < oldest) return { records: out };
          if (matches(record, q)) out.push(record);
          const last = floor !== undefined && compareIds(id, floor) === 0;
          if (out.length === q.pageSize || scanned === SCAN_LIMIT) return { records: out, ...(last ? {} : { next: id }) };
        }
        if (rows.length < count) return { records: out };
        end = `(${rows[rows.length - 1]![0]}`;
        count = CHUNK;
      }
    },
  };
}
