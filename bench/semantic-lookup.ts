/**
 * The semantic lookup's cost, in parts (docs/caching.md "Latency"):
 *  1. the guard: reading one prompt (guardFeatures) and comparing two read prompts (guardMismatch), over the
 *     prompts of the development pairs; then the worst inputs we could think of, at the length bound;
 *  2. one whole lookup (embed the query, scan the index, guard the candidates) against an index holding every
 *     development prompt in one scope, with the lexical and the local (USE-lite) embedder.
 * Run with `npm run bench:semantic`. Figures are medians over BENCH_REPEATS runs of each percentile.
 */
import { MAX_ANALYSED } from "../src/cache/semantic/guard-normalise.js";
import { DEFAULT_THRESHOLDS } from "../src/cache/semantic/create.js";
import type { Embedder } from "../src/cache/semantic/embedder.js";
import { createLexicalEmbedder } from "../src/cache/semantic/lexical.js";
import { createLocalEmbedder } from "../src/cache/semantic/local.js";
import { createSemanticIndex } from "../src/cache/semantic/memory-index.js";
import { systemClock } from "../src/core/clock.js";
import { DEVELOPMENT_FILES, dataFiles, loadPairs } from "../test/cache/semantic-eval.js";

const REPEATS = Number(process.env["BENCH_REPEATS"] ?? 3);
const LOOKUPS = Number(process.env["BENCH_LOOKUPS"] ?? 300);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);

/** Times `run` once per item, REPEATS times over; the median of each run's p50, p99 and maximum. */
async function timeEach<T>(items: readonly T[], run: (item: T, run: number) => unknown): Promise<string> {
  const stats: { p50: number; p99: number; max: number }[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const lat: number[] = [];
    for (const item of items) {
      const t = performance.now();
      await run(item, r);
      lat.push(performance.now() - t);
    }
    lat.sort((a, b) => a - b);
    stats.push({ p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat.at(-1)! });
  }
  const m = (k: "p50" | "p99" | "max") => fmt(median(stats.map((s) => s[k])));
  return `p50 ${m("p50")}, p99 ${m("p99")}, max ${m("max")} (${items.length} items)`;
}

// The guard's own tables (the vocabulary, its letter runs, the courtesies), built once when it is first loaded.
const loadStart = performance.now();
const { guardFeatures, guardMismatch } = await import("../src/cache/semantic/guard.js");
console.log(`loading the guard (once per process, after compromise): ${fmt(performance.now() - loadStart)}`);
// WordNet's words for the slip rules (guard-lexicon.ts): the index files on the first prompt, the noun synsets
// (for names) on the first slip found; the heap they keep, after a GC when run with --expose-gc.
const { wordnetLemmas, wordnetName } = await import("../src/cache/semantic/guard-lexicon.js");
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const [heapBefore, indexStart] = [process.memoryUsage().heapUsed, performance.now()];
const wordnetWords = wordnetLemmas().size;
const [indexMs, namesStart] = [performance.now() - indexStart, performance.now()];
wordnetName("mckinley");
const namesMs = performance.now() - namesStart;
gc?.();
const heap = gc ? `heap +${((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(1)} MiB` : "heap: run node with --expose-gc";
console.log(`loading WordNet's ${wordnetWords} words (once per process): ${fmt(indexMs)}, its names ${fmt(namesMs)}, ${heap}`);

const pairs = dataFiles()
  .filter((f) => DEVELOPMENT_FILES.includes(f))
  .flatMap(loadPairs);
const prompts = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
console.log(`${pairs.length} development pairs, ${prompts.length} distinct prompts`);

// 1. The guard alone. A first pass warms the lexicon and the JIT.
for (const p of prompts) guardFeatures(p);
console.log(`guardFeatures, one prompt: ${await timeEach(prompts, (p) => guardFeatures(p))}`);
const read = pairs.map((p) => [guardFeatures(p.a), guardFeatures(p.b)] as const);
console.log(`guardMismatch, one comparison of two read prompts: ${await timeEach(read, ([a, b]) => guardMismatch(a, b))}`);
console.log(
  `guardFeatures twice + guardMismatch (a comparison with neither side read before): ${await timeEach(pairs, (p) => guardMismatch(guardFeatures(p.a), guardFeatures(p.b)))}`,
);

