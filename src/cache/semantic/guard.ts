import nlp from "compromise";
import { CONTRASTS, CURRENCY, ENTITY_TAGS, FUNCTION_WORDS, NEGATIONS, NOT_NAMES, UNIT } from "./guard-words.js";

/**
 * What a query says that an embedding blurs: two queries whose vectors are
 * close may still ask about another number, unit, currency, entity or
 * polarity. A semantic hit needs these to match exactly (see docs/caching.md).
 */
export interface GuardFeatures {
  /** Numbers in order, as values ("ten" and "10" are both "10"). */
  numbers: string[];
  /** Units and currencies in order, normalised ("$" and "dollars" are "usd"). */
  units: string[];
  /** Named things in order: places, people, organisations, dates, other proper nouns. */
  entities: string[];
  /** How many negations ("not", "n't", "never", "without", ...). */
  negations: number;
  /** Words whose opposite often leaves the rest of a query the same ("largest"/"smallest", "buy"/"sell"). */
  contrasts: string[];
  /** Content words (roots) by part of speech: swapping one for another ("gold" for "silver") changes the question. */
  content: { nouns: string[]; verbs: string[]; adjectives: string[] };
}

const clean = (s: string): string =>
  s
    .toLowerCase()
    .replace(/['’]s$/u, "")
    .replace(/^[^\p{L}\p{N}$€£¥%°]+|[^\p{L}\p{N}$€£¥%°]+$/gu, "");

/** Number words and numerals as one canonical value. */
function numberValue(n: { number?: number | string | undefined }): string | undefined {
  const v = n.number;
  if (v === undefined || v === null || v === "") return undefined;
  return String(typeof v === "number" ? Number(v.toPrecision(12)) : v).toLowerCase();
}

interface Term {
  text: string;
  root?: string;
  tags: string[];
}

/** "summarise" and "summarize" are one word. */
const britishToAmerican = (w: string): string => w.replace(/is(e|ed|es|ing)$/, "iz$1").replace(/isation$/, "ization");

/** Reads a query's guard features: about 1.7 ms (p50) a query on these cores, paid only when a cached query passes the threshold. */
export function guardFeatures(text: string): GuardFeatures {
  const doc = nlp(text);
  doc.compute("root");
  const numbers: string[] = [];
  for (const n of doc.numbers().json() as { number?: { num?: number } | number }[]) {
    const raw = typeof n.number === "object" ? n.number?.num : n.number;
    const v = numberValue({ number: raw });
    if (v !== undefined) numbers.push(v);
  }
  // Numerals compromise did not read as numbers (versions, codes, "3.11", "2xx") still count, as written.
  if (numbers.length === 0) for (const m of text.matchAll(/\d+(?:[.,:]\d+)*/g)) numbers.push(m[0]);

  const units: string[] = [];
  const entities: string[] = [];
  const content = { nouns: new Set<string>(), verbs: new Set<string>(), adjectives: new Set<string>() };
  const contrasts = new Set<string>();
  let negations = 0;
  const sentences = doc.json() as { terms: Term[] }[];
  for (const sentence of sentences) {
    sentence.terms.forEach((t, i) => {
      const raw = t.text;
      const word = clean(raw);
      const tags = new Set(t.tags);
      if (tags.has("Negative") || NEGATIONS.has(raw.toLowerCase()) || /n['’]t$/i.test(raw)) negations += 1;
      for (const sym of raw.match(/[$€£¥]/g) ?? []) units.push(CURRENCY[sym]!);
      if (!word) return;
      if (CURRENCY[word] !== undefined) units.push(CURRENCY[word]);
      // A unit of two letters or more is one wherever it stands; "m" or "s" only after a number.
      else if (UNIT[word] !== undefined && (word.length > 1 || (i > 0 && /\d/.test(sentence.terms[i - 1]!.text)))) units.push(UNIT[word]);
      else if (/^\d+(?:\.\d+)?[a-z%°]+$/i.test(word)) {
        // "10km", "5kg", "30%": the unit glued to its number.
        const unit = word.replace(/^[\d.]+/, "");
        units.push(UNIT[unit] ?? CURRENCY[unit] ?? unit);
      }
      if (CONTRASTS.has(word)) contrasts.add(word);
      const named = ENTITY_TAGS.some((tag) => tags.has(tag)) && !tags.has("Value") && !tags.has("Pronoun");
      // A capitalised word inside a sentence names something even when compromise does not know it.
      const capitalised = i > 0 && /^\p{Lu}/u.test(raw) && !/^I$/.test(raw);
      const unit = CURRENCY[word] !== undefined || UNIT[word] !== undefined;
      if ((named || capitalised) && !unit && !NOT_NAMES.has(word)) {
        entities.push(word);
        return;
      }
      if (unit || CONTRASTS.has(word) || tags.has("Value") || tags.has("Pronoun")) return;
      const root = britishToAmerican(clean(t.root ?? raw));
      if (!root || FUNCTION_WORDS.has(root) || FUNCTION_WORDS.has(word)) return;
      if (tags.has("Noun")) content.nouns.add(root);
      else if (tags.has("Verb") && !tags.has("Auxiliary") && !tags.has("Copula") && !tags.has("Modal")) content.verbs.add(root);
      else if (tags.has("Adjective")) content.adjectives.add(root);
    });
  }
  const sorted = (set: Set<string>) => [...set].sort();
  return {
    numbers,
    units,
    entities,
    negations,
    contrasts: sorted(contrasts),
    content: { nouns: sorted(content.nouns), verbs: sorted(content.verbs), adjectives: sorted(content.adjectives) },
  };
}

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * True when each side has a word of the same part of speech the other lacks:
 * a substitution ("tea" for "coffee"). A word only added or dropped ("the
 * capital" and "the capital city") is how paraphrases differ, and passes.
 */
function substituted(a: readonly string[], b: readonly string[]): boolean {
  return a.some((w) => !b.includes(w)) && b.some((w) => !a.includes(w));
}

/** Why two queries may not share an answer, or undefined when the guard lets them. */
export function guardMismatch(a: GuardFeatures, b: GuardFeatures): string | undefined {
  if (!sameList(a.numbers, b.numbers)) return "numbers";
  if (!sameList(a.units, b.units)) return "units";
  if (!sameList(a.entities, b.entities)) return "entities";
  if (a.negations !== b.negations) return "negation";
  if (!sameList(a.contrasts, b.contrasts)) return "contrast";
  for (const pos of ["nouns", "verbs", "adjectives"] as const) {
    if (substituted(a.content[pos], b.content[pos])) return `substituted ${pos}`;
  }
  return undefined;
}
