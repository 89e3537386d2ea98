import { moveAdverbs, moveFronted } from "./guard-adverbials.js";
import { lexiconTags, MAX_ANALYSED } from "./guard-normalise.js";
import { COORDINATING, FUNCTION, isPunct, negated, PREDICATE_SLOT, shape, SUBJECTS, type Tok, WH, words } from "./guard-order-tokens.js";
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

/** Where these stand, order is what is said: the prompt keeps its order. */
const ORDERED = words(`then first second third fourth last finally next before after afterwards later earlier previous
  previously prior until till once respectively order ordered sequence step steps left right minus subtract subtracted
  divide divided former latter precede precedes preceded follow follows followed following vice`);

/** The prompt in canonical order, or undefined where it has none other than its own (see above). */
export function canonicalOrder(text: string): string | undefined {
  if (text.length > MAX_ANALYSED || /[`=(){}[\]<>|\\\n"“”«»]|(^|\s)['‘]|(^|[.?!:]\s+)\d+[.)]\s/.test(text)) return undefined;
  // Marks that are not a word's end are written about (an operator "?.", "$?"): the prompt is compared as written.
  const pieces = text.trim().split(/\s+/);
  if (pieces.some((p) => !/^[—–-]$/.test(p) && !/^[^,;:?!]*[\p{L}\p{N}%'’.][.]?([,;:.]|[?!]+)?$/u.test(p))) return undefined;
  const sentences = text.trim().split(/(?<=[.?!;])\s+/);
  // Words, and the marks after them as tokens of their own ("piano?" is "piano" "?"; "e.g." stays whole).
  const toks = sentences.map((s) =>
    s.split(/\s+/).flatMap(
      (p) =>
        p
          .match(/^(.+?)([,;:?!—–]*|(?<!\..+)\.)$/)
          ?.slice(1)
          .filter(Boolean) ?? [p],
    ),
  );
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
    const listed = (f: number) =>
      f > 0 && (shape(ts[f - 1]!) === "V" || /^(between|among|do|does|did|is|are|was|were|:)$/.test(ts[f - 1]!.w));
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
