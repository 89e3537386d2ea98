import { describe, expect, it } from "vitest";
import { createMemoryRequestLog } from "../../src/request-log/memory-store.js";
import { createRedisRequestLog } from "../../src/request-log/redis-store.js";
import { type RequestLogStore, type RequestQuery, type RequestRecord, SCAN_LIMIT, type StoredRecord } from "../../src/request-log/store.js";
import { type ManualClock, manualClock } from "../support/manual-clock.js";
import { redisBackends } from "../support/redis-cluster.js";

const HOUR = 3_600_000;

type Retention = { maxEntries: number; maxAgeMs: number };
const roomy: Retention = { maxEntries: 100_000, maxAgeMs: 24 * HOUR };

/** Each backend, with a second handle on the same data (another replica) where there is one. */
const backends: [string, (clock: ManualClock, retention: Retention) => [RequestLogStore, RequestLogStore]][] = [
  [
    "memory",
    (clock, retention) => {
      const s = createMemoryRequestLog(clock, { ...retention, maxBytes: 64 * 1024 * 1024 });
      return [s, s];
    },
  ],
  ...redisBackends((client) => (clock: ManualClock, retention: Retention): [RequestLogStore, RequestLogStore] => [
    createRedisRequestLog(client(), clock, retention),
    createRedisRequestLog(client(), clock, retention),
  ]),
];

let n = 0;
const record = (over: Partial<RequestRecord> = {}): RequestRecord => ({
  time: Date.now(),
  face: "grpc",
  method: "CompletionService/Complete",
  tenant: "acme",
  keyId: "key-1",
  user: "ann",
  model: "gpt-test",
  provider: "fake-openai",
  attempts: [{ provider: "fake-openai", model: "gpt-4o-mini", outcome: "ok", latencyMs: 12 }],
  inputTokens: 10,
  outputTokens: 5,
  cachedInputTokens: 0,
  reasoningTokens: 0,
  costUsd: 0.0001,
  latencyMs: 20,
  code: "ok",
  cache: "miss",
  requestId: `req-${++n}`,
  traceId: "0af7651916cd43dd8448eb211c80319c",
  ...over,
});

/** Every record a query selects, page by page. */
async function all(store: RequestLogStore, q: Omit<RequestQuery, "pageSize" | "before">, pageSize = 3): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  let before: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await store.query({ ...q, pageSize, before });
    expect(page.records.length).toBeLessThanOrEqual(pageSize);
    out.push(...page.records);
    if (!page.next) return out;
    before = page.next;
  }
  throw new Error("pages never ended");
}

const ids = (rs: StoredRecord[]) => rs.map((r) => r.requestId);

