import { describe, expect, it } from "vitest";
import { normalise } from "../../src/cache/semantic/embedder.js";
import { createSemanticIndex, MAX_GUARDED, Partition } from "../../src/cache/semantic/memory-index.js";
import { Sketcher } from "../../src/cache/semantic/sketch.js";
import type { Embedder } from "../../src/cache/semantic/embedder.js";
import { manualClock } from "../support/manual-clock.js";

/** A seeded generator, so that every run sees the same vectors. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const unit = (dims: number, g: () => number) => normalise(Float32Array.from({ length: dims }, g));

/** A unit vector at cosine `target` from `v`. */
function near(v: Float32Array, target: number, g: () => number): Float32Array {
  const r = unit(v.length, g);
  let d = 0;
  for (let i = 0; i < v.length; i++) d += r[i]! * v[i]!;
  const orth = normalise(r.map((x, i) => x - d * v[i]!));
  return normalise(v.map((x, i) => target * x + Math.sqrt(1 - target * target) * orth[i]!));
}

describe("sketch scan", () => {
  it.each([512, 1536])("finds exactly what scoring every entry finds, at every threshold (%i dimensions)", (dims) => {
    const g = gaussian(dims);
    const sketcher = new Sketcher(dims);
    const p = new Partition("t", dims, sketcher);
    const anchors = Array.from({ length: 40 }, () => unit(dims, g));
    // Planted neighbours at similarities from 0.5 to 0.99, among random entries.
    let n = 0;
    for (const a of anchors) for (let k = 0; k < 25; k++) p.add(`k${n++}`, "q", near(a, 0.5 + (0.49 * k) / 24, g), Infinity);
    for (let k = 0; k < 1000; k++) p.add(`r${n++}`, "q", unit(dims, g), Infinity);
    for (const threshold of [0.5, 0.75, 0.85, 0.95]) {
      for (const a of anchors) {
        const qs = new Uint32Array(sketcher.words);
        sketcher.sketch(a, qs, 0);
        expect(p.scan(a, qs, threshold)).toEqual(p.scanAll(a, threshold));
      }
    }
  });

  it("keeps sketches in step with vectors when entries are removed", () => {
    const dims = 64;
    const g = gaussian(7);
    const sketcher = new Sketcher(dims);
    const p = new Partition("t", dims, sketcher);
    const vs = Array.from({ length: 50 }, () => unit(dims, g));
    for (const [i, v] of vs.entries()) p.add(`k${i}`, `q${i}`, v, Infinity);
    for (let i = 0; i < 50; i += 3) p.remove(`k${i}`);
    for (const [i, v] of vs.entries()) {
      const qs = new Uint32Array(sketcher.words);
      sketcher.sketch(v, qs, 0);
      const found = p.scan(v, qs, 0.999).map((m) => p.keys[m.i]);
      expect(found).toEqual(i % 3 === 0 ? [] : [`k${i}`]);
    }
  });
});

