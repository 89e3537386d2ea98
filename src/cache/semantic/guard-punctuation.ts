import { lemma } from "./guard-inflect.js";
import { senses } from "./guard-synonyms.js";
import { wordnetDict } from "./guard-wordnet.js";
import { IGNORED, OPENERS, OPENERS_BEFORE_PAUSE } from "./guard-words.js";

/*
 * Where prose punctuation carries the meaning. The tokeniser reads sentence punctuation as a boundary and a quoted
 * passage with punctuation as an exact token (guard-quotes.ts); two cases are neither:
 * - a prompt that asks about its own wording ("what does this sentence mean", "is this grammatical", "proofread
 *   this"): the wording, quoted or not, is the object of the question, so its marks are compared as written ("A
 *   woman without her man is nothing." is not "A woman: without her, man is nothing.");
 * - a comma between a verb and a noun it could take as its object ("let's eat, grandma"): with it the noun is the
 *   one addressed, without it the verb's object ("let's eat grandma").
 */

/** What a prompt's punctuation says, read from its text. */
export interface Marks {
  readonly text: string;
  /** Whether the prompt asks about its own wording, written out rather than quoted. */
  readonly aboutWording: boolean;
  /** "verb noun" for each comma between a verb and a noun that ends its sentence. */
  readonly vocatives: readonly string[];
  /** In a prompt about a search, its quoted phrases: there quotes are an operator (an exact phrase). */
  readonly searched?: string;
  /** For every two words written in a row, the marks between them ("" for none): read when needed. */
  joints?: Map<string, Set<string>>;
}

/** A prompt that names its own wording as what it asks about. */
const ABOUT_WORDING =
  /\b(?:(?:this|that|the|my|following|above|these)\s+(?:sentences?|phrases?|phrasing|wording|clauses?|quotes?|quotation|slogan|headline|caption|motto|sign|tagline|title)\b|proofread\w*|punctuat\w*|grammatic\w*|grammar|commas?\b|semicolons?\b|apostrophes?\b|(?:read|sound)s?\s+(?:right|correct|natural|ok)\b|is\s+(?:this|it)\s+(?:correct|right|proper|grammatical)\b)/i;
/** A search, where quotes ask for an exact phrase. */
const SEARCH = /\b(?:search(?:es|ing)?|google|googling|bing|grep|look(?:ing)?\s+up|query)\b/i;
/** A passage in quotes: then the quotes say what is asked about (guard-quotes.ts). */
const QUOTES = /["“][^"“”\n]+["”]|(?:^|[\s:(])['‘][^'‘’\n]+['’](?=[\s.,;:!?)]|$)/;
/** Code, which has punctuation of its own (guard-normalise.ts reads it). */
const CODE = /```[\s\S]*?(?:```|$)|`[^`\n]*`/g;
const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*|[^\s\p{L}\p{N}]/gu;
const PRONOUNS = /^(?:you|me|him|her|us|them|everyone|everybody|someone|somebody)$/;
const isWord = (t: string | undefined): t is string => t !== undefined && /^[\p{L}\p{N}]/u.test(t);

export function readMarks(text: string): Marks {
  const aboutWording = ABOUT_WORDING.test(text) && !QUOTES.test(text);
  const vocatives = text.includes(",") ? readJoints(text).vocatives : [];
  if (!SEARCH.test(text)) return { text, aboutWording, vocatives };
  const searched = (text.match(/["“][^"“”\n]{1,200}["”]/g) ?? []).map((q) => q.slice(1, -1).toLowerCase()).join("\u0000");
  return { text, aboutWording, vocatives, searched };
}

function readJoints(text: string): { joints: Map<string, Set<string>>; vocatives: string[] } {
  const tokens = text.replace(CODE, " \uE001 ").match(TOKEN) ?? [];
  const joints = new Map<string, Set<string>>();
  const vocatives: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i])) continue;
    let j = i + 1;
    while (j < tokens.length && j - i <= 3 && !isWord(tokens[j]) && tokens[j] !== "\uE001") j++;
    const [w, next] = [tokens[i]!, tokens[j]];
    if (!isWord(next)) continue;
    const key = `${w.toLowerCase()} ${next.toLowerCase()}`;
    // Quotes are read by guard-quotes.ts; here they are no mark.
    const marks = tokens
      .slice(i + 1, j)
      .join("")
      .replace(/["“”'‘’]/g, "");
    if (!joints.has(key)) joints.set(key, new Set());
    joints.get(key)!.add(marks);
    const last = j + 1 >= tokens.length || /^[.!?]$/.test(tokens[j + 1]!);
    if (marks === "," && last && verbAndObject(w, next)) vocatives.push(key);
  }
  return { joints, vocatives };
}

/** Why the two prompts' punctuation makes them differ, or undefined. */
export function marksDiffer(a: Marks | undefined, b: Marks | undefined): string | undefined {
  if (a === undefined || b === undefined) return undefined;
  const joints = (m: Marks) => (m.joints ??= readJoints(m.text).joints);
  const plain = (m: Marks, key: string) => joints(m).get(key)?.has("") === true;
  const dropped = a.vocatives.find((k) => plain(b, k)) ?? b.vocatives.find((k) => plain(a, k));
  if (dropped !== undefined) return `punctuation: a comma between "${dropped}" on one side only`;
  if ((a.searched ?? "") !== (b.searched ?? "") && (a.searched !== undefined || b.searched !== undefined))
    return "punctuation: quotes in a search ask for an exact phrase";
  if (!a.aboutWording && !b.aboutWording) return undefined;
  for (const [key, marks] of joints(a)) {
    const other = joints(b).get(key);
    if (other !== undefined && [...marks].sort().join("\u0000") !== [...other].sort().join("\u0000"))
      return `punctuation: the prompt asks about its wording, and the marks between "${key}" differ`;
  }
  return undefined;
}

/** A verb, then a noun, a name or a pronoun it could take as its object. */
function verbAndObject(verb: string, noun: string): boolean {
  const d = wordnetDict();
  if (d === null) return false;
  const v = verb.toLowerCase();
  // A courtesy or an opener before a comma is no verb: "please, help me", "thanks, what is".
  if (IGNORED.has(v) || OPENERS.has(v) || OPENERS_BEFORE_PAUSE.has(v) || /^thanks?$/.test(v)) return false;
  if (senses(d, v, "v").length === 0 && senses(d, lemma(v).lemma, "v").length === 0) return false;
  const n = noun.toLowerCase();
  if (PRONOUNS.test(n)) return true;
  // A capital after a comma is a name.
  if (/^\p{Lu}/u.test(noun) && noun !== "I") return true;
  return senses(d, n, "n").length > 0 || senses(d, lemma(n).lemma, "n").length > 0;
}
