import { courtesyAt } from "./guard-courtesy.js";
import { dropFillers } from "./guard-fillers.js";
import { asksForDefinition, reframe } from "./guard-frames.js";
import { lemma, lexiconTags, MAX_ANALYSED, tokenise, type Word } from "./guard-normalise.js";
import { personal } from "./guard-persons.js";
import { movePossessives } from "./guard-possessives.js";
import { relateWords } from "./guard-relations.js";
import { aNoun } from "./guard-number.js";
import { gerundNoun } from "./guard-gerunds.js";
import { namedByThe, romanOne } from "./guard-names.js";
import { listFrameAt } from "./guard-naming.js";
import { madeFromQuestion } from "./guard-requests.js";
import { expandShortenings } from "./guard-shortenings.js";
import { mendFunctionWords } from "./guard-typo.js";
import {
  FRAMES,
  IGNORED,
  FIRST_PERSON,
  OPENERS,
  OPENERS_BEFORE_PAUSE,
  PRODUCERS,
  QUANTIFIERS,
  RELATIONS,
  REQUEST_VERBS,
  SECOND_PERSON,
} from "./guard-words.js";

/**
 * A prompt as the guard compares it: its words in order, normalised so that what does not change the
 * question is gone (case, punctuation, articles, politeness, request frames, contractions, inflection,
 * British spelling, number and unit spellings) and what does is explicit (tense as PAST/FUT markers,
 * numbers, ordinals "#1", times "T21:00", units "u:km", currencies "c:usd", code spans "code:...").
 */
export interface GuardFeatures {
  /** Canonical tokens, in the order the prompt says them. */
  tokens: string[];
  /** Each token as written (for acronyms and names); empty where the normaliser made the token. */
  surfaces: string[];
  /** Asks a question (how, what, why...), where "a migraine" and "migraines" name one kind. */
  question?: boolean;
  /** Singular nouns after a determiner ("the tomato", "my sourdough"): not stuff named bare (guard.ts). */
  determined?: string[];
  /** Of those, the singular nouns after "the", and whether the prompt asks what a term is (guard-number.ts). */
  definite?: string[];
  definition?: boolean;
  /** Written as a sentence (an article, a pronoun or an auxiliary), not as notes that drop them ("roast chicken time"). */
  sentence?: boolean;
  /** The asker ("SELF") and the assistant ("YOU") as written, kept as a topic or dropped as impersonal. */
  persons?: string[];
  /** Set instead of tokens when the prompt is too long to analyse: such prompts match only as written. */
  exact?: string;
}

/** Frames longest first, so that "could you tell me" wins over "could you". */
/** Dropped wherever it stands. */
const ignored = (t: Word): boolean => t.kind === "word" && IGNORED.has(t.w);
/** "US" is a country, not "us". */
const person = (t: Word): "SELF" | "YOU" | undefined =>
  t.kind !== "word" || t.s === "US" ? undefined : FIRST_PERSON.has(t.w) ? "SELF" : SECOND_PERSON.has(t.w) ? "YOU" : undefined;

const FRAMES_BY_LENGTH = [...FRAMES].sort((a, b) => b.length - a.length);

/** How many words at `i` only frame the request ("could you tell me", "how do I", "hi,"), or 0. */
function frameAt(words: Word[], i: number, contentSeen: boolean): number {
  // "one" was read as a number; in a frame ("how does one") it is a person.
  const w = (k: number) => {
    const x = words[i + k];
    return x?.kind === "word" ? x.w : x?.kind === "value" && x.s.toLowerCase() === "one" ? "one" : undefined;
  };
  if (w(0) === undefined) return 0;
  for (const frame of FRAMES_BY_LENGTH) {
    if (!frame.every((f, k) => w(k) === f)) continue;
    // "what is" and "how to" frame what follows them; thanks and apologies frame nothing.
    const after = words[i + frame.length];
    if (/^(thank|thanks|sorry|hope|i|if)$/.test(frame[0]!) || (after !== undefined && after.kind !== "bound")) return frame.length;
  }
  if (/^(can|could|would|will)$/.test(w(0)!) && w(1) === "you") {
    const polite = /^(please|kindly|possibly)$/.test(w(2) ?? "") ? 1 : 0;
    if (REQUEST_VERBS.has(w(2 + polite) ?? "")) return 2 + polite;
  }
  if (!contentSeen && OPENERS.has(w(0)!)) return 1;
  if (!contentSeen && OPENERS_BEFORE_PAUSE.has(w(0)!) && words[i + 1]?.kind === "bound") return 1;
  return listFrameAt(words, i);
}

/** Before a plural, these make it a definite set, not a kind: "the keys", "my files", "3 files". */
const DEFINITE = new Set("the these those this that my your our their his her its each every both".split(" "));

