import { afterAll, describe, expect, it } from "vitest";
import { type Candidate, createVerifier } from "../../src/cache/semantic/verify.js";
import { createExactComparator } from "../../src/cache/semantic/verify-compare.js";
import { createMemoryVerifyStore } from "../../src/cache/semantic/verify-store.js";
import { silentLogger } from "../../src/log.js";
import { manualClock } from "../support/manual-clock.js";
import { row, seeded } from "./verify-streams.js";

/**
 * Trusting the guard, held to δ by its audits: a stream of one-shot-like
 * candidates the static layer passes (every one at or above the threshold,
 * spread over 300 entries), of which a set share is wrong whatever the
 * similarity, as the guard's misses are (a role swapped reads as close as a
 * paraphrase). The fake upstream's answer names the meaning, so the exact
 * comparator is an exact oracle.
 */
const THRESHOLD = 0.85;
const ENTRIES = 300;
const HOUR = 3_600_000;

interface Run {
  trusted: number;
  wrongTrusted: number;
  /** Candidates seen once the last trusted hit had gone, and what was served and served wrong among them. */
  after: { candidates: number; served: number; wrong: number };
  /** The index of the last trusted hit (-1 when none). */
  lastTrusted: number;
  audited: number;
  /** Trusted hits among the stream's last half. */
  trustedLateShare: number;
}

async function stream(o: { wrongRate: number; delta: number; n: number; seed: number; auditRate?: number }): Promise<Run> {
  const rnd = seeded(o.seed);
  const verifier = createVerifier({
    settings: {
      delta: o.delta,
      confidence: 0.95,
      minObservations: 8,
      rule: "bound",
      models: {},
      tenants: {},
      trust: "guard",
      auditRate: o.auditRate ?? 0.05,
    },
    store: createMemoryVerifyStore(manualClock(), 10_000),
    comparator: createExactComparator(),
    logger: silentLogger,
    threshold: THRESHOLD,
    random: seeded(o.seed + 1),
  });
  const log: { trusted: boolean; served: boolean; wrong: boolean }[] = [];
  for (let i = 0; i < o.n; i++) {
    const e = Math.floor(ENTRIES * rnd());
    const s = THRESHOLD + (1 - THRESHOLD) * rnd();
    const correct = rnd() >= o.wrongRate;
    const c: Candidate = { tenant: "t", model: "m", key: `e${e}`, similarity: s, query: `q${i}`, cachedQuery: `e${e}`, ttlMs: HOUR };
    const d = await verifier.decide(c);
    const served = d.action === "serve";
    log.push({ trusted: d.reason === "trusted", served, wrong: served && !correct });
    if (!served) await verifier.settle(c, `the answer of ${e}`, correct ? `The answer of ${e}` : `another answer, ${i}`);
  }
  const lastTrusted = log.findLastIndex((x) => x.trusted);
  const tail = log.slice(lastTrusted + 1);
  const trusted = log.filter((x) => x.trusted);
  return {
    trusted: trusted.length,
    wrongTrusted: trusted.filter((x) => x.wrong).length,
    after: { candidates: tail.length, served: tail.filter((x) => x.served).length, wrong: tail.filter((x) => x.wrong).length },
    lastTrusted,
    audited: verifier.counters().get("m")?.audited ?? 0,
    trustedLateShare: log.slice(o.n / 2).filter((x) => x.trusted).length / (o.n / 2),
  };
}

const table: string[] = [];
const line = (name: string, n: number, r: Run) =>
  table.push(
    row([
      name,
      n,
      r.trusted,
      r.wrongTrusted,
      r.audited,
      r.lastTrusted + 1,
      r.after.served,
      r.after.candidates === 0 ? "" : r.after.wrong / Math.max(1, r.after.served),
      r.trustedLateShare,
    ]),
  );

describe("trusting the guard, with audits", () => {
  it.each([
    [0.05, 1],
    [0.05, 2],
    [0.03, 3],
  ])(
    "a guard wrong %s of the time at δ 0.01 (seed %s): audits stop the trusted hits, and from then on wrong answers stay under δ",
    async (wrongRate, seed) => {
      const n = 20_000;
      const r = await stream({ wrongRate, delta: 0.01, n, seed });
      line(`guard wrong ${wrongRate}, δ 0.01, seed ${seed}`, n, r);
      expect(r.trusted).toBeGreaterThan(0);
      // Stopped early, not at the stream's end: the rest of it went to the bound.
      expect(r.lastTrusted).toBeLessThan(n / 4);
      expect(r.after.candidates).toBeGreaterThan(n / 2);
      expect(r.after.wrong).toBeLessThanOrEqual(0.01 * Math.max(1, r.after.served));
      expect(r.trustedLateShare).toBe(0);
    },
  );

  it.each([
    [0, 1],
    [0.002, 2],
  ])("a guard wrong %s of the time at δ 0.01 (seed %s): trusted hits continue, less the audits", async (wrongRate, seed) => {
    const n = 20_000;
    const r = await stream({ wrongRate, delta: 0.01, n, seed });
    line(`guard wrong ${wrongRate}, δ 0.01, seed ${seed}`, n, r);
    expect(r.lastTrusted).toBeGreaterThan(n - 100);
    expect(r.trustedLateShare).toBeGreaterThan(0.9);
    expect(r.audited).toBeGreaterThan(0.03 * n);
    expect(r.wrongTrusted).toBeLessThanOrEqual(0.01 * r.trusted);
  });

  it("with no audits, a guard that is wrong is never found out: the audits are what keep δ", async () => {
    const n = 5_000;
    const r = await stream({ wrongRate: 0.05, delta: 0.01, n, seed: 4, auditRate: 0 });
    line("guard wrong 0.05, δ 0.01, no audits", n, r);
    expect(r.audited).toBe(0);
    // Every candidate is trusted, so nothing is explored and nothing learnt: the wrong hits go on.
    expect(r.trustedLateShare).toBe(1);
    expect(r.wrongTrusted / r.trusted).toBeGreaterThan(0.01);
  });

  afterAll(() => {
    console.log(
      [
        "| stream (candidates at or above the threshold, 300 entries) | candidates | trusted hits | wrong among them | audits | last trusted hit at | served after it | wrong / served after it | trusted share, last half |",
        "|---|---|---|---|---|---|---|---|---|",
        ...table,
      ].join("\n"),
    );
  });
});
