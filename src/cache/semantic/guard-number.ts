import { kindOf } from "./guard-kinds.js";
import { lexiconTags } from "./guard-normalise.js";
import { senses } from "./guard-synonyms.js";
import { wordnetDict } from "./guard-wordnet.js";
import { COMPARISON, RELATIONS } from "./guard-words.js";

/*
 * Generic number (docs/caching.md "Generic number"). A question about a kind names it in either number: "what is a
 * lifetime" / "what are lifetimes", "tips for running a meeting" / "... meetings", "a list of dictionaries" / "a list
 * of dictionary", "how do I validate the request body" / "... request bodies". Where grammar says a noun is read
 * generically on both sides, its number markers (A, BARE) go; every other difference of number stays: a request's
 * count (SG / PL), a definite set ("the servers", "my dogs", "these files"), a comparison ("the best languages"),
 * stuff against things ("chocolate" / "chocolates"), a plural that is a word of its own ("glasses", marked before).
 */

/** What these readings take of a prompt as guard-analyse.ts reads it (its GuardFeatures; no import: analyse uses aNoun). */
interface GuardFeatures {
  question?: boolean;
  definition?: boolean;
  determined?: string[];
  definite?: string[];
}

/** How one occurrence of a noun says its number: "a X", "Xs" (bare), "X" (bare singular), "the X", or other. */
type Form = "a" | "bare" | "one" | "the" | "other";

/** Relations after which a frame's noun phrase names a kind: "tips for", "signs of", "ways to", "ideas on". */
const FRAME_JOINS = new Set(["for", "of", "to", "on", "about", "with"]);

/** Words that make number the question ("is data singular or plural"). */
const NUMBER_ASKED = /^(singular|plural|plurals|pluralise|pluralize|plurality)$/;

/** WordNet's noun files for stuff (food, phenomenon, substance) and natural kinds (animal, food, plant). */
const STUFF = new Set(["13", "19", "27"]);
const NATURAL = new Set(["05", "13", "20"]);

/** The lexicographer file of each noun sense of a lemma ("13" is noun.food), or undefined without WordNet. */
function senseFiles(noun: string): string[] | undefined {
  const d = wordnetDict();
  if (d === null) return undefined;
  return senses(d, noun, "n").map((o) => d.data.n.toString("latin1", Number(o) + 9, Number(o) + 11));
}

/**
 * A count noun only: no sense of it is stuff ("chocolate", "coffee", "paper" may be) and the lexicon does not
 * know it as uncountable ("hair", "advice"). Words WordNet does not know are terms, counted ("microservice").
 */
const countOnly = (noun: string): boolean => {
  const files = senseFiles(noun);
  return files !== undefined && !files.some((f) => STUFF.has(f)) && !lexiconTags(noun).includes("Uncountable");
};

/**
 * A term whose plural cannot be another term: one sense in WordNet ("lifetime"), or senses that are all a plant,
 * an animal or a food ("lentil"). "option", "future", "custom" have senses apart, and their plurals may pick one.
 */
const oneTerm = (noun: string): boolean => {
  const files = senseFiles(noun);
  return files !== undefined && files.length > 0 && (files.length === 1 || files.every((f) => NATURAL.has(f)));
};

/**
 * WordNet knows the word as a noun: in what a request produces, a word after it in a compound is its head
 * ("write smoke tests"). Outside one, a noun may be the subject of a verb ("how hot air rises").
 */
export function aNoun(word: string): boolean {
  const d = wordnetDict();
  return d !== null && /^[a-z]+$/.test(word) && senses(d, word, "n").length > 0;
}

const isNumber = (t: string | undefined): boolean => t === "BARE" || t === "PLURAL";

/** The form of the noun at i, and the index of the "a" that makes it singular, if any. */
function formAt(T: readonly string[], S: readonly string[], i: number, f: GuardFeatures): [Form, number] {
  const next = T[i + 1];
  // A name ("Einsteins", "the Smiths") has no number to drop; "caching" and "running" are no singular of "caches".
  if (i > 0 && /^\p{Lu}/u.test(S[i] ?? "")) return ["other", -1];
  if (next === "BARE") return ["bare", -1];
  if (next === "PLURAL" || next === "SG" || next === "PL") return ["other", -1];
  // "a stressed dog": the article stands up to three words before, with only modifiers between.
  for (let k = i - 1; k >= Math.max(0, i - 3); k--) {
    if (T[k] === "A") return ["a", k];
    if (isNumber(T[k]) || RELATIONS.has(T[k]!) || kindOf(T[k]!) !== "content" || /^(PAST|FUT)$/.test(T[k]!)) break;
  }
  if (f.definite?.includes(T[i]!)) return ["the", -1];
  return f.determined?.includes(T[i]!) || (S[i] ?? "").toLowerCase() !== T[i] ? ["other", -1] : ["one", -1];
}

/** The prompt opens on a plural noun and a relation ("tips for", "signs of"): what follows the relation is a kind. */
function frameEnd(T: readonly string[]): number {
  let k = 0;
  if (T[k] === "produce") k++;
  if (kindOf(T[k] ?? "") !== "content" || COMPARISON.has(T[k]!)) return -1;
  k++;
  if (T[k] === "PL") k++;
  if (T[k] !== "BARE") return -1;
  return FRAME_JOINS.has(T[k + 1] ?? "") ? k + 1 : -1;
}

/** A noun modifying the next ("request" in "request body"): a content word, no adjective, verb form or relation. */
function modifier(T: readonly string[], k: number): boolean {
  const t = T[k];
  if (t === undefined || kindOf(t) !== "content" || RELATIONS.has(t)) return false;
  return !lexiconTags(t).some((g) => /^(Adjective|Adverb|Preposition|Determiner|Pronoun|Conjunction)$/.test(g));
}

