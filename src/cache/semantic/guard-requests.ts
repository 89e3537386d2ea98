import { lemma, lexiconTags, type Word } from "./guard-normalise.js";
import { typo } from "./guard-typo.js";
import { COORDINATORS, RELATIONS, REQUEST_VERBS } from "./guard-words.js";

/*
 * Questions that ask for something to be produced, and the imperatives that request it (docs/caching.md "The
 * structural guard"), read where a clause starts, after the how-to frames (guard-frames.ts) had their turn. Closed
 * classes of English grammar, not words of the evaluation pairs. Both become one canonical request made by the
 * normaliser (no surface) before what is asked for, so that what is produced, how many and its qualifiers are still
 * compared (guard-analyse.ts counts SG/PL after a request). There are two: "suggest", a recommendation (the best of
 * what exists), and "produce", instances (any, or new ones): "list some books by Orwell" is not "recommend some
 * books by Orwell", nor "tell me a story" "recommend a story".
 *
 * - "suggest/recommend (me) X", whatever X's determiner: both ask for a recommendation.
 * - "give/show/tell (me)", "list", "name", "come up with" before an indefinite X ("a name", "some names", "three
 *   names", "names that ..."): a request for instances. Before a definite X ("tell me the capital of Peru") they
 *   ask what "what is the capital of Peru" asks and stay as they were (frames of guard-words.ts).
 * - "what is a good X", "what are (some) (good) Xs", "what would be a X": a question that asks for an instance,
 *   marked as such by "some" or a number (instances), an adjective of approval or the conditional (a recommendation). "What is a X" alone asks what X is, and
 *   "what is the best X" keeps "best" ("best" and "a" are not alike), so neither becomes a request.
 * - "what Xs are/V ..." ("what breeds are good for ...", "what changes lower ...") against "list/recommend Xs that
 *   are/V ...": a question word used as a determiner before a plural asks for the members of that set; the
 *   relative pronoun of the imperative goes.
 * - "walk/talk/take/guide me through the X" asks how the X works ("how does X work"); "walk me through V-ing" is
 *   the how-to of guard-frames.ts. "Explain X" stays what "what is X" asks (a definition is not a mechanism).
 * - "is there a X to V / for ...", "are there (any) Xs to V / for ...": asks for the X ("the formula to ..."); "is
 *   there a bug in ..." asks whether one exists, and stays.
 * Verbs that transform or judge a text ("translate", "summarise", "fix", "review", "write") are never requests
 * here: their object is an input, not what is asked for.
 */

/** Ask for a recommendation, whatever follows. */
const RECOMMEND = new Set(["suggest", "recommend"]);
/** Ask for instances of what follows when it is indefinite. */
const INSTANCES = new Set(["give", "show", "tell", "list", "name"]);
/**
 * Adjectives of approval that a recommendation implies: "suggest a good name" asks what "suggest a name" asks. In a
 * request for instances they stay: "name some good fats" asks for a kind of fat.
 */
const APPROVAL = new Set(["good", "great", "nice", "decent"]);
/** Indefinite determiners of what is asked for. */
const INDEFINITE = new Set(["a", "an", "some"]);
/** Start of something other than a thing asked for: a question, an infinitive, a topic. */
const NOT_NP = new Set("how what why when where who whom which whether if to that about me us it this these those".split(" "));
const DEFINITE = new Set("the this that these those my your our their his her its".split(" "));
const RELATIVE = new Set(["that", "which", "who"]);
/** Nouns after "walk me through" that name something that works or runs. */
const THROUGH = new Set(["walk", "talk", "take", "guide"]);

const made = (w: string): Word => ({ w, s: "", kind: "word" });

/** Requests made from a question ("what is a good soil for orchids"): they still ask about kinds (guard-analyse.ts). */
const QUESTIONS = new WeakSet<Word>();
export const madeFromQuestion = (w: Word): boolean => QUESTIONS.has(w);
const asked = (kind: "suggest" | "produce"): Word => {
  const w = made(kind);
  QUESTIONS.add(w);
  return w;
};

/** A plural noun as the lexicon reads it ("breeds", "changes" are also verbs), or an unknown word in -s. */
const plural = (w: string | undefined): boolean =>
  w !== undefined &&
  /^[a-z]{3,}s$/.test(w) &&
  !/(ss|us|is)$/.test(w) &&
  (lemma(w).plural === true || lexiconTags(w).some((t) => t === "Plural" || t === "PresentTense"));

/**
 * The verb after a plural subject ("breeds are", "changes lower"): a plain word that is no preposition, joiner,
 * determiner, helping verb or question word. The lexicon knows few verbs as such ("lower" is an adjective to it).
 */
