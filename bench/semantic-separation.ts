/**
 * How well each offline embedder alone (no threshold, no guard) tells a paraphrase from a near miss on
 * the development pairs: ROC AUC, and the best recall at precision 1.00 (every paraphrase scoring above
 * the highest-scoring near miss), with the kinds of near miss that score highest. Reads the development
 * set only (test/cache/semantic-data/dev.jsonl, or the file given) and the project's own pairs
 * (test/cache/semantic-data/legacy.jsonl); the held-out set is never read here, and nothing is tuned on it.
 *   npm run bench:separation [-- path/to/dev.jsonl] [-- --embedders=minilm,minilm-f32,local,lexical]
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { dot, type Embedder } from "../src/cache/semantic/embedder.js";
import { createLexicalEmbedder } from "../src/cache/semantic/lexical.js";
import { createLocalEmbedder } from "../src/cache/semantic/local.js";
import { guardFeatures, guardMismatch } from "../src/cache/semantic/guard.js";
import { createMinilmEmbedder } from "../src/cache/semantic/minilm.js";
import { MINILM_F32 } from "../src/cache/semantic/model-files.js";
import { systemClock } from "../src/core/clock.js";
import { loadPairs } from "../test/cache/semantic-eval.js";

interface LabelledPair {
  a: string;
  b: string;
  kind: string;
  same: boolean;
}

const args = process.argv.slice(2);
// From dist/bench/ (where this runs from) to the project.
const ROOT = new URL("../../", import.meta.url).pathname;
const devPath = args.find((a) => !a.startsWith("--")) ?? `${ROOT}test/cache/semantic-data/dev.jsonl`;
if (/heldout|held-out/i.test(basename(devPath))) throw new Error("the held-out set is never measured here: nothing may be tuned on it");
const wanted = (args.find((a) => a.startsWith("--embedders="))?.slice(12) ?? "minilm,local,lexical").split(",");

const sets: [string, LabelledPair[]][] = [
  [
    "project pairs (test/cache/semantic-data/legacy.jsonl)",
    loadPairs("legacy.jsonl").map((p) => ({ a: p.a, b: p.b, kind: p.kind, same: p.label === "same" })),
  ],
];
if (existsSync(devPath)) {
  const rows = readFileSync(devPath, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { a: string; b: string; kind: string; label: "same" | "different" });
  sets.unshift([`development set (${basename(devPath)})`, rows.map((r) => ({ a: r.a, b: r.b, kind: r.kind, same: r.label === "same" }))]);
} else {
  console.log(`(no development set at ${devPath}: only the project's pairs)`);
}

const makers: Record<string, () => Embedder & { close?(): Promise<void> }> = {
  minilm: () => createMinilmEmbedder({ clock: systemClock }),
  "minilm-f32": () => createMinilmEmbedder({ clock: systemClock, spec: MINILM_F32 }),
  local: createLocalEmbedder,
  lexical: () => createLexicalEmbedder(),
};

/** Mann-Whitney: the chance that a random paraphrase scores above a random near miss (ties count half). */
function rocAuc(same: number[], different: number[]): number {
  const all = [...same.map((s) => ({ s, pos: true })), ...different.map((s) => ({ s, pos: false }))].sort((x, y) => x.s - y.s);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const rank = (i + j + 1) / 2; // ranks from 1, ties share their mean rank
    for (let k = i; k < j; k++) if (all[k]!.pos) rankSum += rank;
    i = j;
  }
  return (rankSum - (same.length * (same.length + 1)) / 2) / (same.length * different.length);
}

async function scores(embedder: Embedder, pairs: LabelledPair[]): Promise<number[]> {
  const texts = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const vectors = new Map<string, Float32Array>();
  for (let i = 0; i < texts.length; i += 64) {
    const chunk = texts.slice(i, i + 64);
    const embedded = await embedder.embed(chunk);
    for (const [j, t] of chunk.entries()) vectors.set(t, embedded[j]!);
  }
  return pairs.map((p) => dot(vectors.get(p.a)!, vectors.get(p.b)!));
}

