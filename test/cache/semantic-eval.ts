/*
 * The semantic cache's evaluation, shared by test/cache/semantic-eval.test.ts and bench/semantic-lookup.ts:
 * labelled pairs from test/cache/semantic-data/*.jsonl (format in its README.md), run through the real index
 * as the cache runs them, and the tables the evaluation prints.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Embedder } from "../../src/cache/semantic/embedder.js";
import { createSemanticIndex } from "../../src/cache/semantic/memory-index.js";
import { systemClock } from "../../src/core/clock.js";

export interface LabelledPair {
  id: string;
  kind: string;
  label: "same" | "different";
  system?: string;
  context?: { role: string; content: string }[];
  a: string;
  b: string;
  note: string;
}

/** The data beside this file's source, also when it runs compiled from dist/ (the benchmark). */
export const DATA_DIR = join(fileURLToPath(new URL(".", import.meta.url)).replace(/\/dist\/test\//, "/test/"), "semantic-data");

/**
 * Files thresholds and rules may be tuned on: every *.jsonl there except the held-out ones, `heldout*.jsonl`:
 * the development set (`dev*.jsonl`), the old pairs, and the two earlier held-out sets, which became development
 * data once their results were read (semantic-data/SEEN.md, SEEN2.md). A held-out file is written apart,
 * reported, never tuned on, never failing the build.
 */
export const isHeldOut = (file: string): boolean => file.startsWith("heldout");
export const DEVELOPMENT_FILES: readonly string[] = readdirSync(DATA_DIR)
  .filter((f) => f.endsWith(".jsonl") && !isHeldOut(f))
  .sort();

export function dataFiles(): string[] {
  return readdirSync(DATA_DIR)
    .filter((f) => f.endsWith(".jsonl"))
    .sort();
}

export function loadPairs(file: string): LabelledPair[] {
  return readFileSync(join(DATA_DIR, file), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as LabelledPair);
}

/**
 * Wraps an embedder so that the texts of a whole file are embedded in one batch first; the index then
 * asks for one text at a time and is served from it. Same vectors, a fraction of the time.
 */
export function prefetching(embedder: Embedder): Embedder & { prefetch(texts: readonly string[]): Promise<void> } {
  const known = new Map<string, Float32Array>();
  return {
    name: embedder.name,
    dims: embedder.dims,
    async prefetch(texts) {
      const missing = [...new Set(texts)].filter((t) => !known.has(t));
      for (let i = 0; i < missing.length; i += 64) {
        const chunk = missing.slice(i, i + 64);
        for (const [k, v] of (await embedder.embed(chunk)).entries()) known.set(chunk[k]!, v);
      }
    },
    async embed(texts) {
      const out: Float32Array[] = [];
      for (const t of texts) out.push(known.get(t) ?? (await embedder.embed([t]))[0]!);
      return out;
    },
  };
}

/** One pair's outcome: served from the cache or not, and what the guard said when it refused. */
export interface Outcome {
  pair: LabelledPair;
  hit: boolean;
  guarded?: string;
  similarity?: number;
}

/**
 * Runs each pair through a fresh scope of the real index: `a` is stored, then `b` is looked up. The
 * system prompt and earlier turns are the scope (equal on both sides), so only `a` and `b` are compared.
 */
export async function runThroughIndex(embedder: Embedder, threshold: number, pairs: readonly LabelledPair[]): Promise<Outcome[]> {
  const guarded = new Map<string, { reason: string; similarity: number }>();
  const index = createSemanticIndex({
    embedder,
    threshold,
    maxEntries: pairs.length + 1,
    clock: systemClock,
    onGuarded: (query, cached, reason, similarity) => guarded.set(`${cached}\u0000${query}`, { reason, similarity }),
  });
  const out: Outcome[] = [];
  for (const [i, pair] of pairs.entries()) {
    const scope = `pair-${i}`;
    await index.add("eval", scope, pair.a, `key-${i}`, 3_600_000);
    const turns = [...(pair.system ? [{ role: "system", content: pair.system }] : []), ...(pair.context ?? [])];
    const match = await index.find("eval", scope, pair.b, turns);
    const g = guarded.get(`${pair.a}\u0000${pair.b}`);
    const similarity = match?.similarity ?? g?.similarity;
    out.push({ pair, hit: match !== undefined, ...(g ? { guarded: g.reason } : {}), ...(similarity !== undefined ? { similarity } : {}) });
  }
  return out;
}

/**
 * What a run at threshold -1 (every candidate reaches the guard) would have served at `threshold`: with one
 * entry per scope, a hit at a threshold is a guard pass at or above it.
 */
export const atThreshold = (outcomes: readonly Outcome[], threshold: number): Outcome[] =>
  outcomes.map((o) => ({ ...o, hit: o.hit && (o.similarity ?? -1) >= threshold }));

export interface Score {
  pairs: number;
  paraphrases: number;
  hits: number;
  wrong: number;
  precision: number;
  recall: number;
}

export function score(outcomes: readonly Outcome[]): Score {
  const paraphrases = outcomes.filter((o) => o.pair.label === "same").length;
  const hits = outcomes.filter((o) => o.hit).length;
  const wrong = outcomes.filter((o) => o.hit && o.pair.label === "different").length;
  const right = hits - wrong;
  return {
    pairs: outcomes.length,
    paraphrases,
    hits,
    wrong,
    precision: hits === 0 ? 1 : right / hits,
    recall: paraphrases === 0 ? 1 : right / paraphrases,
  };
}

/**
 * A Markdown table by kind: for a paraphrase kind, how many hit (recall); for a near-miss kind, how many
 * were served anyway (each one a wrong answer).
 */
export function tableByKind(title: string, outcomes: readonly Outcome[]): string {
  const s = score(outcomes);
  const rows = [
    `${title}: ${s.pairs} pairs, ${s.paraphrases} paraphrases; precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}, wrong answers served ${s.wrong}`,
    "",
    "| kind | label | pairs | served | rate |",
    "| --- | --- | --- | --- | --- |",
  ];
  const kinds = [...new Set(outcomes.map((o) => o.pair.kind))].sort();
  const byLabel = (label: string) => kinds.filter((k) => outcomes.find((o) => o.pair.kind === k)!.pair.label === label);
  for (const kind of [...byLabel("same"), ...byLabel("different")]) {
    const of = outcomes.filter((o) => o.pair.kind === kind);
    const served = of.filter((o) => o.hit).length;
    rows.push(`| ${kind} | ${of[0]!.pair.label} | ${of.length} | ${served} | ${(served / of.length).toFixed(2)} |`);
  }
  return rows.join("\n");
}