const predicate = (w: string | undefined): boolean =>
  w !== undefined &&
  /^[a-z]+$/.test(w) &&
  !RELATIONS.has(w) &&
  !COORDINATORS.has(w) &&
  !NOT_NP.has(w) &&
  !DEFINITE.has(w) &&
  !INDEFINITE.has(w) &&
  !/^(of|is|was|were|do|does|did|can|could|should|would|will|may|might|must|i|you|we|they|he|she|not)$/.test(w);

/**
 * Rewrites a request or a question asking for something at i (a clause start) into the canonical request, in
 * place, and returns -1 (read again), or returns 0 when none stands there.
 */
export function requestAt(words: Word[], i: number): number {
  const w = (k: number): string | undefined => {
    const x = words[i + k];
    return x?.kind === "word" || x?.kind === "value" ? x.w : undefined;
  };
  const first = w(0);
  if (first === undefined || ((first === "suggest" || first === "produce") && words[i]!.s === "")) return 0;
  // "walk me through the TLS handshake" asks "how does the TLS handshake work".
  if (THROUGH.has(first) && (w(1) === "me" || w(1) === "us") && w(2) === "through" && /^(the|this|that|a|an)$/.test(w(3) ?? "")) {
    let end = i + 4;
    while (end < words.length && words[end]!.kind !== "bound") end++;
    if (end - i > 12 || /ing$/.test(w(4) ?? "")) return 0;
    words.splice(end, 0, made("work"));
    words.splice(i, 3, made("how"));
    return -1;
  }
  // "is there a formula to ...", "are there any tools for ...": the thing asked for, with its complement.
  if ((first === "is" || first === "are") && w(1) === "there") return existence(words, i, w);
  if (first === "what") return question(words, i, w);
  // A slip in the verb ("recomend") is the verb: the other side's reading must not depend on the spelling.
  const slip = [...RECOMMEND].find((v) => first.length >= 6 && first !== v && typo(v, first, v, words[i]!.s));
  const verb = slip ?? lemma(first).lemma;
  const upWith = first === "come" && w(1) === "up" && w(2) === "with" ? 3 : 0;
  if (!RECOMMEND.has(verb) && !INSTANCES.has(verb) && upWith === 0) return 0;
  if (/ing$|ed$/.test(first) || lemma(first).past) return 0;
  const k = upWith || (w(1) === "me" || w(1) === "us" ? 2 : 1);
  const next = w(k);
  // "tell me: list the planets" frames a request that follows, it asks for no list.
  if (next === undefined || words[i + k]!.kind === "bound" || NOT_NP.has(next) || REQUEST_VERBS.has(next)) return 0;
  if (!RECOMMEND.has(verb) && !indefinite(words, i + k, verb === "list" || verb === "name")) return 0;
  // Approval marks a recommendation whatever the verb: "tell me a good name" asks what "suggest a name" asks.
  const d = w(k) === "some" || /^(a|an)$/.test(w(k) ?? "") || /^\d/.test(w(k) ?? "") ? 1 : 0;
  const recommend = RECOMMEND.has(verb) || APPROVAL.has(w(k + d) ?? "");
  words.splice(i, k, made(recommend ? "suggest" : "produce"));
  request(words, i + 1, recommend);
  return -1;
}

/**
 * An indefinite noun phrase at j: "a X", "some Xs", a number, an approving adjective, or a bare plural; after
 * "list" and "name" a bare plural only before a relative clause ("list comprehensions", "name servers" are things).
 */
function indefinite(words: Word[], j: number, related: boolean): boolean {
  const x = words[j]!;
  if (x.kind === "value") return /^\d/.test(x.w);
  if (DEFINITE.has(x.w) || x.poss) return false;
  if (INDEFINITE.has(x.w) || APPROVAL.has(x.w)) return true;
  // A bare plural, perhaps after a noun or an adjective ("lifestyle changes"), up to three words.
  for (let k = j; k < j + 3 && words[k]?.kind === "word" && !DEFINITE.has(words[k]!.w); k++)
    if (plural(words[k]!.w)) return !related || RELATIVE.has(words[k + 1]?.w ?? "");
  return false;
}

/**
 * After the canonical request at j: "some" goes, adjectives of approval go after a recommendation, and a
 * relative pronoun after a bare plural ("breeds that are good") goes, as the question says it ("what breeds are good").
 */
function request(words: Word[], j: number, recommend: boolean): void {
  if (words[j]?.w === "some" && words[j + 1]?.kind === "word") words.splice(j, 1);
  const det = words[j]?.kind === "value" || /^(a|an)$/.test(words[j]?.w ?? "") ? 1 : 0;
  while (recommend && APPROVAL.has(words[j + det]?.w ?? "") && words[j + det + 1]?.kind === "word") words.splice(j + det, 1);
  if (det === 1) return;
  for (let k = j; k < j + 3; k++) {
    if (words[k]?.kind !== "word" || !plural(words[k]!.w)) continue;
    const rel = words[k + 1];
    if (rel?.kind === "word" && RELATIVE.has(rel.w) && predicate(words[k + 2]?.w)) words.splice(k + 1, 1);
    return;
  }
}