function report(name: string, pairs: LabelledPair[], sims: number[]): void {
  const same = sims.filter((_, i) => pairs[i]!.same);
  const different = sims.filter((_, i) => !pairs[i]!.same);
  const worstMiss = Math.max(...different);
  const p1Recall = same.filter((s) => s > worstMiss).length / same.length;
  // Recall at the thresholds that let at most 1% and 5% of near misses through.
  const sortedDiff = [...different].sort((a, b) => b - a);
  const recallAtFpr = (fpr: number) => {
    const t = sortedDiff[Math.floor(fpr * different.length)]!;
    return same.filter((s) => s > t).length / same.length;
  };
  console.log(
    `${name.padEnd(8)} AUC ${rocAuc(same, different).toFixed(3)}  precision-1.00 recall ${p1Recall.toFixed(3)} (above ${worstMiss.toFixed(3)})` +
      `  recall at 1% / 5% near misses let through: ${recallAtFpr(0.01).toFixed(3)} / ${recallAtFpr(0.05).toFixed(3)}`,
  );
  const byKind = new Map<string, number[]>();
  pairs.forEach((p, i) => {
    if (!p.same) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), sims[i]!]);
  });
  const top = [...byKind].map(([k, s]) => [k, Math.max(...s)] as const).sort((x, y) => y[1] - x[1]);
  // With the near-miss guard now in the tree on top: the best threshold's recall at precision 1.00.
  const passes = pairs.map((p) => guardMismatch(guardFeatures(p.a), guardFeatures(p.b)) === undefined);
  const worstGuarded = Math.max(-1, ...sims.filter((_, i) => !pairs[i]!.same && passes[i]));
  const guardedRecall = sims.filter((s, i) => pairs[i]!.same && passes[i] && s > worstGuarded).length / same.length;
  console.log(`         with the guard: precision-1.00 recall ${guardedRecall.toFixed(3)} (above ${worstGuarded.toFixed(3)})`);
  const at = (t: number, guard: boolean) => {
    const hits = sims.map((s, i) => s >= t && (!guard || passes[i]));
    const tp = hits.filter((h, i) => h && pairs[i]!.same).length;
    const fp = hits.filter((h, i) => h && !pairs[i]!.same).length;
    return `${(tp + fp === 0 ? 1 : tp / (tp + fp)).toFixed(2)}/${(tp / same.length).toFixed(2)}/${fp}`;
  };
  const thresholds = [0.8, 0.85, 0.9, 0.95, 0.97, 0.99];
  console.log(`         precision/recall/wrong by threshold ${thresholds.join(", ")}:`);
  console.log(`           alone:      ${thresholds.map((t) => at(t, false)).join("  ")}`);
  console.log(`           with guard: ${thresholds.map((t) => at(t, true)).join("  ")}`);
  console.log(`         near-miss kinds by highest score: ${top.map(([k, s]) => `${k} ${s.toFixed(3)}`).join(", ")}`);
  const paraphraseKinds = new Map<string, number[]>();
  pairs.forEach((p, i) => {
    if (p.same) paraphraseKinds.set(p.kind, [...(paraphraseKinds.get(p.kind) ?? []), sims[i]!]);
  });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const low = [...paraphraseKinds].map(([k, s]) => [k, median(s)] as const).sort((x, y) => x[1] - y[1]);
  console.log(`         paraphrase kinds by median score: ${low.map(([k, s]) => `${k} ${s.toFixed(3)}`).join(", ")}`);
}

for (const [setName, pairs] of sets) {
  console.log(`\n${setName}: ${pairs.length} pairs, ${pairs.filter((p) => p.same).length} paraphrases`);
  for (const name of wanted) {
    const make = makers[name];
    if (!make) throw new Error(`unknown embedder ${name}: one of ${Object.keys(makers).join(", ")}`);
    const embedder = make();
    report(name, pairs, await scores(embedder, pairs));
    await embedder.close?.();
  }
}
