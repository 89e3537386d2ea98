/*
 * Relation words that say the same thing (docs/caching.md "The structural guard"): English often has two
 * ways to join the same nouns, and the guard, which compares words, saw a difference where there is none.
 * These readings make the two ways one, each only where the roles cannot change:
 *
 * - "into" is "to" after a verb of change ("convert X into Y" / "to Y"); "go into", "look into" stay.
 * - a topic is one relation, "about": "regarding" and "concerning" after a noun, and "on" where it cannot
 *   be a place ("a book on habits"; not "notes on my phone", "videos on Netflix", "recipes on a budget").
 * - a comparison is one shape, "X vs Y": "the difference between X and Y", "X versus Y", "X or Y, what's
 *   the difference?".
 * - a noun compound is its nouns joined by a preposition (guard.ts, compoundMoved below): "a git branch" is
 *   "a branch in git", "history podcasts" "podcasts about history", "interview tips" "tips for interviews".
 * - a possessive is "in" after a name's plural or acronym ("Python's GIL"), "by" before a title ("Orwell's
 *   1984"), and "of" across a superlative ("Rome's most famous sights") (possessiveRelated below).
 *
 * Never from/to, to/for, with/without, or "by" against "of": those name who does what to whom.
 */
import { lemma, lexiconTags, type Word } from "./guard-normalise.js";
import { typo } from "./guard-typo.js";

const words = (s: string): Set<string> => new Set(s.trim().split(/\s+/));

/** Verbs of change, after which "into" and "to" name the same result. */
const CHANGE = words("convert translate turn change transform switch cast");
/** Where a clause or verb phrase may start again: "convert the file, then go into ..." is not "to". */
const CLAUSE_BREAK = words("and or but then so because while when if");
/** Before a noun, these make it a particular thing, which "on" may place ("on my phone", "on the train"). */
const DETERMINED = words("a an the my your our their his her its this that these those some any each every one");
/** Before "regarding" or "concerning", these make it an adjective ("a concerning trend", "is it concerning"). */
const NOT_TOPIC = words("a an the this that these those is are was were be been very so how really quite more most less least");
/** What the lexicon tags a name, a place or an organisation by: "on" before one may be where ("on YouTube"). */
const NAMED = /Person|Name|Place|Country|City|Region|Organization|Company/;
const VERBAL = /Infinitive|PresentTense|PastTense|Gerund|Participle|Adjective|Adverb|Preposition|Conjunction|Determiner|Pronoun/;

const numeric = (t: Word | undefined): boolean => t?.kind === "value" && /^\d/.test(t.w);
const word = (t: Word | undefined, w?: string): boolean => t?.kind === "word" && (w === undefined || t.w === w);

/** Rewrites relation words of a tokenised prompt into one form each (see above). Pure; linear in its length. */
export function relateWords(input: Word[]): Word[] {
  const out = comparisons(input);
  for (const [i, t] of out.entries()) {
    if (t.kind !== "word") continue;
    if (t.w === "into" && changeVerbBefore(out, i)) out[i] = { ...t, w: "to" };
    else if ((t.w === "regarding" || t.w === "concerning") && !NOT_TOPIC.has(out[i - 1]?.w ?? "") && word(out[i + 1]))
      out[i] = { ...t, w: "about" };
    else if (t.w === "on" && topicOn(out, i)) out[i] = { ...t, w: "about" };
  }
  return out;
}

/** A verb of change earlier in the same clause, at most six words back, with no clause break between. */
function changeVerbBefore(ws: Word[], i: number): boolean {
  for (let k = i - 1; k >= Math.max(0, i - 6); k--) {
    const t = ws[k]!;
    if (t.kind === "bound" || (t.kind === "word" && CLAUSE_BREAK.has(t.w))) return false;
    // The stem first: the lemma is the costly part, and hostile input may hold hundreds of "into".
    if (t.kind === "word" && /^(?:conver|transl|turn|chang|transf|switch|cast)/.test(t.w) && CHANGE.has(lemma(t.w).lemma)) return true;
  }
  return false;
}

/**
 * "on" names a topic after a noun when what follows is a kind, not a particular thing: no determiner, not a
 * name, and a plural of no countable thing the lexicon knows, or a mass noun ("a book on habits", "a lecture on
 * history"; not "apps on phones").
 */
