import { acronymLetters, collapseGlosses, spelledOut, twoLettersMean } from "./guard-acronyms.js";
import { analyse, type GuardFeatures as Analysed } from "./guard-analyse.js";
import { type CaseMarks, caseDiffers, readCase } from "./guard-case.js";
import { lexiconTags } from "./guard-normalise.js";
import { personsKept } from "./guard-persons.js";
import { type Marks, marksDiffer, readMarks } from "./guard-punctuation.js";
import { articleMoved, derivedMoved } from "./guard-derive.js";
import { phraseMoves } from "./guard-adverbials.js";
import { inCanonicalOrder, swapKeeps } from "./guard-coordination.js";
import { compoundMoved, possessiveRelated } from "./guard-relations.js";
import { type Sentence, sameSentences, sameWords, splitSentences } from "./guard-sentences.js";
import { spansWrittenOut } from "./guard-spans.js";
import { markLexicalisedPlurals, stuffAndThing, substituteSynonyms } from "./guard-synonyms.js";
import { genericNumber } from "./guard-number.js";
import { joinable } from "./guard-hyphens.js";
import { nameAgainstArticle } from "./guard-names.js";
import { typo } from "./guard-typo.js";
import { versusSwaps } from "./guard-versus.js";
import { difference, isCount, kindOf } from "./guard-kinds.js";
import { COORDINATORS, PHRASE_HEADS, RELATIONS, SYMMETRIC } from "./guard-words.js";

export { warmGuard } from "./guard-synonyms.js";
export { corefSame, readContext } from "./guard-coref.js";

/** A prompt as the guard reads it, with its sentences (read when needed) where it has several. */
export type GuardFeatures = Analysed & { sentences?: Sentence[]; read?: Analysed[]; marks?: Marks; cased?: CaseMarks; text?: string };

/**
 * The near-miss guard (docs/caching.md "The structural guard"). An embedding says two prompts are close;
 * the guard says whether they ask the same thing. It holds them to one standard: after normalisation
 * (guard-analyse.ts) the two must have the same words, up to a spelling slip, an acronym written out,
 * and a reordering that keeps who does what to whom. Every other difference refuses the hit, and is
 * named: a number, time, unit, ordinal, tense, negation, quantifier, modal, comparison, relation
 * (from/to, by, for/against), a content word substituted, added (a qualifier) or removed, or an order
 * that swaps roles. Of synonyms it knows only WordNet's first senses (guard-synonyms.ts): any other word
 * replaced is a different question until an upstream answer says otherwise (verified caching). Precision
 * first: a refused paraphrase costs one upstream call; a wrong hit serves a wrong answer.
 */
export function guardFeatures(text: string): GuardFeatures {
  const sentences = splitSentences(text);
  const features: GuardFeatures = { ...analyse(text), marks: readMarks(text), cased: readCase(text), text };
  return sentences === undefined ? features : { ...features, sentences };
}

/** Why two prompts may not share an answer, or undefined when the guard lets them. A pure function of both. */
export function guardMismatch(a: GuardFeatures, b: GuardFeatures): string | undefined {
  const why = compare(a, b);
  // The same words in another order: compared again in canonical order (guard-coordination.ts).
  if (!why?.startsWith("order") || a.text === undefined || b.text === undefined || !sameWords(a.tokens, b.tokens)) return why;
  // Sides of "vs" whose order is the answer (guard-versus.ts) keep it.
  if ([a, b].some((x) => /\b(vs|versus)\b/i.test(x.text!) && !versusSwaps(x.tokens))) return why;
  return inCanonicalOrder(a.text, b.text, (x, y) => compare(guardFeatures(x), guardFeatures(y))) ? undefined : why;
}

function compare(a: GuardFeatures, b: GuardFeatures): string | undefined {
  const marked = marksDiffer(a.marks, b.marks);
  if (marked !== undefined) return marked;
  const cased = caseDiffers(a.cased, b.cased);
  if (cased !== undefined) return cased;
  const why = mismatch(a, b);
  if (why === undefined || a.exact !== undefined || b.exact !== undefined) return why;
  if (a.sentences === undefined || b.sentences === undefined || !sameWords(a.tokens, b.tokens)) return why;
  const ra = (a.read ??= a.sentences.map((s) => analyse(s.text)));
  const rb = (b.read ??= b.sentences.map((s) => analyse(s.text)));
  return sameSentences(a.sentences, b.sentences, (i, j) => mismatch(ra[i]!, rb[j]!) === undefined) ? undefined : why;
}

