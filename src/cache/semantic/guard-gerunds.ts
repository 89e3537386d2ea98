import { americanSpelling, lemma } from "./guard-normalise.js";

/*
 * A word in -ing is read as its verb ("painting" as "paint"), so that "tips for painting a fence" and "how to
 * paint a fence" meet. Used as a noun it names something else: "a painting" is a picture, "the setting of Hamlet"
 * its place and time, "a parking ticket" no park ticket, "the meeting" no sports meet. A determiner before it
 * makes it a noun (or a possessive before a noun: "Japan's tipping culture", not "my code's throwing an error"), so does the plural (a verb form never takes -s after
 * -ing: "paintings", "meetings"), "of" after it (a verb takes its object bare: "the meaning of X", "painting the
 * fence") and "does" before it ("how long does hearing take": a verb after "does" is bare);
 * then it keeps its -ing.
 */

/** Before a word, these make it a noun: articles, demonstratives, possessive pronouns, "each", "no". */
const DETERMINERS = new Set("a an the this that these those my your his her its our their each every no another".split(" "));

/** The lemma of a gerund used as a noun, kept in -ing ("painting", "meeting"), or undefined for any other word. */
export function gerundNoun(
  w: string,
  after: string,
  next: string,
  determined: boolean,
): { lemma: string; past: boolean; plural?: boolean } | undefined {
  if (!/^[a-z]{4,}ing(s)?$/.test(w)) return undefined;
  const plural = w.endsWith("s");
  const noun = plural || determined || next === "of" || DETERMINERS.has(after) || /^(do|does|did)$/.test(after);
  if (!noun) return undefined;
  const singular = americanSpelling(plural ? w.slice(0, -1) : w);
  // Only where the -ing form comes from a verb: "king", "thing", "ceiling" are left to the usual reading.
  if (lemma(singular).lemma === singular) return undefined;
  return plural ? { lemma: singular, past: false, plural: true } : { lemma: singular, past: false };
}