function topicOn(ws: Word[], i: number): boolean {
  const head = ws[i - 1];
  if (!word(head) || DETERMINED.has(head!.w) || VERBAL.test(lexiconTags(head!.w).join(" "))) return false;
  // The object's words up to its last: one to three words, none a name or determined.
  let k = i + 1;
  while (k < ws.length && k < i + 4 && word(ws[k]) && !DETERMINED.has(ws[k]!.w) && !/^\p{Lu}/u.test(ws[k]!.s)) k++;
  if (k === i + 1 || (word(ws[k]) && !/^(for|in|to|of|at|with|by|from)$/.test(ws[k]!.w))) return false;
  const last = ws[k - 1]!;
  const tags = lexiconTags(last.w).join(" ");
  if (NAMED.test(tags) || ws.slice(i + 1, k).some((t) => NAMED.test(lexiconTags(t.w).join(" ")))) return false;
  // A plural of a thing the lexicon counts may be where ("apps on phones"); an abstract or unknown one is not.
  const one = lexiconTags(lemma(last.w).lemma).join(" ");
  if (/Singular|Actor/.test(one)) return false;
  return /Uncountable|Plural/.test(tags) || (tags === "" && lemma(last.w).plural === true);
}

/** "the difference between X and Y", "X versus Y" and "X or Y, what's the difference?" as "X vs Y". */
function comparisons(input: Word[]): Word[] {
  const ws = input.map((t) => (word(t, "versus") ? { ...t, w: "vs" } : t));
  for (let i = 0; i + 1 < ws.length; i++) {
    if (!word(ws[i + 1], "between") || !difference(ws[i]!)) continue;
    // X is up to five words before "and", commas and all: "the difference between a Roth IRA and a
    // traditional IRA", "between let, const and var", "between e.g. and i.e.".
    let k = i + 2;
    while (k < ws.length && k < i + 8 && !word(ws[k], "and")) k++;
    // Between two numbers it is a subtraction ("the difference between 120 and 75").
    if (!word(ws[k], "and") || k === i + 2 || numeric(ws[i + 2]) || numeric(ws[k + 1])) continue;
    ws.splice(k, 1, { ...ws[k]!, w: "vs" });
    ws.splice(i, 2);
  }
  // "X or Y, what's the difference?" and "X vs Y - how do they differ?": the clause only asks to compare.
  for (let i = 1; i < ws.length; i++) {
    if (ws[i - 1]!.kind !== "bound") continue;
    const n = askedDifference(ws, i);
    if (n === 0 || (ws[i + n] !== undefined && ws[i + n]!.kind !== "bound")) continue;
    let j = i - 2;
    while (j >= 0 && ws[j]!.kind !== "bound" && !word(ws[j], "or") && !word(ws[j], "vs")) j--;
    if (j <= 0 || ws[j]!.kind === "bound" || ws[j - 1]!.kind === "bound") continue;
    ws[j] = { ...ws[j]!, w: "vs" };
    ws.splice(i, n);
  }
  return ws;
}

/** "difference", "differences", or a slip of the keyboard for one ("diffrence"): the guard repairs those too. */
const difference = (t: Word): boolean =>
  t.kind === "word" && (/^differences?$/.test(t.w) || typo(t.w.replace(/s$/, ""), "difference", t.s, "difference"));

const ASKED = ["what is the difference", "what are the differences", "how do they differ", "how are they different"].map((p) =>
  p.split(" "),
);

function askedDifference(ws: Word[], i: number): number {
  for (const p of ASKED) if (p.every((w, k) => word(ws[i + k], w))) return p.length;
  return 0;
}

/** Prepositions whose object may stand before the noun as a compound's modifier ("a branch in git", "a git branch"). */
const COMPOUNDING = words("in about on 's");
/** A head in one of these forms names an attitude or act whose "in" or "about" object a modifier would make its subject ("confidence in the team" / "team confidence"). */
const NOMINAL = /(?:ence|ance|ment|tion|sion|ness|ity|ief|ism)$/;
const PERSON = /Actor|Person|Name|Pronoun/;
const CONTENT = /^\p{Ll}[\p{Ll}\p{N}]*$/u;
const MARKERS = words("PLURAL BARE SG PL");
const isCount = (t: string): boolean => t === "SG" || t === "PL";