const SENTENCE_WORDS = /^(a|an|the|i|you|we|he|she|it|they|my|your|is|are|am|was|were|do|does|did|can|could|should|would|will)$/;

/** A question may ask about a kind ("how do I install a package" is "... packages"); a request may not. */
const asksAboutKinds = (words: Word[]): boolean =>
  words.some((w) => (w.kind === "word" && /^(how|what|why|when|where|who|whether)$/.test(w.w)) || madeFromQuestion(w)) &&
  !asksForDefinition(words);

/** The determiner of the noun phrase ending at i ("the" in "the prime numbers"), "0" for a number, or "". */
function determiner(words: Word[], i: number): string {
  for (let j = i - 1; j >= Math.max(0, i - 3); j--) {
    const w = words[j]!;
    if (w.kind === "value" && /^\d/.test(w.w)) return "0";
    if (w.kind !== "word" || RELATIONS.has(w.w) || /^(a|an)$/.test(w.w)) return "";
    if (DEFINITE.has(w.w) || w.poss) return w.w;
  }
  return "";
}

/** Drops the frames and the ignorable words; keeps everything else in order. */
function content(words: Word[], courtesies = true): Word[] {
  const kept: Word[] = [];
  let clauseStart = true;
  // Words left to read after a request to produce something: "a recipe" and "recipes" differ there.
  let producing = 0;
  const startProducing = () => {
    producing = 4;
  };
  const produces = (from: number, n: number) => {
    for (let k = from; k < from + n; k++) if (PRODUCERS.has(lemma(words[k]?.w ?? "").lemma)) startProducing();
  };
  const isPerson = (k: Word) => k.w === "SELF" || k.w === "YOU";
  let contentKept = 0;
  let roles = 0;
  for (let i = 0; i < words.length; ) {
    const t = words[i]!;
    if (t.kind === "bound") {
      clauseStart = true;
      i++;
      continue;
    }
    if (clauseStart) {
      const re = reframe(words, i);
      if (re < 0) continue;
      const framed = (courtesies ? courtesyAt(words, i) : 0) || re || frameAt(words, i, contentKept > 0);
      if (framed > 0) {
        produces(i, framed);
        i += framed;
        continue;
      }
    }
    if (t.kind === "word" && (t.w === "a" || t.w === "an")) kept.push({ w: "A", s: "", kind: "value" });
    if (namedByThe(words, i)) kept.push({ w: "THE", s: "", kind: "value" });
    if (romanOne(words, i, lexiconTags)) {
      kept.push({ ...t, w: "1", kind: "value" });
      i++;
      continue;
    }
    const who = person(t);
    if (who !== undefined) {
      roles |= who === "SELF" ? 1 : 2;
      kept.push({ ...t, w: who });
      i++;
      continue;
    }
    if (clauseStart) {
      if (ignored(t)) {
        i++;
        continue;
      }
      clauseStart = false;
    }
    const next = words[i + 1];
    // "X vs Y, what's the difference" and "X vs Y whats the difference": "what is" before a noun phrase frames it anywhere.
    if (t.w === "what" && (next?.w === "is" || next?.w === "are") && /^(the|a|an)$/.test(words[i + 2]?.w ?? "")) {
      i += 2;
      continue;
    }
    // "do" that carries a question ("what does grep print") or stands for the verb ("how to do that") goes;
    // "what does grep do" keeps its last "do", which is all the question asks.
    const auxDo = (t.w === "do" || t.w === "does") && next !== undefined && next.kind !== "bound";
    if (!ignored(t) && !auxDo) {
      // What is produced is named before its first preposition or relative clause ("a recipe | for pancakes").
      if (RELATIONS.has(t.w) || /^(that|what|who|to|how|why|when|where|whether|if)$/.test(t.w)) producing = 0;
      const first = contentKept === 0;
      // A prompt that opens on what it asks for ("an example of irony", "examples of irony") counts it too.
      const opening = i === 0 || (i === 1 && /^(a|an)$/.test(words[0]!.w));
      if (first && opening && t.kind === "word" && !/^(what|who|how|why|when|where|whether|if)$/.test(t.w)) startProducing();
      if (producing > 0) {
        producing--;
        t.produced = /^(a|an)$/.test(words[i - 1]?.w ?? "") ? "one" : "some";
      }
      // An imperative ("suggest names for ...") asks to produce; "naming variables" mid-sentence does not.
      if (first || words[i - 1]?.kind === "bound") produces(i, 1);
      const prev = words[i - 1];
      const opens =
        prev === undefined || prev.kind === "bound"
          ? 2
          : // A word after "is" opens a phrase: "how fast is Go's collector" owns no "fast".
            DEFINITE.has(prev.w) || /^(a|an|is|are|am|was|were)$/.test(prev.w) || person(prev) !== undefined
            ? 1
            : 0;
      kept.push({ ...t, before: determiner(words, i), opens, after: prev?.kind === "value" ? "0" : (prev?.w ?? "") });
      contentKept++;
    }
    i++;
  }
  // A prompt of courtesies only is what it says: "Good morning!" is not "Good evening!".
  if (courtesies && contentKept === 0) return content(words, false);
  // The asker and the assistant have roles when both are named, or when one is the topic (guard-persons.ts).
  return roles === 3 || personal(words) ? kept : kept.filter((k) => !isPerson(k));
}