describe.each(backends)("request log store contract: %s", (_name, make) => {
  it("keeps every field and returns the newest first", async () => {
    const clock = manualClock(Date.now());
    const [s] = make(clock, roomy);
    const first = record({ metadata: { team: "blue" }, prompt: '[{"role":"user","content":"hi"}]', answer: "hello" });
    const second = record({ code: "unavailable", reason: "UPSTREAM_UNAVAILABLE", httpStatus: 503 });
    await s.append([first]);
    await s.append([second]);
    const page = await s.query({ pageSize: 10 });
    expect(page.records.map(({ id: _, ...r }) => r)).toEqual([second, first]);
    expect(page.next).toBeUndefined();
    expect(new Set(page.records.map((r) => r.id)).size).toBe(2);
  });

  it.each<[string, Partial<RequestQuery>, string[]]>([
    ["tenant", { tenant: "globex" }, ["b"]],
    ["key", { keyId: "key-2" }, ["c"]],
    ["user", { user: "bob" }, ["d"]],
    ["model", { model: "claude-test" }, ["e"]],
    ["provider", { provider: "fake-anthropic" }, ["e"]],
    ["ok", { status: "ok" }, ["e", "d", "c", "b", "a"]],
    ["error", { status: "error" }, ["g", "f"]],
    ["a code", { status: "resource_exhausted" }, ["g"]],
    ["cache status", { cache: "hit" }, ["c"]],
    ["request id", { requestId: "f" }, ["f"]],
    ["min latency", { minLatencyMs: 100 }, ["d"]],
    ["min cost", { minCostUsd: 0.5 }, ["b"]],
    ["time range", { fromMs: 2_000, toMs: 4_000 }, ["c", "b"]],
    ["several at once", { tenant: "acme", status: "ok", user: "ann" }, ["e", "c", "a"]],
  ])("filters by %s", async (_what, filter, expected) => {
    const clock = manualClock(Date.now());
    const [s] = make(clock, { ...roomy, maxAgeMs: Number.MAX_SAFE_INTEGER / 2 });
    await s.append([
      record({ requestId: "a", time: 1_000 }),
      record({ requestId: "b", time: 2_000, tenant: "globex", costUsd: 0.75 }),
      record({ requestId: "c", time: 3_000, keyId: "key-2", cache: "hit" }),
      record({ requestId: "d", time: 4_000, user: "bob", latencyMs: 150 }),
      record({ requestId: "e", time: 5_000, model: "claude-test", provider: "fake-anthropic" }),
      record({ requestId: "f", time: 6_000, code: "unavailable", reason: "UPSTREAM_UNAVAILABLE" }),
      record({ requestId: "g", time: 7_000, code: "resource_exhausted", reason: "RATE_LIMITED" }),
    ]);
    expect(ids(await all(s, filter, 2))).toEqual(expected);
  });

  it("pages through everything once, newest first, while new calls keep being logged", async () => {
    const clock = manualClock(Date.now());
    const [s] = make(clock, roomy);
    for (let i = 0; i < 10; i++) await s.append([record({ requestId: `old-${i}` })]);
    const seen: string[] = [];
    let before: string | undefined;
    for (let page = 0; ; page++) {
      const p = await s.query({ pageSize: 3, before });
      seen.push(...ids(p.records));
      // Calls logged between pages are newer than every page's cursor: they never shift a page.
      await s.append([record({ requestId: `new-${page}` })]);
      if (!p.next) break;
      before = p.next;
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `old-${9 - i}`));
  });

  it("keeps only the newest maxEntries", async () => {
    const clock = manualClock(Date.now());
    const [s] = make(clock, { maxEntries: 5, maxAgeMs: 24 * HOUR });
    for (let i = 0; i < 12; i++) await s.append([record({ requestId: `r${i}` })]);
    expect(ids(await all(s, {}))).toEqual(["r11", "r10", "r9", "r8", "r7"]);
    // Past a macro node of the Redis stream too, where approximate trimming really drops entries.
    await s.append(Array.from({ length: 300 }, (_, i) => record({ requestId: `bulk${i}` })));
    expect(ids(await all(s, {}, 100))).toEqual(["bulk299", "bulk298", "bulk297", "bulk296", "bulk295"]);
  });

  it("forgets what is older than maxAgeMs", async () => {
    const clock = manualClock(Date.now());
    const [s] = make(clock, { maxEntries: 1000, maxAgeMs: HOUR });
    await s.append([record({ requestId: "early", time: clock.now() })]);
    clock.advance(HOUR / 2);
    await s.append([record({ requestId: "middle", time: clock.now() })]);
    clock.advance(HOUR / 2 + 1);
    await s.append([record({ requestId: "late", time: clock.now() })]);
    expect(ids(await all(s, {}))).toEqual(["late", "middle"]);
    clock.advance(2 * HOUR);
    expect(ids(await all(s, {}))).toEqual([]);
  });

  it("shares entries between replicas on the same store", async () => {
    const clock = manualClock(Date.now());
    const [a, b] = make(clock, roomy);
    await a.append([record({ requestId: "from-a" })]);
    await b.append([record({ requestId: "from-b" })]);
    expect(ids(await all(a, {}))).toEqual(["from-b", "from-a"]);
    expect(ids(await all(b, {}))).toEqual(["from-b", "from-a"]);
  });

  it("stops a selective query after a bounded scan and says where to go on", async () => {
    const clock = manualClock(Date.now());
    const [s] = make(clock, roomy);
    await s.append([record({ requestId: "needle", user: "rare" })]);
    await s.append(Array.from({ length: SCAN_LIMIT + 10 }, () => record()));
    const first = await s.query({ pageSize: 10, user: "rare" });
    expect(first.records).toEqual([]);
    expect(first.next).toBeDefined();
    const second = await s.query({ pageSize: 10, user: "rare", before: first.next });
    expect(ids(second.records)).toEqual(["needle"]);
  });
});
