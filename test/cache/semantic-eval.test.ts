import { describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLDS } from "../../src/cache/semantic/create.js";
import { dot, type Embedder } from "../../src/cache/semantic/embedder.js";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";
import { createLexicalEmbedder } from "../../src/cache/semantic/lexical.js";
import { createLocalEmbedder } from "../../src/cache/semantic/local.js";
import { createSemanticIndex } from "../../src/cache/semantic/memory-index.js";
import { createMinilmEmbedder } from "../../src/cache/semantic/minilm.js";
import { systemClock } from "../../src/core/clock.js";
import { PAIRS, type Pair } from "./semantic-pairs.js";

interface Scored {
  pair: Pair;
  similarity: number;
  guarded: string | undefined;
}

async function score(embedder: Embedder): Promise<Scored[]> {
  const texts = [...new Set(PAIRS.flatMap((p) => [p.cached, p.query]))];
  const vectors = new Map<string, Float32Array>();
  const embedded = await embedder.embed(texts);
  for (const [i, t] of texts.entries()) vectors.set(t, embedded[i]!);
  return PAIRS.map((pair) => ({
    pair,
    similarity: dot(vectors.get(pair.cached)!, vectors.get(pair.query)!),
    guarded: guardMismatch(guardFeatures(pair.cached), guardFeatures(pair.query)),
  }));
}

function measure(scored: Scored[], threshold: number, guard: boolean) {
  let tp = 0;
  let fp = 0;
  const wrong: string[] = [];
  for (const s of scored) {
    const hit = s.similarity >= threshold && (!guard || s.guarded === undefined);
    if (!hit) continue;
    if (s.pair.kind === "hit") tp++;
    else {
      fp++;
      wrong.push(`${s.pair.kind}: "${s.pair.cached}" -> "${s.pair.query}" (${s.similarity.toFixed(3)})`);
    }
  }
  const positives = scored.filter((s) => s.pair.kind === "hit").length;
  return { tp, fp, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp / positives, wrong };
}

const embedders: [keyof typeof DEFAULT_THRESHOLDS, () => Embedder][] = [
  ["local", createLocalEmbedder],
  ["lexical", createLexicalEmbedder],
  ["minilm", () => createMinilmEmbedder({ clock: systemClock })],
];

describe("semantic cache evaluation", () => {
  it("has at least 100 labelled pairs, paraphrases and every kind of near miss", () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(100);
    const kinds = new Set(PAIRS.map((p) => p.kind));
    for (const k of ["hit", "number", "entity", "negation", "order", "unit", "contrast", "topic"]) expect(kinds).toContain(k);
  });

  it.each(embedders)(
    "%s embedder: precision and recall by threshold; the default makes no wrong hit",
    { timeout: 60_000 },
    async (name, make) => {
      const scored = await score(make());
      const rows: string[] = [
        `${name} embedder (${PAIRS.length} pairs, ${scored.filter((s) => s.pair.kind === "hit").length} paraphrases)`,
      ];
      rows.push("threshold | guard: precision recall wrong | no guard: precision recall wrong");
      for (let t = 0.5; t <= 0.951; t += 0.05) {
        const g = measure(scored, t, true);
        const n = measure(scored, t, false);
        rows.push(
          `${t.toFixed(2)} | ${g.precision.toFixed(3)} ${g.recall.toFixed(3)} ${g.fp} | ${n.precision.toFixed(3)} ${n.recall.toFixed(3)} ${n.fp}`,
        );
      }
      const byKind = new Map<string, number>();
      for (const s of scored) if (s.pair.kind !== "hit" && s.guarded) byKind.set(s.pair.kind, (byKind.get(s.pair.kind) ?? 0) + 1);
      rows.push(`near misses the guard refuses, by kind: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(", ")}`);
      const refusedParaphrases = scored.filter((s) => s.pair.kind === "hit" && s.guarded);
      rows.push(
        `paraphrases the guard refuses (${refusedParaphrases.length}): ${refusedParaphrases.map((s) => `"${s.pair.query}" (${s.guarded})`).join("; ")}`,
      );
      rows.push(`wrong hits with the guard at 0.50: ${measure(scored, 0.5, true).wrong.join("; ") || "none"}`);
      const threshold = DEFAULT_THRESHOLDS[name];
      const chosen = measure(scored, threshold, true);
      rows.push(
        `default ${threshold}: precision ${chosen.precision.toFixed(3)}, recall ${chosen.recall.toFixed(3)}, wrong hits ${chosen.fp}`,
      );
      console.log(rows.join("\n"));
      expect(chosen.wrong).toEqual([]);
      // A cache that never hits would pass the line above; it must also be worth having.
      expect(chosen.recall).toBeGreaterThanOrEqual(name === "local" ? 0.6 : 0.4);
    },
  );

  it("the real index, with the default local configuration, serves no near miss and finds paraphrases", { timeout: 60_000 }, async () => {
    const index = createSemanticIndex({
      embedder: createLocalEmbedder(),
      threshold: DEFAULT_THRESHOLDS.local,
      maxEntries: 10_000,
      clock: systemClock,
    });
    let wrong = 0;
    let found = 0;
    for (const [i, pair] of PAIRS.entries()) {
      // One scope per pair, so that each pair is judged alone.
      await index.add("t", `scope-${i}`, pair.cached, `key-${i}`, 60_000);
      const match = await index.find("t", `scope-${i}`, pair.query);
      if (match && pair.kind !== "hit") wrong++;
      if (match && pair.kind === "hit") found++;
    }
    expect(wrong).toBe(0);
    expect(found).toBeGreaterThan(0);
  });
});