/**
 * "packages", "tests", "rates": the lexicon reads an -s word as a verb first. After a determiner, a number, a
 * preposition, an adjective or a verb's base form ("install packages") it is a plural noun; so it is after a
 * noun in what a request produces ("write unit tests").
 */
function nounSlot(t: Word): boolean {
  if (!/^[a-z]{4,}s$/.test(t.w) || /ss$/.test(t.w) || !lexiconTags(t.w).includes("PresentTense")) return false;
  const before = t.after ?? "";
  if (before === "0" || DEFINITE.has(before) || RELATIONS.has(before) || QUANTIFIERS.has(before)) return true;
  const tags = lexiconTags(before);
  return tags.includes("Adjective") || tags.includes("Infinitive") || (t.produced !== undefined && aNoun(before));
}

/** Reads a prompt into the guard's canonical tokens; a pure function of the text (see GuardFeatures). */
export function analyse(text: string): GuardFeatures {
  // Measured after NFKC too: one character can unfold into 18 ("\uFDFA"), past the bound the analysis relies on.
  if (text.length > MAX_ANALYSED || text.normalize("NFKC").length > MAX_ANALYSED)
    return { tokens: [], surfaces: [], exact: text.replace(/\s+/g, " ").trim().toLowerCase() };
  const words = relateWords(dropFillers(mendFunctionWords(expandShortenings(tokenise(text)))))
    .map((t) => (t.kind === "word" && t.w === "which" ? { ...t, w: "what" } : t))
    // "which one", "this one": a pronoun standing for its noun, not the number 1.
    .filter((t, i, all) => !(t.kind === "value" && t.s.toLowerCase() === "one" && /^(what|this|that|each)$/.test(all[i - 1]?.w ?? "")));
  const tokens: string[] = [];
  const surfaces: string[] = [];
  const poss: boolean[] = [];
  const opens: number[] = [];
  const determined: string[] = [];
  const definite: string[] = [];
  const push = (t: string, s: string, p = false, o = 0) => {
    tokens.push(t);
    surfaces.push(s);
    poss.push(p);
    opens.push(o);
  };
  const read = content(words);
  for (const [n, t] of read.entries()) {
    if (t.kind !== "word") push(t.w, t.s, false, t.opens ?? 0);
    else if (t.w === "was" || t.w === "were" || t.w === "did") push("PAST", t.s);
    else if (t.w === "had") {
      push("have", t.s);
      push("PAST", "");
    } else if (t.w === "has") push("have", t.s);
    else if (t.w === "will" || t.w === "shall") push("FUT", t.s);
    else {
      const l = gerundNoun(t.w, t.before ?? "", t.after ?? "", read[n + 1]?.w ?? "") ?? lemma(t.w);
      if (!l.plural && nounSlot(t)) l.plural = true;
      push(l.lemma, t.s, t.poss, t.opens ?? 0);
      if (!l.plural && (t.before ?? "") !== "") (t.before === "the" ? definite : determined).push(l.lemma);
      if (l.past) push("PAST", "");
      // How many are asked for: "a tagline" against "taglines" (compared only when both prompts ask to produce).
      if (t.produced === "one" && !l.plural) push("SG", "");
      if (t.produced !== undefined && l.plural) push("PL", "");
      // Number is part of the question ("the customer"/"the customers", "glass"/"glasses", "a digit"/"digits"):
      // a plural after a determiner is PLURAL; a bare one (BARE) may be a kind, as "a" (A) may (guard.ts).
      if (l.plural) push(t.before === "" ? "BARE" : "PLURAL", "");
    }
  }
  movePossessives(tokens, surfaces, poss, opens);
  const sentence = words.some((w) => w.kind === "word" && SENTENCE_WORDS.test(w.w));
  const definition = asksForDefinition(words);
  const persons = [...new Set(words.map(person).filter((p) => p !== undefined))];
  return {
    tokens,
    surfaces,
    question: asksAboutKinds(words),
    determined: [...determined, ...definite],
    definite,
    definition,
    sentence,
    persons,
  };
}
