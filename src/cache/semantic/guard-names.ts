import type { Word } from "./guard-normalise.js";
import { senses } from "./guard-synonyms.js";
import { wordnetDict } from "./guard-wordnet.js";

/*
 * A capitalised phrase after "the" is a name, and its article is part of it: "the Doctor" in Doctor Who is one
 * character, "a doctor" any physician; "the Great Depression" is 1929, "a great depression" any slump. Case alone
 * changes nothing ("the great depression" asks what "the Great Depression" asks), so the name's article is kept
 * as a mark (THE) that refuses only an "a" before the same words on the other side, and goes otherwise.
 */

/** True when "the" at i opens a capitalised phrase: "the Doctor", "the Great Depression". */
export function namedByThe(words: readonly Word[], i: number): boolean {
  const next = words[i + 1];
  return words[i]?.kind === "word" && words[i]!.w === "the" && next?.kind === "word" && /^[A-Z][a-z]/.test(next.s);
}

/** Why X's named "the N" is not Y's "a n", or undefined; the THE marks are then taken out of both. */
export function nameAgainstArticle(X: string[], sx: string[], Y: string[], sy: string[]): string | undefined {
  // Both ways before either side's marks go.
  for (const [P, Q] of [
    [X, Y],
    [Y, X],
  ] as const)
    for (const [k, t] of P.entries()) {
      const noun = P[k + 1];
      if (t === "THE" && noun !== undefined && Q.some((u, j) => u === "A" && Q[j + 1] === noun)) return `name: the ${noun} / a ${noun}`;
    }
  for (const [T, S] of [
    [X, sx],
    [Y, sy],
  ] as const)
    for (let k = T.length - 1; k >= 0; k--)
      if (T[k] === "THE") {
        T.splice(k, 1);
        S.splice(k, 1);
      }
  return undefined;
}

/** Tags of a verb: after "I" a verb makes it the pronoun ("the book I read", "the war I was in"). */
const VERB_TAGS = new Set(["Verb", "PresentTense", "PastTense", "Infinitive", "Modal", "Auxiliary", "Copula", "Adverb"]);
/** Tags of a noun before "I": "world war I", "Henry VIII"-like numbering follows a name or noun. */
const NOUN_TAGS = new Set(["Noun", "Singular", "ProperNoun"]);

/**
 * "world war I", "Elizabeth I": a capital I after a noun and before no verb numbers what it follows; the
 * pronoun stands before its verb ("the book I read", "each time I type") or after an auxiliary ("should I").
 */
export function romanOne(words: readonly Word[], i: number, tags: (w: string) => string[]): boolean {
  const t = words[i];
  const prev = words[i - 1];
  const next = words[i + 1];
  if (t?.kind !== "word" || t.s !== "I" || prev?.kind !== "word") return false;
  // A name inside a sentence ("King Charles I", "Louis I of France") is a noun whatever the lexicon says.
  const proper = tags(prev.w).length === 0 || tags(prev.w).some((g) => /ProperNoun|Name|Person|Honorific/.test(g));
  const named = /^\p{Lu}/u.test(prev.s) && ((i > 1 && words[i - 2]?.kind === "word") || proper);
  if (!named && (!tags(prev.w).some((g) => NOUN_TAGS.has(g)) || tags(prev.w).some((g) => VERB_TAGS.has(g)))) return false;
  if (next === undefined || next.kind === "bound") return true;
  // A person's name not after a preposition is followed by its numeral even before a verb ("why was Richard I
  // called"); after one, the name may open the sentence's frame and "I" be its subject ("in Kotlin I use").
  const before = words[i - 2];
  const framed = before?.kind === "word" && tags(before.w).includes("Preposition");
  if (/^\p{Lu}/u.test(prev.s) && tags(prev.w).some((g) => /Name|Person|Honorific/.test(g)) && !framed) return true;
  // "each time I type": a word WordNet knows as a verb may be the pronoun's verb.
  const d = wordnetDict();
  const verb = tags(next.w).some((g) => VERB_TAGS.has(g)) || d === null || senses(d, next.w, "v").length > 0;
  return next.kind === "word" && !verb;
}