/** "what is a good X", "what are some Xs", "what would be a X", "what Xs are/V ...". */
function question(words: Word[], i: number, w: (k: number) => string | undefined): number {
  const conditional = /^(would|could|might)$/.test(w(1) ?? "") && w(2) === "be";
  const be = conditional ? 3 : w(1) === "is" || w(1) === "are" ? 2 : 0;
  if (be > 0) {
    const det = w(be);
    const after = w(be + 1);
    const marked =
      det === "some" ||
      (conditional && /^(a|an)$/.test(det ?? "")) ||
      (det !== undefined && APPROVAL.has(det) && w(be + 1) !== undefined) ||
      (/^(a|an)$/.test(det ?? "") && APPROVAL.has(after ?? "") && w(be + 2) !== undefined) ||
      (words[i + be]?.kind === "value" && /^\d/.test(det ?? "") && after !== undefined);
    if (!marked || after === undefined || words[i + be + 1]!.kind === "bound") return 0;
    const recommend = conditional || APPROVAL.has(det ?? "") || APPROVAL.has(after) || (det === "some" && APPROVAL.has(after));
    words.splice(i, be, asked(recommend ? "suggest" : "produce"));
    request(words, i + 1, recommend);
    return -1;
  }
  // "what breeds are good for ...", "what lifestyle changes lower ...": a plural within three words, then its verb.
  for (let k = 1; k <= 3; k++) {
    const x = words[i + k];
    if (x?.kind !== "word" || DEFINITE.has(x.w) || NOT_NP.has(x.w) || /^(is|are|do|does|did|can|should|would|will)$/.test(x.w)) return 0;
    if (!plural(x.w)) continue;
    // "what causes migraines": a word in -s straight after "what" may be its verb; only "are" settles it a noun.
    if (k === 1 ? w(k + 1) !== "are" : !predicate(w(k + 1))) return 0;
    words.splice(i, 1, asked("produce"));
    return -1;
  }
  return 0;
}

/** "is there a X to V", "are there (any) Xs for ...": the X asked for; not "is there a bug in ...". */
function existence(words: Word[], i: number, w: (k: number) => string | undefined): number {
  const any = w(2) === "any" ? 1 : 0;
  const det = w(1 + 1 + any);
  if (w(0) === "is" && !/^(a|an)$/.test(det ?? "") && !any) return 0;
  const start = w(0) === "is" && !any ? 3 : 2 + any;
  for (let k = start; k < start + 3; k++) {
    const x = words[i + k];
    if (x?.kind !== "word" || NOT_NP.has(x.w) || DEFINITE.has(x.w)) return 0;
    const complement = w(k + 1);
    if (complement !== "to" && complement !== "for") continue;
    if (w(0) === "are" && !plural(x.w)) return 0;
    // "is there a way to" is a how-to, read before this (guard-frames.ts).
    words.splice(i, 2 + any);
    return -1;
  }
  return 0;
}

const DEMONSTRATIVE = new Set(["this", "that", "these", "those"]);

/**
 * "what does this error mean", "what does this regex do", "explain what this message means": of a thing shown
 * (a demonstrative before at most three words, then the clause's end or the thing shown), asking what it means or does
 * asks what "explain this error" asks. Rewritten in place to "explain this X" (guard-frames.ts reads it); true if so.
 * "what does this function return", "why does this error happen" ask other things and stay.
 */
export function explainShown(words: Word[], i: number): boolean {
  const w = (k: number): string | undefined => (words[i + k]?.kind === "word" ? words[i + k]!.w : undefined);
  const lead = w(0) === "explain" && w(1) === "what" ? 1 : 0;
  const aux = lead === 0 && (w(1) === "does" || w(1) === "do") ? 1 : 0;
  if (w(lead) !== "what" || (lead === 0 && aux === 0) || !DEMONSTRATIVE.has(w(lead + 1 + aux) ?? "")) return false;
  const start = lead + 1 + aux;
  for (let k = start + 2; k <= start + 4; k++) {
    const x = words[i + k];
    if (x?.kind !== "word") return false;
    const verb = lead ? /^(means|does)$/.test(x.w) : /^(mean|do)$/.test(x.w);
    if (!verb) continue;
    // The thing itself may follow, after a colon the tokeniser does not keep: code, a quote, a value, or an
    // identifier with capitals inside ("TypeError", "ECONNREFUSED"); a plain word goes on ("mean in French").
    const after = words[i + k + 1];
    const shown = after === undefined || after.kind === "bound" || after.kind === "value" || /^[A-Z]\w*[A-Z]/.test(after.s);
    if (!shown) return false;
    words.splice(i + k, 1);
    words.splice(i, start, made("explain"));
    return true;
  }
  return false;
}
