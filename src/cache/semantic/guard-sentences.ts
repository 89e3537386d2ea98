import { lexiconTags, MAX_ANALYSED } from "./guard-normalise.js";

/*
 * Sentences said in another order (docs/caching.md "The structural guard"): "I'm 38. I earn £60k. Should I open a
 * pension?" asks what "Should I open a pension? I earn £60k. I'm 38." asks. Where the whole prompts differ, each is
 * split into its sentences (at . ? ! ; and at ", and" before a whole clause) and the two are compared as a set:
 * every sentence must match one on the other side under the guard's own rules, a question a question. The order
 * may change only where it carries nothing:
 *
 * - a sentence that leans on the one before it keeps that one before it: a pronoun or a demonstrative ("it",
 *   "this", "they"), a linking word ("so", "but", "otherwise", "also"), a comparative ("heavier", "more");
 * - where order is the content, nothing moves: words of sequence ("then", "after", "first", "finally", "until"),
 *   list numbers; and instructions ("Sort the lines. Print them.") and past events ("I updated the driver. The
 *   screen flickers.") keep their order among themselves;
 * - prompts with code, quoted passages or line breaks are not split: a statement of code ends with ";" as well.
 */

/** One sentence of a prompt, with what may and may not move it. */
export interface Sentence {
  text: string;
  /** Ends with "?": matches only a question. */
  question: boolean;
  /** Leans on the sentence before it: that one must stay before it. */
  linked: boolean;
  /** An instruction: instructions keep their order among themselves. */
  instruction: boolean;
  /** Tells of a past event: events keep their order among themselves ("I updated it. It broke."). */
  event: boolean;
  /** Names a sequence: no sentence of the prompt may move. */
  sequence: boolean;
}

/** At most this many sentences are compared as a set; longer prompts are compared whole. */
const MAX_SENTENCES = 8;

const words = (s: string): Set<string> => new Set(s.trim().split(/\s+/));
/** Words that point at something said before (or after) them. */
const ANAPHORS = words(`it its itself they them their theirs themselves this that these those he him his she her hers
  there here such same above below following former latter also too either another other others again instead still one ones`);
/** Words that link a sentence to the one before. */
const LINKERS = words(`so but and or yet however therefore thus hence otherwise else besides moreover furthermore plus
  nor meanwhile then because since as although though if unless`);
/** Words of sequence: where they stand, the order of the sentences is what is said. */
const SEQUENCE = words(`then next after afterwards afterward before beforehand first firstly second secondly third thirdly
  finally lastly last later earlier previously subsequently until till once initially eventually step steps start end`);
const TIME_NOUNS = words(`year week month day night weekend morning evening summer winter spring autumn fall monday tuesday
  wednesday thursday friday saturday sunday`);
/** Starts of a clause after ", and": a subject. */
const SUBJECTS = words("i we you he she they it my our your his her their the this that there");
const PERSONAL = words("i we you he she they it");
/** Comparatives: "heavier" or "more" without "than" compares with what was said before. Superlatives do not. */
const COMPARATIVES = words("more less fewer better worse");

/** Open a statement rather than an instruction: subjects and their determiners. */
const STATEMENT_STARTS = words(`i i'm i've i'd we we're you he she they it it's there there's here this that these those my our
  your his her their its the a an some no nothing nobody everything everyone someone something all most many both each every
  one none`);