function mismatch(a: Analysed, b: Analysed): string | undefined {
  if (a.exact !== undefined || b.exact !== undefined) return a.exact === b.exact ? undefined : "too long to analyse, and not the same text";
  // Counts ("SG", "PL") are compared only when both prompts ask for something to be produced.
  const counted = a.tokens.some(isCount) && b.tokens.some(isCount);
  // Persons are compared only where both sides name one as a topic (guard-persons.ts).
  const persons = personsKept(a, b);
  const keep = (_: string, i: number, all: readonly string[]) => (counted || !isCount(all[i]!)) && persons[all === a.tokens ? 0 : 1][i]!;
  const A = a.tokens.filter(keep);
  const B = b.tokens.filter(keep);
  const sa = a.surfaces.filter((_, i) => keep("", i, a.tokens));
  const sb = b.surfaces.filter((_, i) => keep("", i, b.tokens));
  const named = nameAgainstArticle(A, sa, B, sb);
  if (named !== undefined) return named;
  markLexicalisedPlurals(A, sa, B, sb);
  markLexicalisedPlurals(B, sb, A, sa);
  genericNumber(A, sa, B, sb, a, b);
  const stuff = stuffOrThing(A, B, b) ?? stuffOrThing(B, A, a) ?? articleMoved(A, sa, B) ?? articleMoved(B, sb, A);
  if (stuff !== undefined) return stuff;
  if (derivedMoved(A, sa, B, sb) || derivedMoved(B, sb, A, sa)) return undefined;
  articles(A, sa, B, sb, a.question === true || b.question === true);
  if (equal(A, B)) return undefined;
  let { onlyA, onlyB } = unmatched(A, B);
  // Repairs are for a word or two; prompts this far apart differ, and the work stays bounded on hostile input.
  if (onlyA.length + onlyB.length > MAX_REPAIRED)
    return difference(
      onlyA.map((i) => A[i]!),
      onlyB.map((i) => B[i]!),
    );
  // A slip of the keyboard on one side: the word the other side has.
  for (const i of onlyA) {
    const j = onlyB.find((k) => typo(A[i]!, B[k]!, sa[i]!, sb[k]!, i === 0, k === 0));
    if (j === undefined) continue;
    B[j] = A[i]!;
    onlyB = onlyB.filter((k) => k !== j);
  }
  collapseGlosses(A, sa);
  collapseGlosses(B, sb);
  expandAcronyms(A, sa, B, sb);
  expandAcronyms(B, sb, A, sa);
  spansWrittenOut(A, B, sb);
  spansWrittenOut(B, A, sa);
  joinCompounds(A, B, sb);
  joinCompounds(B, A, sa);
  substituteSynonyms(A, sa, B, sb, unmatched, (t) => kindOf(t) === "content");
  ({ onlyA, onlyB } = unmatched(A, B));
  if (possessiveMoved(A, sa, B, sb) || possessiveMoved(B, sb, A, sa) || compoundMoved(A, sa, B) || compoundMoved(B, sb, A))
    return undefined;
  if (possessiveRelated(A, sa, B) || possessiveRelated(B, sb, A)) return undefined;
  if (onlyA.length > 0 || onlyB.length > 0)
    return difference(
      onlyA.map((i) => A[i]!),
      onlyB.map((i) => B[i]!),
    );
  return equal(A, B) || reordered(A, B, sa, sb) ? undefined : "order: the same words in other roles";
}

/**
 * "a" (A) says one; a bare plural (BARE) several, or a kind. In a question "a migraine" and "migraines" both
 * name a kind, so an A on one side answers a BARE on the other; in a request ("a regex to match a digit" /
 * "digits") they differ. An "a" against no article is no difference ("write a haiku" / "haiku about rain"),
 * so the A tokens then go: what is left of number is a plural against a singular.
 */
function articles(A: string[], sa: string[], B: string[], sb: string[], question: boolean): void {
  const count = (X: string[], t: string) => X.filter((x) => x === t).length;
  const drop = (X: string[], t: string, n: number) => {
    const S = X === A ? sa : sb;
    for (let k = X.length - 1; k >= 0 && n > 0; k--)
      if (X[k] === t) {
        X.splice(k, 1);
        S.splice(k, 1);
        n--;
      }
  };
  if (question) {
    const [aA, aB, bA, bB] = [count(A, "A"), count(A, "BARE"), count(B, "A"), count(B, "BARE")];
    drop(B, "BARE", Math.min(Math.max(0, bB - aB), Math.max(0, aA - bA)));
    drop(A, "BARE", Math.min(Math.max(0, aB - bB), Math.max(0, bA - aA)));
  }
  drop(A, "A", A.length);
  drop(B, "A", B.length);
  // Left over, a bare plural is a plural like any other ("Curie's discoveries", "discoveries of Curie").
  for (const X of [A, B]) for (const [k, t] of X.entries()) if (t === "BARE") X[k] = "PLURAL";
}

