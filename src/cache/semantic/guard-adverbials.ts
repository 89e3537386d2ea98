import { lexiconTags } from "./guard-normalise.js";
import { FUNCTION, isPunct, negated, PREDICATE_SLOT, shape, type Tok, COORDINATING, SUBORDINATE, words } from "./guard-order-tokens.js";
import { QUANTIFIERS } from "./guard-words.js";

/*
 * Adverbials that may move (docs/caching.md "The structural guard"): a phrase or clause fronted before a comma
 * goes to the end of its clause, and a manner adverb from before its verb to the end of its clause, where they
 * bear on what they bore on; focus and frequency adverbs never move (guard-coordination.ts reads the lists).
 */

/** Open a phrase that may be fronted before a comma ("In SQL, ...", "For a beginner, ...", "When cooking, ..."). */
const FRONTED = words("in for with without on at during when while if instead as using under within inside outside");
/** Adverbs of focus, frequency, degree, stance or time: where they stand says what they bear on. */
const SCOPED = words(`only merely simply just really truly actually nearly almost hardly barely scarcely mainly mostly largely
  partly especially particularly exactly precisely probably possibly certainly definitely likely apparently obviously
  clearly honestly basically hopefully seriously literally initially eventually immediately subsequently recently currently
  lately early usually normally typically generally frequently occasionally regularly constantly rarely finally fully
  totally completely entirely also even still always never ever`);

/** "to" before a verb opens a clause of its own; before an adjective or a determiner it is a preposition ("to raw food"). */
const infinitive = (ts: readonly Tok[], i: number): boolean =>
  ts[i]!.w === "to" && !/^(J|the|a|my|your|our|their|his|her|its|this|that|#)$/.test(shape(ts[i + 1] ?? ts[i]!));

/**
 * "For a beginner, compare X and Y" as "compare X and Y, for a beginner": phrases fronted before a comma go, in
 * their order, to the end of their clause.
 */
export function moveFronted(ts: Tok[]): Tok[] {
  const phrases: Tok[] = [];
  let from = 0;
  for (;;) {
    const first = ts[from]?.w ?? "";
    if (!FRONTED.has(first) && !manner(first)) break;
    const comma = ts.findIndex((t, i) => i > from && t.w === ",");
    if (comma < from + 1 || comma > from + 8) break;
    const phrase = ts.slice(from, comma);
    // "without" moves with its phrase; "not", "never" and the like may bear on more than it ("Not in Python, ...").
    if (phrase.some((t) => isPunct(t) || QUANTIFIERS.has(t.w) || SCOPED.has(t.w) || (t.w !== "without" && negated([t])))) return ts;
    // Its first word no longer opens the sentence: no capital to be read as a name's.
    phrases.push(...(phrases.length > 0 ? [{ w: ",", s: "," }] : []), { ...phrase[0]!, s: phrase[0]!.w }, ...phrase.slice(1));
    from = comma + 1;
  }
  const rest = ts.slice(from);
  if (phrases.length === 0 || rest.length === 0) return ts;
  // The clause it goes to holds no negation, and the phrase at its end bears on what it bore on (attaches).
  let end = rest.findIndex((t, i) => i > 0 && isPunct(t));
  if (end < 0) end = rest.length;
  const tail = rest.slice(end + 1);
  // After the clause, only its end mark or a short list of alternatives may follow ("...: guitar or piano?").
  if (end < rest.length - 1 && !(tail.length <= 6 && tail.some((t) => /^(or|vs|versus)$/.test(t.w)) && !tail.slice(0, -1).some(isPunct)))
    return ts;
  const main = rest.slice(0, end);
  if (
    negated(main) ||
    !attaches(
      ts[0]!.w,
      main.map((t) => t.w),
    )
  )
    return ts;
  return [...main, { w: ",", s: "," }, ...phrases, ...rest.slice(end)];
}

/** A manner adverb: "-ly" made from an adjective the lexicon knows ("safely", "easily", "gently"), no focus or time. */
function manner(w: string): boolean {
  if (!/^[a-z]{3,}ly$/.test(w) || SCOPED.has(w) || lexiconTags(w).some((t) => t !== "Adverb")) return false;
  const base = w.slice(0, -2);
  return [base, base.replace(/i$/, "y"), `${base}e`, `${base}le`].some((b) => lexiconTags(b).includes("Adjective"));
}

/** "how do I safely remove X" as "how do I remove X safely": a manner adverb before its verb goes to the clause's end. */
export function moveAdverbs(ts: Tok[]): Tok[] {
  for (let i = 1; i < ts.length - 1; i++) {
    if (!manner(ts[i]!.w) || !PREDICATE_SLOT.has(ts[i - 1]!.w) || FUNCTION.has(ts[i + 1]!.w) || isPunct(ts[i + 1])) continue;
    let end = i + 1;
    while (end < ts.length && !isPunct(ts[end])) end++;
    const rest = ts.slice(i + 1, end);
    const clause = rest.some(
      (t, j) => SUBORDINATE.has(t.w) || COORDINATING.has(t.w) || /^(i|we|you|he|she|they)$/.test(t.w) || infinitive(rest, j),
    );
    if (rest.length > 8 || clause || negated(ts.slice(0, end))) continue;
    return [...ts.slice(0, i), ...rest, ts[i]!, ...ts.slice(end)];
  }
  return ts;
}

/** Adverbs whose place says what they bear on: "I only eat fish" is not "I eat only fish". */
const FOCUS = words("only just even also always never still already too merely simply really");
const CLAUSE_OPENERS = words(
  "that which who whom whose where whether if when while because although though unless until since what how why",
);
/** Open an adverbial clause, which at the end of a clause holding another would be read as that one's condition or time. */
const ADVERBIAL_CLAUSE = words("if when while because unless although though since whereas once");

/**
 * Whether a phrase opening on `head` may go to the end of `rest` (words, lower case) and bear on the same. A
 * phrase may, unless the rest ends on "to" and a verb, which a phrase after it would be read with ("how do I
 * learn to cook, for a friend" / "... learn to cook for a friend"); an adverbial clause may not pass a clause of
 * the rest's own, opened by a relative or a subordinator ("if X, how do I tell my boss that I'm late" / "... that I'm late if X").
 */
function attaches(head: string, rest: readonly string[]): boolean {
  // "easier to learn, for a beginner": after an adjective the phrase bears on it as before.
  if (rest.at(-2) === "to" && !/Adjective|Comparative/.test(lexiconTags(rest.at(-3) ?? "").join(" "))) return false;
  return !ADVERBIAL_CLAUSE.has(head) || !rest.some((t, i) => i > 0 && CLAUSE_OPENERS.has(t));
}

/**
 * Whether a phrase may move whole from one end of the differing part to the other (guard.ts reordered): `a` is
 * the two parts, turned at k, the phrase first or last. Not with a focus adverb at either edge ("also use the
 * charger" / "use the charger also"), and only where the phrase at the end attaches as it did (see attaches).
 */
export function phraseMoves(a: readonly string[], k: number, phraseFirst: boolean): boolean {
  const [x, y] = [a.slice(0, k), a.slice(k)];
  if ([x, y].some((p) => FOCUS.has(p[0]!) || FOCUS.has(p.at(-1)!))) return false;
  return phraseFirst ? attaches(x[0]!, y) : attaches(y[0]!, x);
}
