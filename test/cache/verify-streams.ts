import type { AnswerComparator } from "../../src/cache/semantic/verify-compare.js";

/** A small seeded generator (mulberry32): the streams are random but the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a stream did: candidates seen, served, served wrong, explored. */
export interface Tally {
  candidates: number;
  served: number;
  wrong: number;
  explored: number;
}

export const tally = (): Tally => ({ candidates: 0, served: 0, wrong: 0, explored: 0 });

/** Wrong answers among those served (precision's complement), and among every candidate (the vCache paper's error rate). */
export const rates = (t: Tally) => ({
  wrongPerServed: t.served === 0 ? 0 : t.wrong / t.served,
  wrongPerCandidate: t.wrong / t.candidates,
  served: t.served / t.candidates,
});

/**
 * A comparator that knows the truth (the fake upstream's answer names the
 * meaning) but lies at the given rates: falseSame calls a differing answer the
 * same (the dangerous mistake), falseDifferent calls the same answer different.
 */
export function noisyComparator(truth: AnswerComparator, rnd: () => number, falseSame: number, falseDifferent: number): AnswerComparator {
  return {
    name: `noisy(${falseSame}, ${falseDifferent})`,
    async same(c) {
      const same = await truth.same(c);
      if (same) return rnd() >= falseDifferent;
      return rnd() < falseSame;
    },
  };
}

/** One line of a printed table. */
export const row = (cells: (string | number)[]) =>
  `| ${cells.map((c) => (typeof c === "number" && !Number.isInteger(c) ? c.toFixed(4) : c)).join(" | ")} |`;