/** Tags of words that do not head a noun compound ("a coffee near the station" is no "coffee near"). */
const NOT_NOUNS = new Set(["Preposition", "Adverb", "Adjective", "Conjunction", "Determiner", "Pronoun", "Date", "Duration"]);

/**
 * "buy a paper" / "buy paper": a noun with "a" on one side and without it on the other, where it names stuff bare
 * (stuffAndThing). Not where the other side has a determiner ("the tomato"), drops articles as notes do ("python
 * reverse string": no article, pronoun or auxiliary), or the noun modifies the next ("a rose bush" / "rose bushes").
 */
function stuffOrThing(X: readonly string[], Y: readonly string[], y: Analysed): string | undefined {
  if (y.sentence !== true) return undefined;
  const single = (T: readonly string[], k: number) => !/^(PLURAL|BARE)$/.test(T[k + 1] ?? "");
  for (const [k, t] of X.entries()) {
    const noun = X[k + 1] ?? "";
    const next = X[k + 2];
    if (t !== "A" || !/^[a-z]+$/.test(noun) || !single(X, k + 1)) continue;
    // The same next word, up to a plural read as a word of its own ("a suede shoe" / "suede shoes").
    const compound = (j: number) =>
      next !== undefined &&
      kindOf(next) === "content" &&
      !lexiconTags(next).some((t) => NOT_NOUNS.has(t)) &&
      (Y[j + 1] ?? "").startsWith(next) &&
      (Y[j + 1] ?? "").length <= next.length + 2;
    const bare = (j: number) => Y[j] === noun && Y[j - 1] !== "A" && Y[j - 2] !== "A" && single(Y, j) && !compound(j);
    if (y.determined?.includes(noun) || !Y.some((_, j) => bare(j))) continue;
    if (!X.some((u, j) => u === noun && X[j - 1] !== "A") && stuffAndThing(noun)) return `plurality: a ${noun} / ${noun}`;
  }
  return undefined;
}

/** At most this many tokens in which two prompts differ are tried for slips, acronyms and compounds. */
const MAX_REPAIRED = 16;

const equal = (x: readonly string[], y: readonly string[]): boolean => x.length === y.length && x.every((t, i) => t === y[i]);

/** Indexes of the tokens each side has more of than the other. */
function unmatched(A: readonly string[], B: readonly string[]): { onlyA: number[]; onlyB: number[] } {
  const count = new Map<string, number>();
  for (const t of A) count.set(t, (count.get(t) ?? 0) + 1);
  for (const t of B) count.set(t, (count.get(t) ?? 0) - 1);
  const pick = (X: readonly string[], sign: number) => {
    const left = new Map(count);
    const out: number[] = [];
    for (const [i, t] of X.entries()) {
      const n = left.get(t)! * sign;
      if (n > 0) {
        out.push(i);
        left.set(t, left.get(t)! - sign);
      }
    }
    return out;
  };
  return { onlyA: pick(A, 1), onlyB: pick(B, -1) };
}

/**
 * Where X has an acronym as written ("GDP", "CI", "JS") and Y spells it out in words it alone has
 * ("gross domestic product", "JavaScript"), Y's words become the acronym.
 */
function expandAcronyms(X: string[], sx: string[], Y: string[], sy: string[]): void {
  for (const i of unmatched(X, Y).onlyA) {
    const surface = sx[i]!;
    const letters = acronymLetters(surface);
    if (letters === undefined) continue;
    const { onlyA, onlyB } = unmatched(X, Y);
    if (!onlyA.includes(i)) continue;
    const free = new Set(onlyB);
    for (const start of onlyB) {
      const end = spelledOut(letters, start, Y, sy, (k) => free.has(k));
      if (
        end < 0 ||
        !twoLettersMean(
          letters,
          sy.slice(start, end).filter((w) => /^\p{L}/u.test(w)),
        )
      )
        continue;
      Y.splice(start, end - start, X[i]!);
      sy.splice(start, end - start, surface);
      break;
    }
  }
}

/** "e mail" and "email", "self employed" and "selfemployed": adjacent content words only Y has, joined, are X's word. */
function joinCompounds(X: string[], Y: string[], sy: string[]): void {
  const { onlyA, onlyB } = unmatched(X, Y);
  const wanted = new Set(onlyA.map((i) => X[i]!));
  const free = new Set(onlyB);
  for (let j = 0; j + 1 < Y.length; j++) {
    if (!free.has(j) || !free.has(j + 1) || kindOf(Y[j]!) !== "content" || kindOf(Y[j + 1]!) !== "content") continue;
    const joined = Y[j]! + Y[j + 1]!;
    if (!wanted.has(joined) || !joinable(Y[j]!, Y[j + 1]!)) continue;
    Y.splice(j, 2, joined);
    sy.splice(j, 2, sy[j]! + sy[j + 1]!);
    wanted.delete(joined);
    free.clear();
    for (const k of unmatched(X, Y).onlyB) free.add(k);
  }
}