/** Splits a prompt into its sentences, or undefined where it has one, too many, or must be compared whole. */
export function splitSentences(text: string): Sentence[] | undefined {
  // A prompt too long to analyse is compared as written, and so are its sentences.
  if (text.length > MAX_ANALYSED || text.normalize("NFKC").length > MAX_ANALYSED || /[`=(){}[\]<>|$\\\n"“”«»]|(^|\s)['‘]/.test(text))
    return undefined;
  const parts: string[] = [];
  for (const raw of text.split(/(?<=[.?!;])\s+/)) {
    // ", and" between two whole clauses: the right side opens on a subject and has a verb.
    const clauses = raw.split(/,\s+and\s+/i);
    let current = clauses[0]!;
    for (const c of clauses.slice(1)) {
      if (SUBJECTS.has(c.split(/\s+/)[0]!.toLowerCase()) && isClause(c) && isClause(current)) {
        parts.push(`${current}.`);
        current = c;
      } else current = `${current}, and ${c}`;
    }
    parts.push(current);
  }
  // A part with no letters is a list's number ("1. Preheat the oven. 2. ..."): the order is the list's.
  if (parts.some((p) => !/\p{L}/u.test(p) && /\d/.test(p))) return undefined;
  const sentences = parts.map((p) => p.trim()).filter((p) => /\p{L}/u.test(p));
  if (sentences.length < 2 || sentences.length > MAX_SENTENCES) return undefined;
  return sentences.map(read);
}

const lowerWords = (s: string): string[] => s.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];

/** A whole clause: it opens on a personal pronoun (a verb follows) or has a word the lexicon reads as a verb. */
function isClause(clause: string): boolean {
  const ws = lowerWords(clause);
  if (ws.length >= 2 && PERSONAL.has(ws[0]!)) return true;
  return ws.some((w) => /'(m|re|s|ve|ll|d)$|n't$/.test(w) || lexiconTags(w).some((t) => /Tense|Copula|Modal|Auxiliary|Infinitive/.test(t)));
}

/** States that do not happen in time: "I'm 38", "we have two kids", "I want to retire", "my budget is 800 euros". */
const STATIVE = words(`am is are be 'm 're 's have has own owns live lives like likes love loves hate hates want wants need needs
  know knows prefer prefers weigh weighs cost costs earn earns contain contains include includes belong belongs seem seems
  mean means believe believes think thinks can could should would will must may might do does`);
const ADVERBS = words("usually always often never sometimes also just still really already normally rarely");

/** After a subject, the first word that is no adverb is its verb: an action unless it is a state. */
function acts(ws: readonly string[]): boolean {
  // "my son naps", "the baby eats", "the virtual environment is active": in the next four words, a state or a
  // verb the lexicon knows decides; failing both, any -s word (a verb, or a plural noun: more kept in order).
  if (/^(my|our|your|his|her|their|the)$/.test(ws[0] ?? "")) {
    for (const w of ws.slice(1, 5)) {
      if (STATIVE.has(w)) return false;
      if (lexiconTags(w).some((t) => /Tense|Infinitive|Gerund/.test(t))) return true;
    }
    return ws.slice(1, 5).some((w) => /[^s]s$/.test(w));
  }
  // "I go", "we eat": the word after a personal pronoun is its verb.
  if (!PERSONAL.has(ws[0] ?? "")) return false;
  const verb = ws.slice(1).find((w) => !ADVERBS.has(w)) ?? "";
  return !STATIVE.has(verb) && !STATIVE.has(verb.replace(/^[a-z]+(?='(m|re|s))/, ""));
}

function read(text: string): Sentence {
  const ws = lowerWords(text);
  const first = ws.find((w) => !/^(please|now|ok|okay|well)$/.test(w)) ?? "";
  const tags = lexiconTags(first);
  const question = /\?\s*$/.test(text);
  // "heavier" leans on what it is compared with, unless the sentence names it ("than", "or", "between").
  const compared = ws.some((w) => /^(than|or|between|vs|versus)$/.test(w));
  return {
    text,
    question,
    linked:
      LINKERS.has(ws[0] ?? "") ||
      ws.some((w) => ANAPHORS.has(w.replace(/'.*$/, "")) || (!compared && (COMPARATIVES.has(w) || lexiconTags(w).includes("Comparative")))),
    // Any statement that does not open on a subject may be an instruction ("Mix the flour.", "Turn it off."):
    // reading too many as instructions only keeps more in order.
    instruction: !question && !STATEMENT_STARTS.has(first) && !tags.some((t) => /Pronoun|Determiner|Possessive/.test(t)),
    // A past form the lexicon knows, or any "-ed" word, or an action the asker does ("I go to the gym. I eat."):
    // reading too many as events only keeps more in order.
    event:
      !question &&
      (acts(ws) ||
        ws.some(
          (w) => /^(was|were|had|did)$|^[a-z]{3,}[^e]ed$/.test(w) || lexiconTags(w).some((t) => t === "PastTense" || t === "Participle"),
        )),
    // "last year", "next week" name a time, not a step.
    sequence: ws.some((w, k) => SEQUENCE.has(w) && !(/^(last|next)$/.test(w) && TIME_NOUNS.has(ws[k + 1] ?? ""))),
  };
}

/**
 * Whether two prompts read whole have nearly the same words, so that their sentences may match: read one by one,
 * a sentence differs from its reading in the whole prompt only in number marks (a question nearby, a request to
 * produce), never in content. Most refused pairs differ in content, and cost no sentence reading.
 */
export function sameWords(a: readonly string[], b: readonly string[]): boolean {
  const count = new Map<string, number>();
  for (const t of a) count.set(t, (count.get(t) ?? 0) + 1);
  for (const t of b) count.set(t, (count.get(t) ?? 0) - 1);
  let differ = 0;
  for (const [t, n] of count) if (n !== 0 && !/^(A|BARE|PLURAL|SG|PL)$/.test(t)) differ += Math.abs(n);
  return differ <= 2;
}

/** The step budget of the search for a matching: hostile prompts of like sentences stay cheap. */
const MAX_STEPS = 2000;

/**
 * True when the sentences of a and b match one to one (`same(i, j)`: a's i-th and b's j-th ask the same) in an
 * order that keeps what the order carries (see above).
 */
export function sameSentences(a: readonly Sentence[], b: readonly Sentence[], same: (i: number, j: number) => boolean): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  const memo = new Map<number, boolean>();
  const ok = (i: number, j: number): boolean => {
    const key = i * MAX_SENTENCES + j;
    let v = memo.get(key);
    if (v === undefined) memo.set(key, (v = a[i]!.question === b[j]!.question && same(i, j)));
    return v;
  };
  if (a.some((s) => s.sequence) || b.some((s) => s.sequence)) return a.every((_, i) => ok(i, i));
  const to: number[] = [];
  const used = new Set<number>();
  let steps = 0;
  // The sentence before i and before j must ask the same (or both be none), where i or j leans on it.
  const keepsPredecessor = (i: number, j: number) => (!a[i]!.linked && !b[j]!.linked) || (i === 0 ? j === 0 : j > 0 && ok(i - 1, j - 1));
  const search = (i: number): boolean => {
    if (i === n) return true;
    for (let j = 0; j < n; j++) {
      if (++steps > MAX_STEPS) return false;
      if (used.has(j) || !ok(i, j) || !keepsPredecessor(i, j)) continue;
      // Instructions keep their order, and so do events: each earlier one went to a place before j.
      if (a[i]!.instruction && to.some((t, k) => a[k]!.instruction && t > j)) continue;
      if (a[i]!.event && to.some((t, k) => a[k]!.event && t > j)) continue;
      to.push(j);
      used.add(j);
      if (search(i + 1)) return true;
      to.pop();
      used.delete(j);
    }
    return false;
  };
  return search(0);
}