/**
 * Y says "M H" (a compound, "delete a git branch") where X says "H P M" ("delete a branch in git"), all else
 * equal: the modifier is the object of the preposition. Not where the modifier may be the head's subject or
 * agent: a person or a name before "about", "on" or "for" ("customer complaints", "a Hemingway novel"), a count
 * noun there ("kid questions"), an adjective ("a man in black" / "a black man"), a language or people ("an exam
 * in French" / "a French exam"), or a head that is an act or an attitude ("trust", "confidence", "investment"). "of", "by", "to" and "from" never: "a glass of water" is
 * not "a water glass", "a painting of Picasso" not "a Picasso painting".
 */
export function compoundMoved(X0: readonly string[], sx0: readonly string[], Y0: readonly string[]): boolean {
  // X has the preposition and the modifier's number more, and at most two count markers elsewhere.
  if (X0.length <= Y0.length || X0.length > Y0.length + 4) return false;
  // A count marker follows the first noun produced ("a recipe SG for pancakes", "a pancake SG recipe"): where
  // both sides count the same, it is no difference, wherever it stands.
  const counts = (Z: readonly string[]) => Z.filter(isCount).join(" ");
  const uncounted = counts(X0) === counts(Y0);
  const X = uncounted ? X0.filter((t) => !isCount(t)) : X0;
  const sx = uncounted ? sx0.filter((_, i) => !isCount(X0[i]!)) : sx0;
  const Y = uncounted ? Y0.filter((t) => !isCount(t)) : Y0;
  if (X.length !== Y.length + 1 && X.length !== Y.length + 2) return false;
  // Only a preposition X has more of than Y may be the one that went: the search stays linear in practice.
  const extra = new Map<string, number>();
  for (const t of X) extra.set(t, (extra.get(t) ?? 0) + 1);
  for (const t of Y) extra.set(t, (extra.get(t) ?? 0) - 1);
  const same = alike(X, Y);
  for (let p = 1; p < X.length - 1; p++) {
    if ((extra.get(X[p]!) ?? 0) <= 0) continue;
    // The "of" a possessive is read as ("Kubernetes' scheduler") against a compound ("the Kubernetes scheduler").
    const prep = X[p] === "of" && sx[p] === "'s" ? "'s" : X[p]!;
    if (!COMPOUNDING.has(prep)) continue;
    let h = p - 1;
    while (h > 0 && MARKERS.has(X[h]!)) h--;
    if (!headOk(X[h]!)) continue;
    for (let m = 1; m <= 2 && p + m < X.length; m++) {
      const M = X.slice(p + 1, p + 1 + m);
      if (!M.every((t, j) => modifierOk(t, sx[p + 1 + j]!, prep, j === m - 1))) continue;
      // A compound's modifier has no number: "tips for interviews" are "interview tips".
      const end = X[p + 1 + m] === "PLURAL" ? p + 2 + m : p + 1 + m;
      // The modifier goes before the head, or before the head of an "of" phrase ("the policy of the company
      // on remote work" / "the remote work policy of the company"); never past another word.
      for (let q = h; q >= Math.max(0, h - 3); q--) {
        if (!CONTENT.test(X[q]!) && X[q] !== "of") break;
        if (X[q] !== "of" && spliced(X, Y, same, q, end, [...M, ...X.slice(q, p)])) return true;
      }
    }
  }
  return false;
}

function headOk(head: string): boolean {
  if (!CONTENT.test(head) || NOMINAL.test(head)) return false;
  const tags = lexiconTags(head).join(" ");
  return !/Infinitive|PresentTense|PastTense|Gerund|Adjective|Adverb/.test(tags);
}

function modifierOk(token: string, surface: string, prep: string, last: boolean): boolean {
  if (!CONTENT.test(token)) return false;
  const tags = lexiconTags(token).join(" ");
  // A possessor and a compound's modifier both own or make the head: "Einstein's theory", "the Einstein theory".
  if (prep === "'s") return !(last && /Adjective/.test(tags));
  if (PERSON.test(tags) || (last && /Adjective/.test(tags))) return false;
  // A language is the medium after "in" and the subject before a noun: "an exam in French" is no "French exam".
  if (/Demonym/.test(tags) || (/^\p{Lu}/u.test(surface) && /(?:ish|ese|an|ic|i|ch)$/.test(token))) return false;
  // "in" names a place, a state or a medium as often as a field ("a man in the moon", "a dog in heat"): only a
  // name's ("a branch in Git", "the GIL in Python").
  if (prep === "in") return /^\p{Lu}/u.test(surface);
  return !/^\p{Lu}/u.test(surface) && !/Singular|Organization|Place|Country|City/.test(tags);
}

