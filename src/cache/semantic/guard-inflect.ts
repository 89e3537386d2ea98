import nlp from "compromise";
import { SPELLINGS } from "./guard-words.js";

/*
 * compromise's lexicon and inflection rules, as the guard reads words with them (docs/caching.md "The structural
 * guard"): a word's tags, its lemma (plural to singular, verb forms to the infinitive, and whether the form said
 * past), and American spelling by rule. No parse: a few µs a word.
 */

const model = nlp.model() as { one: { lexicon: Record<string, string | string[]> } };
const transform = (
  nlp.methods() as {
    two: {
      transform: {
        verb: { toInfinitive(w: string, m: unknown, tense: string): string };
        noun: { toSingular(w: string, m: unknown): string };
      };
    };
  }
).two.transform;

/** The words compromise's lexicon holds (multi-word entries left out). */
export const lexiconWords = (): string[] => Object.keys(model.one.lexicon).filter((w) => /^[a-z]+$/.test(w));

/** The lexicon's tags for a word (compromise's ~25k words); empty when it does not know it. */
export function lexiconTags(w: string): string[] {
  const t = model.one.lexicon[w];
  return t === undefined ? [] : Array.isArray(t) ? t : [t];
}

/** American spelling by rule: -ise, -yse, -our, -tre/-bre, -ogue, initial oe-, and the few with no rule. */
export function americanSpelling(w: string): string {
  const listed = SPELLINGS[w];
  if (listed !== undefined) return listed;
  return w
    .replace(/^([a-z]{2,})is(e|es|ed|ing|ation|ations|er|ers)$/, "$1iz$2")
    .replace(/^([a-z]{2,})ys(e|es|ed|ing)$/, "$1yz$2")
    .replace(/^([a-z]{2,})our(s|ed|ing|ite|ites|ful|able|er|ers)?$/, "$1or$2")
    .replace(/^([a-z]{2,})(t|b|g)re(s|d)?$/, "$1$2er$3")
    .replace(/^([a-z]{3,})ogue(s)?$/, "$1og$2")
    .replace(/^oe(?=s)/, "e")
    .replace(/([^aeiou])ae(?=[a-z])/, "$1e");
}

/** A word's lemma, and whether its form said past ("wrote", "deleted"): tense is part of a question. */
export function lemma(w: string): { lemma: string; past: boolean; plural?: boolean } {
  if (!/^[a-z]+$/.test(w) || w.length < 3) return { lemma: w, past: false };
  const tags = lexiconTags(w);
  const { verb, noun } = transform;
  if (tags.includes("PastTense")) return { lemma: americanSpelling(verb.toInfinitive(w, model, "PastTense")), past: true };
  if (tags.includes("Participle")) return { lemma: americanSpelling(verb.toInfinitive(w, model, "Participle")), past: true };
  if (tags.includes("PresentTense")) return { lemma: americanSpelling(verb.toInfinitive(w, model, "PresentTense")), past: false };
  if (tags.includes("Gerund")) return { lemma: americanSpelling(verb.toInfinitive(w, model, "Gerund")), past: false };
  if (tags.includes("Plural")) return singular(noun.toSingular(w, model));
  if (tags.length > 0) return { lemma: americanSpelling(w), past: false };
  const spelt = americanSpelling(w);
  if (spelt.length >= 5 && spelt.endsWith("ing")) return { lemma: verb.toInfinitive(spelt, model, "Gerund"), past: false };
  if (spelt.length >= 5 && spelt.endsWith("ed") && !spelt.endsWith("eed"))
    return { lemma: verb.toInfinitive(spelt, model, "PastTense"), past: true };
  // "https" is not the plural of "http": a stem with no vowel is an acronym.
  if (spelt.length >= 4 && spelt.endsWith("s") && !/(ss|us|is)$/.test(spelt) && /[aeiouy]/.test(spelt.slice(0, -1)))
    return singular(noun.toSingular(spelt, model));
  return { lemma: spelt, past: false };
}

/** "meetings" is "meeting", which is read as "meeting" is (a gerund, "meet"): one lemma for both. */
function singular(w: string): { lemma: string; past: boolean; plural: boolean } {
  return { lemma: w.endsWith("ing") ? lemma(w).lemma : americanSpelling(w), past: false, plural: true };
}