describe("semantic index", () => {
  const fixed = (vectors: Record<string, number[]>): Embedder => ({
    name: "fixed",
    dims: 3,
    embed: async (texts) => texts.map((t) => normalise(Float32Array.from(vectors[t] ?? [0, 0, 1]))),
  });

  it("matches within one tenant and scope only, skips expired entries, and evicts the oldest past maxEntries", async () => {
    const clock = manualClock(1_000_000);
    const embedder = fixed({
      "capital of France?": [1, 0, 0],
      "France's capital?": [0.99, 0.1, 0],
      "Tell me France's capital": [0.98, 0.15, 0],
    });
    const index = createSemanticIndex({ embedder, threshold: 0.9, maxEntries: 2, clock });
    await index.add("ann", "s", "capital of France?", "k1", 10_000);
    expect((await index.find("ann", "s", "France's capital?"))?.key).toBe("k1");
    expect(await index.find("bob", "s", "France's capital?")).toBeUndefined();
    expect(await index.find("ann", "other", "France's capital?")).toBeUndefined();
    clock.advance(10_001);
    expect(await index.find("ann", "s", "France's capital?")).toBeUndefined();
    await index.add("ann", "s", "France's capital?", "k2", 60_000);
    await index.add("ann", "s", "Tell me France's capital", "k3", 60_000);
    await index.add("ann", "t", "capital of France?", "k4", 60_000);
    expect(index.size()).toBe(2);
    expect(index.size("ann")).toBe(2);
    await index.clear("ann");
    expect(index.size()).toBe(0);
  });

  it("lets the guard refuse a close vector with another number, and reports why", async () => {
    const embedder = fixed({ "What is 15% of 200?": [1, 0, 0], "What is 15% of 300?": [1, 0.01, 0] });
    const refused: string[] = [];
    const index = createSemanticIndex({
      embedder,
      threshold: 0.9,
      maxEntries: 10,
      clock: manualClock(0),
      onGuarded: (_q, _c, reason) => refused.push(reason),
    });
    await index.add("t", "s", "What is 15% of 200?", "k", 60_000);
    expect(await index.find("t", "s", "What is 15% of 300?")).toBeUndefined();
    expect(refused).toEqual(["number: 300 / 200"]);
  });

  it("reads at most MAX_GUARDED candidates per lookup, closest first, so hostile entries cannot hold the loop", async () => {
    const texts = Array.from({ length: MAX_GUARDED + 4 }, (_, k) => `What is ${k + 1}% of 200?`);
    const vectors = Object.fromEntries(texts.map((t, k) => [t, [1, 0.001 * (texts.length - k), 0]]));
    const refused: string[] = [];
    const index = createSemanticIndex({
      embedder: fixed({ ...vectors, "What is 1% of 200, please?": [1, 0, 0] }),
      threshold: 0.9,
      maxEntries: 100,
      clock: manualClock(0),
      onGuarded: (_q, cached) => refused.push(cached),
    });
    // The only entry the guard would pass (1%) is the farthest of them all.
    for (const t of texts.slice(1)) await index.add("t", "s", t, t, 60_000);
    await index.add("t", "s", texts[0]!, "one", 60_000);
    await index.add("t", "far", texts[0]!, "one", 60_000);
    expect(await index.find("t", "s", "What is 1% of 200, please?")).toBeUndefined();
    expect(refused).toEqual(texts.slice(-MAX_GUARDED).reverse());
    expect((await index.find("t", "far", "What is 1% of 200, please?"))?.key).toBe("one");
  });

  it("stops reading candidates once the guard's time budget is spent: the first is always read", async () => {
    const texts = ["What is 2% of 200?", "What is 3% of 200?", "What is 1% of 200?"];
    const vectors = Object.fromEntries(texts.map((t, k) => [t, [1, 0.001 * (k + 1), 0]]));
    const make = (guardBudgetMs: number) => {
      const refused: string[] = [];
      const index = createSemanticIndex({
        embedder: fixed({ ...vectors, "What is 1% of 200, please?": [1, 0, 0] }),
        threshold: 0.9,
        maxEntries: 100,
        clock: manualClock(0),
        guardBudgetMs,
        onGuarded: (_q, cached) => refused.push(cached),
      });
      return { index, refused };
    };
    for (const budget of [-1, 1_000_000]) {
      const { index, refused } = make(budget);
      for (const [k, t] of texts.entries()) await index.add("t", "s", t, `k${k}`, 60_000);
      const found = await index.find("t", "s", "What is 1% of 200, please?");
      // Spent before it starts: only the closest is read, and it is refused. Plenty: the third one answers.
      if (budget < 0) expect([found, refused]).toEqual([undefined, [texts[0]]]);
      else expect([found?.key, refused]).toEqual(["k2", texts.slice(0, 2)]);
    }
  });
});
