import { americanSpelling, lemma, lexiconTags } from "./guard-normalise.js";
import { senses } from "./guard-synonyms.js";
import { wordnetDict } from "./guard-wordnet.js";

/*
 * A word in -ing is read as its verb ("painting" as "paint"), so that "tips for painting a fence" and "how to
 * paint a fence" meet. Used as a noun it names something else: "a painting" is a picture, "the setting of Hamlet"
 * its place and time, "a parking ticket" no park ticket, "the meeting" no sports meet. It is a noun, and keeps
 * its -ing, after a determiner, after a possessor when a noun follows ("Japan's tipping culture", not "my code's
 * throwing an error"), in the plural (a verb form never takes -s after -ing: "paintings"), before "of" (a verb
 * takes its object bare: "the meaning of X", "painting the fence").
 */

type Lemma = { lemma: string; past: boolean; plural?: boolean };

/** Tags of a noun after a possessor ("culture", unknown to the lexicon, is a noun too; "why" is none). */
const NOUN_TAGS = new Set(["Noun", "Singular", "Plural", "Uncountable", "Duration"]);
const nounish = (w: string): boolean => {
  const tags = lexiconTags(w);
  return /^[a-z]+$/.test(w) && (tags.length === 0 || tags.some((t) => NOUN_TAGS.has(t)));
};

/** Before a word, these make it a noun: articles, demonstratives, possessive pronouns, "each", "no". */
const DETERMINERS = new Set("a an the this that these those my your his her its our their each every no another".split(" "));

/**
 * The lemma of a gerund used as a noun, kept in -ing ("painting", "meeting"), or undefined for any other word.
 * `before` is the determiner or possessor of its phrase (guard-analyse.ts), `after` the word before it, `next`
 * the content word after it.
 */
export function gerundNoun(w: string, before: string, after: string, next: string): Lemma | undefined {
  if (!/^[a-z]{4,}ing(s)?$/.test(w)) return undefined;
  const plural = w.endsWith("s");
  const possessed = before !== "" && before === after && nounish(next);
  const noun = plural || possessed || next === "of" || DETERMINERS.has(after);
  if (!noun) return undefined;
  const singular = americanSpelling(plural ? w.slice(0, -1) : w);
  // Between a determiner and a noun it may be a participle ("a leaking radiator"): a noun only if WordNet has it.
  const d = wordnetDict();
  if (!plural && !possessed && next !== "of" && nounish(next) && d !== null && senses(d, singular, "n").length === 0) return undefined;
  // Only where the -ing form comes from a verb: "king", "thing", "ceiling" are left to the usual reading.
  if (lemma(singular).lemma === singular) return undefined;
  return plural ? { lemma: singular, past: false, plural: true } : { lemma: singular, past: false };
}