// Hostile inputs at the bound: long runs of digits, hyphens, apostrophes, one enormous word, many short words.
const n = MAX_ANALYSED;
const hostile: [string, string][] = [
  ["digits in groups", "1 000 ".repeat(n / 6)],
  ["hyphens", "a-".repeat(n / 2)],
  ["apostrophes", "it's ".repeat(n / 5)],
  ["one long word", "x".repeat(n)],
  ["number words", "one hundred and ".repeat(n / 16)],
  ["short words", "the cat sat on the mat and ".repeat(n / 27)],
  ["symbols", "=<>*&^".repeat(n / 6)],
  // Quotes that open and never close, or close on every word: the quoted-passage scan is bounded at 300 characters.
  ["quotes", "'a, \"b ".repeat(n / 7)],
  // Dates and near-dates for the date reader's patterns.
  ["dates", "1st of January 2020, ".repeat(n / 21)],
  ["dotted numbers", "1.12.20251 ".repeat(n / 11)],
  // Words unknown to every lexicon, each tried against the function words (guard-typo.ts).
  ["slips of function words", "teh hwo wehn thn qzvk ".repeat(n / 22)],
  // A prompt about its own wording, full of marks, and commas before names (guard-punctuation.ts).
  ["marks of a sentence asked about", `what does this sentence mean: ${"eat, Grandma; wait: (now) ".repeat(n / 27)}`],
];
for (const [name, text] of hostile) {
  const other = `${text.slice(0, -10)} different`;
  console.log(
    `hostile input (${name}, ${text.length} chars), read both and compare: ${await timeEach([text], () => guardMismatch(guardFeatures(text), guardFeatures(other)))}`,
  );
}

// Coreference (guard-coref.ts): the earlier turns read once per lookup, then one comparison per refused candidate.
const { corefSame, readContext, MAX_CONTEXT_CHARS } = await import("../src/cache/semantic/guard-coref.js");
const talks = pairs.filter((p) => p.context !== undefined);
const turnsOf = (p: (typeof pairs)[number]) => [...(p.system ? [{ role: "system", content: p.system }] : []), ...(p.context ?? [])];
console.log(
  `coreference, earlier turns read + one comparison: ${await timeEach(talks, (p) => corefSame(readContext(turnsOf(p)), p.a, p.b))}`,
);
for (const [name, text] of [...hostile, ["sentences", "I have a Vespa and a cat. ".repeat(MAX_CONTEXT_CHARS / 26)] as [string, string]]) {
  const turns = [{ role: "user", content: text.repeat(2).slice(0, MAX_CONTEXT_CHARS) }];
  console.log(
    `hostile earlier turns (${name}, ${turns[0]!.content.length} chars), read: ${await timeEach([turns], (t) => readContext(t))}`,
  );
}

// 2. Whole lookups through the index.
async function lookups(name: keyof typeof DEFAULT_THRESHOLDS, embedder: Embedder): Promise<void> {
  const index = createSemanticIndex({ embedder, threshold: DEFAULT_THRESHOLDS[name], maxEntries: prompts.length + 1, clock: systemClock });
  await index.warm();
  for (const [i, p] of pairs.entries()) await index.add("bench", "scope", p.a, `k${i}`, 3_600_000);
  const queries = pairs.map((p) => p.b).slice(0, LOOKUPS);
  let hits = 0;
  // Trailing spaces, new in each run, make every query one the index has not embedded: each lookup pays for its vector.
  const line = await timeEach(queries, async (q, run) => {
    if (await index.find("bench", "scope", q + " ".repeat(run + 1))) hits++;
  });
  console.log(
    `${name} embedder, one lookup in an index of ${index.size()} entries (embed + scan + guard): ${line}; ${hits / REPEATS} hits`,
  );
  await index.close();
}

await lookups("lexical", createLexicalEmbedder());
await lookups("local", createLocalEmbedder());
