import { lemma, lexiconTags, MAX_ANALYSED } from "./guard-normalise.js";
import { NEGATIONS, QUANTIFIERS } from "./guard-words.js";

/*
 * Orders that carry nothing (docs/caching.md "The structural guard"): a prompt is rewritten into one canonical
 * order, read by grammar, and the guard compares the two canonical prompts under its own rules. Four readings:
 *
 * - conjuncts of one "and", "or" or "vs" list, all of one shape (the same word classes and function words: "TCP
 *   and UDP", "from London to Tokyo or from Tokyo to London"), are sorted;
 * - two stative clauses ("my laptop is slow and the fan is loud") or two questions joined by "and" become two
 *   sentences, which the sentence matching (guard-sentences.ts) may take in either order;
 * - an adverbial phrase or clause fronted before a comma ("For a beginner, ...") goes to the end of its clause;
 * - a manner adverb made from an adjective ("safely") goes from before its verb to the end of the clause.
 *
 * Never where order is the meaning: a prompt with a word of sequence, position or ordered operands ("then",
 * "first", "before", "left", "minus", "respectively") is left as it is, and so are numbers in a list, verbs
 * joined by "and" (steps: "peel and boil"), a list that a modifier before or after may scope over ("old men and
 * women", "men and women over 60"), a phrase fronted before a clause that holds a negation or another clause, and
 * focus or frequency adverbs ("only", "just", "always", "usually").
 */

const words = (s: string): Set<string> => new Set(s.trim().split(/\s+/));

/** Where these stand, order is what is said: the prompt keeps its order. */
const ORDERED = words(`then first second third fourth last finally next before after afterwards later earlier previous
  previously prior until till once respectively order ordered sequence step steps left right minus subtract subtracted
  divide divided former latter precede precedes preceded follow follows followed following vice`);
const COORDINATING = words("and or vs versus");
const FUNCTION = words(`the a an of to from in on at for with without by about over under between than as like via per
  my your our their his her its this that these those some any all no each every both either neither not i you we they he she it
  me us them him what how why when where which who whom whose whether if is are am was were be do does did can could should
  would will must may might shall`);
const SUBJECTS = words("i we you he she they it my our your his her their the this that there");
const SUBORDINATE = words(`if when while because that which who whom whose where whether although though unless until since so
  whereas`);
const WH = words("what how why when where which who whose whom");
/** Before a list, these make it the predicate of a clause (steps, where "and" is a sequence): "how do I peel and boil". */
const PREDICATE_SLOT = words("to i you we they he she it can could should would will must may might shall please");
/** Open a phrase that may be fronted before a comma ("In SQL, ...", "For a beginner, ...", "When cooking, ..."). */
const FRONTED = words("in for with without on at during when while if instead as using under within inside outside");
/** Adverbs of focus, frequency, degree, stance or time: where they stand says what they bear on. */
const SCOPED = words(`only merely simply just really truly actually nearly almost hardly barely scarcely mainly mostly largely
  partly especially particularly exactly precisely probably possibly certainly definitely likely apparently obviously
  clearly honestly basically hopefully seriously literally initially eventually immediately subsequently recently currently
  lately early usually normally typically generally frequently occasionally regularly constantly rarely finally fully
  totally completely entirely also even still always never ever`);
const NUMBER = /^(\d|one$|two$|three$|four$|five$|six$|seven$|eight$|nine$|ten$|hundred|thousand|million|half$|twice$)/;

interface Tok {
  w: string;
  s: string;
  /** Its shape, once read: lists are compared many times over. */
  k?: string;
}