/** Whether the pair of forms of noun n (at i in X, j in Y) names one kind in this reading of both prompts. */
function sameKind(n: string, fx: Form, fy: Form, ctx: Context, X: readonly string[], i: number, Y: readonly string[], j: number): boolean {
  const pair = (p: Form, q: Form) => (fx === p && fy === q) || (fx === q && fy === p);
  const inFrame = i > ctx.frameX && j > ctx.frameY && ctx.frameX >= 0 && ctx.frameY >= 0;
  if (pair("a", "bare")) {
    if (ctx.definition) return oneTerm(n);
    return (inFrame || ctx.question) && countOnly(n);
  }
  // "a list of dictionary", "negotiation tips" / "tips for negotiations": after "of" or in a compound, a bare noun
  // names the kind whatever its number.
  if (pair("one", "bare")) {
    const [T, k] = fx === "one" ? [X, i] : [Y, j];
    // In a frame ("benefits of using microservice") any bare singular after the relation names its kind.
    const placed = T[k - 1] === "of" || modifier(T, k + 1);
    return (inFrame || (placed && ctx.question)) && countOnly(n);
  }
  // "the request body" / "request bodies" in a question: a compound's head named with "the" is its kind.
  if (pair("the", "bare")) return ctx.question && ctx.bothQuestions && modifier(X, i - 1) && X[i - 1] === Y[j - 1] && countOnly(n);
  return false;
}

/**
 * "headaches" read as "headach" (-es taken off, as from "churches"), where the other side writes "headache": the
 * plural is of the word the other side has. Only for a plural whose lemma lacks the final e of the other's word.
 */
function silentE(X: string[], sx: readonly string[], Y: readonly string[]): void {
  for (const [i, t] of X.entries()) {
    const written = (sx[i] ?? "").toLowerCase();
    if (isNumber(X[i + 1]) && written === `${t}es` && Y.includes(`${t}e`) && !Y.includes(t)) X[i] = `${t}e`;
  }
}

/**
 * "hex colours", "file paths": the lexicon reads an -s word after a noun as a verb, with no number. Where the other
 * side has "a", the same modifier and the same noun written singular ("a hex colour"), and this side's modifier has
 * no article of its own ("a cooker works", "the app says": a subject and its verb), the -s word is a bare plural.
 * A marker only makes the guard stricter, until the rules below read both as one kind.
 */
function pluralsReadAsVerbs(X: string[], sx: string[], Y: readonly string[], sy: readonly string[], x: GuardFeatures): void {
  for (let i = X.length - 1; i > 0; i--) {
    const written = (sx[i] ?? "").toLowerCase();
    const modifier = X[i - 1]!;
    if (!/^[a-z]+s$/.test(written) || written === X[i] || isNumber(X[i + 1]) || X[i - 2] === "A") continue;
    if (x.determined?.includes(modifier) || !aNoun(modifier)) continue;
    const j = Y.findIndex((u, k) => u === X[i] && Y[k - 1] === modifier && Y[k - 2] === "A" && !isNumber(Y[k + 1]));
    const one = (sy[j] ?? "").toLowerCase();
    if (j < 0 || one.endsWith("s") || !written.startsWith(one) || written.length > one.length + 2) continue;
    X.splice(i + 1, 0, "BARE");
    sx.splice(i + 1, 0, "");
  }
}

interface Context {
  question: boolean;
  bothQuestions: boolean;
  definition: boolean;
  frameX: number;
  frameY: number;
}

/**
 * Drops the number markers (A before the noun, BARE after it) of every noun that both prompts name generically,
 * each occurrence paired with the other side's occurrence of the same lemma in order. X and Y are the two token
 * lists after lexicalised plurals are marked (guard.ts); surfaces move with their tokens.
 */
export function genericNumber(X: string[], sx: string[], Y: string[], sy: string[], x: GuardFeatures, y: GuardFeatures): void {
  // Every reading below starts from a number marker or an "a": most prompts have neither.
  if (![...X, ...Y].some((t) => t === "A" || isNumber(t))) return;
  silentE(X, sx, Y);
  silentE(Y, sy, X);
  pluralsReadAsVerbs(X, sx, Y, sy, x);
  pluralsReadAsVerbs(Y, sy, X, sx, y);
  if ([...X, ...Y].some((t) => NUMBER_ASKED.test(t) || COMPARISON.has(t))) return;
  const ctx: Context = {
    question: x.question === true || y.question === true,
    bothQuestions: x.question === true && y.question === true,
    definition: x.definition === true && y.definition === true,
    frameX: frameEnd(X),
    frameY: frameEnd(Y),
  };
  const drop: [number[], number[]] = [[], []];
  const used = new Set<number>();
  for (let i = 0; i < X.length; i++) {
    const n = X[i]!;
    if (kindOf(n) !== "content" || !/^[a-z]/.test(n) || RELATIONS.has(n)) continue;
    const j = Y.findIndex((u, k) => u === n && !used.has(k));
    if (j < 0) continue;
    used.add(j);
    const [fx, ax] = formAt(X, sx, i, x);
    const [fy, ay] = formAt(Y, sy, j, y);
    if (fx === fy || !sameKind(n, fx, fy, ctx, X, i, Y, j)) continue;
    drop[0].push(fx === "a" ? ax : fx === "bare" ? i + 1 : -1);
    drop[1].push(fy === "a" ? ay : fy === "bare" ? j + 1 : -1);
  }
  for (const [T, S, at] of [
    [X, sx, drop[0]],
    [Y, sy, drop[1]],
  ] as const)
    for (const k of at.filter((k) => k >= 0).sort((p, q) => q - p)) {
      T.splice(k, 1);
      S.splice(k, 1);
    }
}