/**
 * A possessive read as "of" ("the Fed's policy", "Japan's tipping culture") against "of" and the same owner a
 * few words earlier on the other side ("the policy of the Fed"), or "in" when the lexicon knows the owner as a
 * place ("the tipping culture in Japan"): where a thing is, is what the possessive says. Not for a person or
 * a common noun, where "in" turns the roles ("Priya's trust" / "trust in Priya", "the team's confidence" /
 * "confidence in the team"), nor "by" ("Monet's portrait") or "for" ("John's letter").
 * The reading cannot always tell where the possessed phrase ends ("culture like"), so the other side's phrase
 * may close up to three words before; never after, where a verb may stand between ("my landlord's dog bit my
 * child" / "my dog bit the child of my landlord"). Everything else must be equal, in order.
 */
const PLACE_TAGS = new Set(["Country", "City", "Place", "Region"]);

function possessiveMoved(X: readonly string[], sx: readonly string[], Y: readonly string[], sy: readonly string[]): boolean {
  for (const [i, t] of X.entries()) {
    if (t !== "of" || sx[i] !== "'s") continue;
    let k = i + 1;
    while (k < X.length && !/'s?$/.test(sx[k]!)) k++;
    if (k >= X.length) continue;
    const owner = X.slice(i + 1, k + 1);
    const place = owner.some((o) => lexiconTags(o).some((g) => PLACE_TAGS.has(g)));
    for (let p = Math.max(0, i - 3); p <= i; p++) {
      if (!(Y[p] === "of" || (Y[p] === "in" && place)) || sy[p] === "'s" || !owner.every((o, j) => Y[p + 1 + j] === o)) continue;
      if (equal([...X.slice(0, i), ...X.slice(k + 1)], [...Y.slice(0, p), ...Y.slice(p + 1 + owner.length)])) return true;
    }
  }
  return false;
}

/**
 * True when B says A's words in an order that keeps their roles: a phrase headed by a preposition or
 * subordinator moved whole ("in Python, how ..." / "how ... in Python"), or the two sides of "and"/"or"
 * exchanged ("Python and Java"). "From X to Y" against "from Y to X", "X than Y" against "Y than X", or
 * "who taught X" against "who X taught" are none of these.
 */
function reordered(A: readonly string[], B: readonly string[], sa: readonly string[], sb: readonly string[]): boolean {
  let p = 0;
  while (p < A.length && A[p] === B[p]) p++;
  let s = 0;
  while (s < A.length - p && A[A.length - 1 - s] === B[B.length - 1 - s]) s++;
  const a = A.slice(p, A.length - s);
  const b = B.slice(p, B.length - s);
  // b is a turned by k (a[k..] then a[..k]), checked in place: no copies on long prompts.
  const turned = (k: number) => b.every((t, j) => t === a[(j + k) % a.length]);
  for (let k = 1; k < a.length; k++) {
    const first = PHRASE_HEADS.has(a[0]!);
    if ((first || PHRASE_HEADS.has(a[k]!)) && turned(k) && phraseMoves(a, k, first)) return true;
  }
  // "isn't Pluto a planet" / "is Pluto not a planet": a negation fused to its auxiliary (no surface) moves past
  // its subject, up to three words; a "not" written out stays ("is not smoking bad" / "is smoking not bad").
  // Not past "everyone", "anything": "why doesn't everyone vote" is not "why does everyone not vote".
  const subject = (x: readonly string[]) =>
    x.length <= 3 && x.every((t) => (kindOf(t) === "content" && !/^(every|any|some)(one|body|thing)$/.test(t)) || t === "PLURAL");
  const moved = (x: string[], y: string[], sx: readonly string[]) =>
    x.length >= 2 && x[0] === "not" && sx[p] === "" && y.at(-1) === "not" && subject(x.slice(1)) && equal(x.slice(1), y.slice(0, -1));
  if (moved(a, b, sa) || moved(b, a, sb)) return true;
  const plain = (xs: string[]) => xs.every((t) => !RELATIONS.has(t) && kindOf(t) === "content");
  const symmetric = A.some((t) => SYMMETRIC.has(t));
  for (let k = 1; k < a.length - 1; k++) {
    if (!COORDINATORS.has(a[k]!) || (a[k] === "and" && !symmetric) || (a[k] === "vs" && !versusSwaps(A))) continue;
    const x = a.slice(0, k);
    const y = a.slice(k + 1);
    if (plain(x) && plain(y) && equal([...y, a[k]!, ...x], b) && swapKeeps(A, p, A.length - s)) return true;
  }
  return false;
}