const isPunct = (t: Tok | undefined): boolean => t === undefined || /^[,:;.?!—–-]$/.test(t.w);
const tagsOf = (w: string): string => `${lexiconTags(w).join(" ")} ${lexiconTags(lemma(w).lemma).join(" ")}`;
/** "to" before a verb opens a clause of its own; before an adjective or a determiner it is a preposition ("to raw food"). */
const infinitive = (ts: readonly Tok[], i: number): boolean =>
  ts[i]!.w === "to" && !(/^(J|the|a|my|your|our|their|his|her|its|this|that|#)$/.test(shape(ts[i + 1] ?? ts[i]!)));
const negated = (ts: readonly Tok[]): boolean => ts.some((t) => NEGATIONS.has(t.w) || /n't$/.test(t.w));

/** A word's class for comparing the shapes of conjuncts: function words as themselves. */
const shape = (t: Tok): string => (t.k ??= readShape(t));

function readShape(t: Tok): string {
  if (isPunct(t)) return ",";
  if (NUMBER.test(t.w)) return "#";
  // A possessive belongs to the phrase after it: "Alice and Bob's house" has no list of two names.
  if (/'s?$|’s?$/.test(t.w)) return "P";
  if (t.w === "an") return "a";
  // Written in capitals, a word is a name or a keyword ("WHERE", "HAVING", "IT").
  if (/^\p{Lu}{2,}$/u.test(t.s)) return "N";
  if (FUNCTION.has(t.w) || COORDINATING.has(t.w)) return t.w;
  const tags = tagsOf(t.w);
  if (/Gerund/.test(tags)) return "G";
  if (/Infinitive|PresentTense|PastTense|Participle|Modal|Copula|Auxiliary/.test(tags)) return "V";
  if (/Adjective|Comparative|Superlative/.test(tags)) return "J";
  return "N";
}

/** The prompt in canonical order, or undefined where it has none other than its own (see above). */
export function canonicalOrder(text: string): string | undefined {
  if (text.length > MAX_ANALYSED || /[`=(){}[\]<>|\\\n"“”«»]|(^|\s)['‘]|(^|[.?!:]\s+)\d+[.)]\s/.test(text)) return undefined;
  // Marks that are not a word's end are written about (an operator "?.", "$?"): the prompt is compared as written.
  const pieces = text.trim().split(/\s+/);
  if (pieces.some((p) => !/^[—–-]$/.test(p) && !/^[^,;:?!]*[\p{L}\p{N}%'’.][.]?([,;:.]|[?!]+)?$/u.test(p))) return undefined;
  const sentences = text.trim().split(/(?<=[.?!;])\s+/);
  // Words, and the marks after them as tokens of their own ("piano?" is "piano" "?"; "e.g." stays whole).
  const toks = sentences.map((s) => s.split(/\s+/).flatMap((p) => p.match(/^(.+?)([,;:?!—–]*|(?<!\..+)\.)$/)?.slice(1).filter(Boolean) ?? [p]));
  if (toks.flat().some((w) => ORDERED.has(w.toLowerCase()))) return undefined;
  const out: string[] = [];
  for (const raw of toks) {
    const ts = raw.flatMap((s) => (/^[,;:?!—–]{2,}$/.test(s) ? [...s] : [s])).map((s) => ({ w: s.toLowerCase(), s }));
    for (const clause of splitClauses(ts)) out.push(render(sortLists(moveAdverbs(moveFronted(clause)))));
  }
  const canonical = out.join(" ");
  return canonical === text.trim() ? undefined : canonical;
}

const render = (ts: readonly Tok[]): string => ts.map((t, i) => (i > 0 && !isPunct(t) ? " " : "") + t.s).join("");

const stative = (ts: readonly Tok[]): boolean =>
  SUBJECTS.has(ts[0]?.w ?? "") &&
  ts.slice(1, 5).some((t) => /^(is|are|am)$|^[a-z]+'(s|re|m)$/.test(t.w)) &&
  !ts.slice(0, -1).some(isPunct) &&
  !negated(ts);
const asks = (ts: readonly Tok[]): boolean => WH.has(ts[0]?.w ?? "") || /^(is|are|do|does|can|should|could|would)$/.test(ts[0]?.w ?? "");

/** "A is X and B is Y" and "what is X, and how do I Y?": two sentences where "and" joins two stative clauses or questions. */
function splitClauses(ts: Tok[]): Tok[][] {
  const end = ts.at(-1)?.s.match(/[.?!;]$/)?.[0] ?? "";
  const question = end === "?";
  for (let k = 1; k < ts.length - 1; k++) {
    if (ts[k]!.w !== "and") continue;
    const left = ts.slice(0, ts[k - 1]!.w === "," ? k - 1 : k);
    const right = ts.slice(k + 1);
    const both = (stative(left) && stative(right)) || (question && asks(left) && WH.has(right[0]!.w) && !left.some(isPunct));
    if (!both || right.some((t) => t.w === "and")) continue;
    const mark = question ? "?" : ".";
    return [[...left, { w: mark, s: mark }], right];
  }
  return [ts];
}

/**
 * "For a beginner, compare X and Y" as "compare X and Y, for a beginner": phrases fronted before a comma go, in
 * their order, to the end of their clause.
 */
function moveFronted(ts: Tok[]): Tok[] {
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
  if (negated(main) || !attaches(ts[0]!.w, main.map((t) => t.w))) return ts;
  return [...main, { w: ",", s: "," }, ...phrases, ...rest.slice(end)];
}

/** A manner adverb: "-ly" made from an adjective the lexicon knows ("safely", "easily", "gently"), no focus or time. */
function manner(w: string): boolean {
  if (!/^[a-z]{3,}ly$/.test(w) || SCOPED.has(w) || lexiconTags(w).some((t) => t !== "Adverb")) return false;
  const base = w.slice(0, -2);
  return [base, base.replace(/i$/, "y"), `${base}e`, `${base}le`].some((b) => lexiconTags(b).includes("Adjective"));
}

/** "how do I safely remove X" as "how do I remove X safely": a manner adverb before its verb goes to the clause's end. */
function moveAdverbs(ts: Tok[]): Tok[] {
  for (let i = 1; i < ts.length - 1; i++) {
    if (!manner(ts[i]!.w) || !PREDICATE_SLOT.has(ts[i - 1]!.w) || FUNCTION.has(ts[i + 1]!.w) || isPunct(ts[i + 1])) continue;
    let end = i + 1;
    while (end < ts.length && !isPunct(ts[end])) end++;
    const rest = ts.slice(i + 1, end);
    const clause = rest.some((t, j) => SUBORDINATE.has(t.w) || COORDINATING.has(t.w) || /^(i|we|you|he|she|they)$/.test(t.w) || infinitive(rest, j));
    if (rest.length > 8 || clause || negated(ts.slice(0, end))) continue;
    return [...ts.slice(0, i), ...rest, ts[i]!, ...ts.slice(end)];
  }
  return ts;
}

/** At most this many lists in a clause, of at most this many conjuncts: hostile prompts stay cheap. */
const MAX_LISTS = 8;
const MAX_ITEMS = 8;

/** Sorts the conjuncts of each list whose conjuncts are all of one shape (see above). */
function sortLists(ts: Tok[]): Tok[] {
  let lists = 0;
  for (let k = 1; k < ts.length - 1 && lists < MAX_LISTS; k++) {
    const c = ts[k]!.w;
    if (!COORDINATING.has(c) || /^(then|so|also|yet|not)$/.test(ts[k + 1]!.w)) continue;
    lists++;
    const list = conjuncts(ts, k);
    if (list === undefined) continue;
    const { start, end, items } = list;
    const sorted = [...items].sort((x, y) => (render(x) < render(y) ? -1 : render(x) > render(y) ? 1 : 0));
    const middle: Tok[] = [];
    for (const [n, item] of sorted.entries()) {
      if (n > 0) middle.push(n === sorted.length - 1 ? ts[k]! : { w: ",", s: "," });
      middle.push(...item);
    }
    ts = [...ts.slice(0, start), ...middle, ...ts.slice(end)];
    k = start + middle.length - 1;
  }
  return ts;
}

/** The conjuncts of the list joined by the coordinator at k, with its bounds, or undefined where none may move. */
function conjuncts(ts: readonly Tok[], k: number): { start: number; end: number; items: Tok[][] } | undefined {
  const and = ts[k]!.w === "and";
  for (let m = Math.min(4, ts.length - k - 1); m >= 1; m--) {
    const right = ts.slice(k + 1, k + 1 + m);
    let e = ts[k - 1]!.w === "," ? k - 1 : k;
    if (e - m < 0) continue;
    const form = right.map(shape).join(" ");
    const same = (x: readonly Tok[]) => x.map(shape).join(" ") === form;
    if (!same(ts.slice(e - m, e)) || /[#,]|\b(and|or|vs|versus)\b/.test(form)) continue;
    const items = [ts.slice(e - m, e), right];
    e -= m;
    // Over a comma only after a verb or "between": "better for a toddler, a tricycle or a scooter" is one
    // phrase and two alternatives, not three.
    const listed = (f: number) => f > 0 && (shape(ts[f - 1]!) === "V" || /^(between|among|do|does|did|is|are|was|were|:)$/.test(ts[f - 1]!.w));
    while (items.length < MAX_ITEMS && e - m - 1 >= 0 && ts[e - 1]!.w === "," && same(ts.slice(e - m - 1, e - 1)) && listed(e - m - 1)) {
      items.unshift(ts.slice(e - m - 1, e - 1));
      e -= m + 1;
    }
    const end = k + 1 + m;
    return movable(ts, e, end, items, form, and) ? { start: e, end, items } : undefined;
  }
  return undefined;
}

/** Whether a list may be reordered where it stands: nothing around it may bear on one conjunct only. */
function movable(ts: readonly Tok[], start: number, end: number, items: Tok[][], form: string, and: boolean): boolean {
  const before = ts[start - 1];
  const after = ts[end];
  // Part of a greater list ("buy a car and [rent a flat or rent a house] and ...", "tea or coffee and cake"):
  // the conjuncts may be longer than read. A coordinator after the list opens something of another shape.
  if (before !== undefined && COORDINATING.has(before.w)) return false;
  const next = ts.slice(end + 1, end + 1 + items[0]!.length);
  if (after !== undefined && COORDINATING.has(after.w) && next.map(shape).join(" ") === form) return false;
  // "between Monday and Friday", "between dusk and dawn": a range has ends; only a comparison has none.
  if (before?.w === "between" && !COMPARING.test(ts[start - 2]?.w ?? "")) return false;
  // Steps: verbs joined by "and", or a list where a predicate stands ("how do I chop and fry", "Peel and boil").
  if (and && (/\b[VG]\b/.test(form) || before === undefined || isPunct(before) || PREDICATE_SLOT.has(before.w))) return false;
  // A modifier before the list may bear on its first conjunct only ("old men and women", "my sister and friends"),
  // unless each conjunct opens on a function word ("fly from A to B or from B to A", "the cat or the dog").
  if (before !== undefined && !isPunct(before) && /^[NJGV]\b/.test(form)) {
    const b = shape(before);
    if (/^[NJG#]$/.test(b) || /'s?$/.test(before.w) || QUANTIFIERS.has(before.w) || NEGATIONS.has(before.w)) return false;
    if (/^(my|your|our|their|his|her|its|this|that|these|those|no)$/.test(before.w)) return false;
  }
  if (after === undefined || isPunct(after) || COORDINATING.has(after.w)) return true;
  const a = shape(after);
  // A verb after the list: the list is its subject ("what do salt and pepper add").
  if (a === "V" || /^(is|are|do|does|can|should|would|will)$/.test(after.w)) return true;
  // A phrase after the list may bear on its last conjunct only ("men and women over 60"), unless each is a name.
  const names = items.every((x) => x.every((t) => /^\p{Lu}/u.test(t.s))) && start > 0;
  // Only a phrase of purpose, topic or field: "Python and Java with Spring" may be Java with Spring.
  if (FUNCTION.has(after.w)) return names && /^(for|about|as|on|in)$/.test(after.w);
  // Adjectives before a noun ("red and blue cars"); nouns before one may be a compound with the last ("apple and orange juice").
  return a === "N" && form.split(" ").every((f) => f === "J");
}

/** Whether a and b, either or both put in canonical order, ask the same (`differ` names why not, or undefined). */
export function inCanonicalOrder(a: string, b: string, differ: (a: string, b: string) => string | undefined): boolean {
  const ca = canonicalOrder(a);
  const cb = canonicalOrder(b);
  return (ca !== undefined || cb !== undefined) && differ(ca ?? a, cb ?? b) === undefined;
}

/** Adverbs whose place says what they bear on: "I only eat fish" is not "I eat only fish". */
const FOCUS = words("only just even also always never still already too merely simply really");
const CLAUSE_OPENERS = words("that which who whom whose where whether if when while because although though unless until since what how why");
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

/** Before "between", the words that make its two sides a comparison rather than a range's ends. */
const COMPARING = /^(differences?|choose|choosing|decide|deciding|compare|comparing|similarities|similarity|relationship|link|gap)$/;

/**
 * Whether the two sides of "and" or "or" at A[from..to) (tokens) may change places (guard.ts reordered): not
 * as part of a greater list ("tea or coffee and cake"), not as a range's ends ("between Monday and Friday"),
 * and not after an adjective, a quantifier or a negation that may bear on the first side only ("old man and
 * woman").
 */
export function swapKeeps(A: readonly string[], from: number, to: number): boolean {
  const before = A[from - 1] ?? "";
  if (COORDINATING.has(before) || COORDINATING.has(A[to] ?? "")) return false;
  if (before === "between" && !COMPARING.test(A[from - 2] ?? "")) return false;
  return !(QUANTIFIERS.has(before) || NEGATIONS.has(before) || lexiconTags(before).includes("Adjective"));
}