/**
 * A possessive against "in" or "by" where the guard's possessive reading does not reach (guard.ts
 * possessiveMoved): "Python's GIL" / "the GIL in Python" where the owner is a name but no person's, and the
 * head a plural or an acronym, no act or attitude ("Priya's trust" / "trust in Priya" turns the roles); "Orwell's 1984" / "1984 by Orwell" only where
 * the head is a title (capitalised or a number): "Monet's portrait" may be of Monet, "a portrait by Monet" is not.
 */
export function possessiveRelated(X: readonly string[], sx: readonly string[], Y: readonly string[]): boolean {
  if (X.length === Y.length) {
    let p = -1;
    for (const [i, t] of X.entries()) {
      if (t === Y[i]) continue;
      if (p >= 0) return false;
      p = i;
    }
    if (p <= 0 || X[p] !== "of" || sx[p] !== "'s" || p + 1 >= X.length) return false;
    let h = p - 1;
    while (h > 0 && MARKERS.has(X[h]!)) h--;
    const ownerTags = lexiconTags(X[p + 1]!).join(" ");
    // The owner a name (a language, a product, a game), the head a plural or an acronym: "Priya's pride" and
    // "the team's pride" are theirs, "pride in Priya" someone else's.
    const plural = h < p - 1 && /PLURAL|BARE/.test(X[h + 1]!);
    if (Y[p] === "in")
      return headOk(X[h]!) && (plural || /^\p{Lu}{2,}$/u.test(sx[h]!)) && !PERSON.test(ownerTags) && /^\p{Lu}/u.test(sx[p + 1]!);
    return Y[p] === "by" && title(sx[h]!, X[h]!) && /^\p{Lu}/u.test(sx[p + 1]!);
  }
  // The possessive the reading left in place: before a title ("Orwell's 1984" / "1984 by Orwell"), or before a
  // superlative, which the reading takes for a quantifier ("Rome's most famous sights" / "... sights of Rome").
  if (Y.length !== X.length + 1 || !(Y.includes("by") || Y.includes("of"))) return false;
  const same = alike(X, Y);
  for (let i = 0; i + 1 < X.length && i <= same.prefix; i++) {
    if (!/^\p{Lu}.*(?:'s|s')$/u.test(sx[i]!)) continue;
    for (let j = i + 1; j < X.length && j <= i + 3 && title(sx[j]!, X[j]!); j++)
      if (spliced(X, Y, same, i, j + 1, [...X.slice(i + 1, j + 1), "by", X[i]!])) return true;
    if (!/^(most|least)$/.test(X[i + 1]!)) continue;
    // Then up to three words of the phrase (the reading's own bound), and its number.
    for (let j = i + 2; j < X.length && j <= i + 4 && CONTENT.test(X[j]!); j++) {
      const end = MARKERS.has(X[j + 1] ?? "") ? j + 2 : j + 1;
      if (spliced(X, Y, same, i, end, [...X.slice(i + 1, end), "of", X[i]!])) return true;
    }
  }
  return false;
}

/** How many tokens X and Y share at the start and at the end: a splice is checked against them in O(1). */
function alike(X: readonly string[], Y: readonly string[]): { prefix: number; suffix: number } {
  let prefix = 0;
  while (prefix < X.length && X[prefix] === Y[prefix]) prefix++;
  let suffix = 0;
  while (suffix < X.length && suffix < Y.length && X[X.length - 1 - suffix] === Y[Y.length - 1 - suffix]) suffix++;
  return { prefix, suffix };
}

/** Whether Y is X with X[from..to) replaced by `middle`. */
function spliced(
  X: readonly string[],
  Y: readonly string[],
  same: { prefix: number; suffix: number },
  from: number,
  to: number,
  middle: string[],
): boolean {
  return (
    from <= same.prefix &&
    X.length - to <= same.suffix &&
    Y.length === from + middle.length + X.length - to &&
    middle.every((t, k) => Y[from + k] === t)
  );
}

const title = (surface: string, token: string): boolean => /^[\p{Lu}\d]/u.test(surface) || /^\d/.test(token);
