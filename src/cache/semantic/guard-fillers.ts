import { courtesyAt } from "./guard-courtesy.js";
import { hedge } from "./guard-hedges.js";
import { lemma, lexiconTags, type Word } from "./guard-normalise.js";
import { DETERMINERS, RELATIONS, REQUEST_VERBS } from "./guard-words.js";

/*
 * Discourse markers, hedges and courtesies (docs/caching.md "Fillers"): words that manage the conversation
 * ("ok so", "um", "btw", "I guess", "thanks! one more:"), not the question. Closed classes of English, each
 * read only where grammar puts it, never dropped wherever it occurs:
 * - At a clause's start, a run of markers: "so", "btw", "honestly", "um", "lol" before a clause ("btw meaning",
 *   "lol in texting" ask about them; "ER" is no "er"); "ok", "well", "right", "like" only before a pause, another
 *   marker or a question ("well water", "right turn", "like what?" keep theirs); "so" not where it joins ("so
 *   that"). A question named ("random question but", "quick one —", "one more:") before a pause, "but" or a
 *   question word, not before content ("one more reason to ...").
 * - A clause made only of such words ("so yeah", "just curious really", "you know", "uh oh. ok.") or only about
 *   the asking ("I hope you're having a nice day", "not sure if this is a dumb question") goes whole. A prompt
 *   that is nothing else keeps them all.
 * - "(I guess) my question is", "what I want to know is" before a question ("my question is too long" stays).
 * - Closing a question: "or not" after a yes/no question ("X or not Y" is a choice), "anyway"/"again" after
 *   "what/who is" + a noun phrase ("should I go anyway", "when is it open again", "why did it fail again" ask
 *   otherwise), "lol" after the question's object ("what is lol" asks about it), "ty", "if you know what I mean".
 * - "even" right after a question word or its subject ("what even is"; "is 4 even" keeps it); "would you mind
 *   telling me" is "tell me"; "can u" is "can you"; "pls" is "please"; ":)" after thanks is tone.
 */

const PRONOUNS = new Set("i you we they he she it one".split(" "));
/** Open a noun phrase or a clause after a marker: "so my printer ...", "so there is ...". */
const OPENS = new Set("a an the my your our their his her there this not".split(" "));
/** Hesitations and laughter: markers at a clause's start, tags after a question's object. */
const HESITATIONS = new Set("um umm uh uhh uhm er erm hmm hm hmmm lol lmao haha tbh".split(" "));
/** Open a clause: before a question word, a subject, a determiner, a verb or another marker. */
const STARTS = new Set("so btw anyway anyways honestly basically actually also fyi".split(" "));
/** Open a clause only before a pause, another marker or a question word. */
const PAUSED = new Set("ok okay alright yeah yep yup oh ah well right like now".split(" "));
const START_PHRASES = ["by the way", "to be honest", "the thing is", "here goes", "moving on", "let us see"].map((p) => p.split(" "));
/** Words of a clause that is nothing but discourse. */
const DISCOURSE = new Set([...HESITATIONS, ...STARTS, ...PAUSED, ..."just really curious wondering kinda look listen".split(" ")]);
DISCOURSE.delete("now"); // "the population of Peru, now": "now" alone may say when.
const DISCOURSE_PHRASES =
  "i mean|you know|i guess|i think|i suppose|you see|uh oh|oh well|out of curiosity|no rush|no hurry|no pressure|nothing urgent"
    .split("|")
    .map((p) => p.split(" "));
const WH = new Set("what why when where who whom whose which how whether".split(" "));
const AUX = new Set("do does did can could should would will is are was were have has may must shall".split(" "));
/** "so" that joins ("so that", "so far", "so much"): content, not a marker. */
const SO_JOINS = new Set("that as far much many long few little called".split(" "));
/** How a question may be named: "(a) random question", "quick one", "one more", "another". */
const QUESTION_NOUNS = new Set(["question", "q", "one", "thing", "favour", "favor"]);
const QUESTION_ADJS = new Set("quick random silly dumb stupid simple honest genuine small odd weird last".split(" "));
/** A question's frame before its content: "my question is", "what I want to know is". */
const QUESTION_FRAMES = "my question is|the question is|what i want to know is|what i am wondering is|what i am asking is"
  .split("|")
  .map((p) => p.split(" "));
const HEDGES = ["i guess", "i think", "i suppose"].map((p) => p.split(" "));
/** Closings written as abbreviations: never content at a prompt's end. */
const CLOSINGS = new Set("ty thx tia tyvm thnx thanx".split(" "));
/** Words a closing tag may not follow: then it is what the question asks about. */
const FUNCTION = new Set([...WH, ...AUX, ...RELATIONS, ...DETERMINERS, ..."to that so and or but not if mean say called named".split(" ")]);
/** Words a closing "I think" may not follow: it is then the question's verb ("what do I think"). */
const NOT_BEFORE_HEDGE = new Set([...WH, ...AUX, ..."to that so and or but not what if when".split(" ")]);
/**
 * Clauses that speak of the asking, not the question, matched whole: "I hope you're having a nice day", "as
 * always", "I was thinking", "not sure if this is a dumb question". A slot is "a|b", optional when it ends in "?".
 */
const META = [
  "i? hope you are having a good|nice|great|lovely|wonderful day|week|morning|afternoon|evening|weekend",
  "have a good|nice|great|lovely day|week|weekend",
  "i? really? appreciate it|you as? always?",
  "i? really? appreciate your|the help as? always?",
  "as always",
  "i am begging you",
  "i beg you",
  "i was|am|have been? just? thinking",
  "i? am? not? sorry|sure|hope|wondering if|whether? this is not? a? dumb|stupid|silly|basic|weird|obvious|naive question?",
].map((p) => p.split(" ").map((slot) => ({ alts: new Set(slot.replace(/\?$/, "").split("|")), optional: slot.endsWith("?") })));

/** The whole clause matches one of META. */
function meta(c: readonly Word[]): boolean {
  const fits = (slots: (typeof META)[number], k: number, j: number): boolean => {
    if (j === slots.length) return k === c.length;
    const slot = slots[j]!;
    if (slot.alts.has(w(c, k) ?? "") && fits(slots, k + 1, j + 1)) return true;
    return slot.optional && fits(slots, k, j + 1);
  };
  return META.some((slots) => fits(slots, 0, 0));
}
const TAGS = ["if you know what i mean", "if that makes sense", "you know what i mean"].map((p) => p.split(" "));
const w = (words: readonly Word[], k: number): string | undefined => {
  const x = words[k];
  return x?.kind === "word" ? x.w : x?.kind === "value" && x.s.toLowerCase() === "one" ? "one" : undefined;
};
const phraseAt = (words: readonly Word[], i: number, p: readonly string[]): boolean => p.every((f, k) => w(words, i + k) === f);
/** Tags of a verb that may take the word after it as its object ("says lol"). */
const VERB_TAGS = /Verb|Tense|Infinitive|Participle|Gerund/;
/** A hesitation as written: an acronym ("ER", "UM") is none. */
const hesitation = (c: readonly Word[], k: number): boolean => HESITATIONS.has(w(c, k) ?? "") && c[k]!.s !== c[k]!.s.toUpperCase();
/** An emoticon set apart by spaces closing a courtesy ("thanks so much :)") is tone; "what does :) mean" asks about it. */
function emoticon(words: readonly Word[], i: number): boolean {
  const t = words[i]!;
  if (t.kind !== "sym" || !/^ [:;=]-?[()/|] $/.test(t.w) || (words[i + 1] !== undefined && words[i + 1]!.kind !== "bound")) return false;
  let j = i;
  while (j > 0 && words[j - 1]!.kind !== "bound") j--;
  const before: Word[] = [...words.slice(j, i), { w: "", s: "", kind: "bound" }];
  // After a pause, a courtesy, discourse, or a clause of thanks ("thanks so much :)").
  return (
    j === i || courtesyAt(before, 0) === i - j || onlyDiscourse(before.slice(0, -1)) || /^(thanks|thank|cheers)$/.test(w(words, j) ?? "")
  );
}

/** Drops the discourse of a tokenised prompt (see above); returns it unchanged when nothing else is left. */
export function dropFillers(input: readonly Word[]): Word[] {
  const words = input.filter((_, i) => !emoticon(input, i)).map((t, i, all) => texting(t, all[i - 1]));
  const out: Word[] = [];
  for (let i = 0; i < words.length; ) {
    if (words[i]!.kind === "bound") {
      out.push(words[i++]!);
      continue;
    }
    let end = i;
    while (end < words.length && words[end]!.kind !== "bound") end++;
    out.push(...clause(words.slice(i, end)));
    i = end;
  }
  return out.some((t) => t.kind !== "bound") ? out : [...input];
}

/** "can u", "thank u": the texting pronoun after a verb that takes one; "pls" is "please" (frames read it). */
function texting(t: Word, prev: Word | undefined): Word {
  if (t.kind === "word" && /^(pls|plz|plez)$/.test(t.w)) return { ...t, w: "please" };
  if (t.kind !== "word" || t.w !== "u" || prev === undefined) return t;
  // Not after a preposition: "solve for u" names a variable.
  return /^(can|could|would|will|do|did|are|were|thank|have)$/.test(prev.w) ? { ...t, w: "you" } : t;
}

/** One clause (no bound inside) without its discourse. */
function clause(c: Word[]): Word[] {
  if (onlyDiscourse(c)) return [];
  let s = 0;
  for (let n = opener(c, s); n > 0; n = opener(c, s)) s += n;
  const hedged = hedge(c, s);
  if (hedged !== c) return clause(hedged);
  if (meta(c.slice(s))) return [];
  for (const f of HEDGES) if (phraseAt(c, s, f) && QUESTION_FRAMES.some((q) => phraseAt(c, s + f.length, q))) s += f.length;
  // Only before a question ("my question is how ...", "... is: can I ..."): "my question is too long" says a thing.
  for (const q of QUESTION_FRAMES) if (phraseAt(c, s, q) && opensQuestion(c, s + q.length)) s += q.length;
  // A tag or a frame standing as a clause of its own (", if you know what I mean", "my question is,").
  if (s === c.length || TAGS.some((t) => t.length === c.length && phraseAt(c, 0, t))) return [];
  return even(tags(mind(c.slice(s))));
}

/** At k the clause ends, or a question opens, after adverbs that only stress it ("basically how"). */
function opensQuestion(c: readonly Word[], k: number): boolean {
  while (/^(basically|just|simply|really|actually)$/.test(w(c, k) ?? "")) k++;
  return k >= c.length || WH.has(w(c, k) ?? "") || AUX.has(w(c, k) ?? "");
}

/** Covered by discourse words and phrases alone. */
function onlyDiscourse(c: readonly Word[]): boolean {
  for (let k = 0; k < c.length; ) {
    const p = DISCOURSE_PHRASES.find((d) => phraseAt(c, k, d));
    if (p !== undefined) k += p.length;
    else if (DISCOURSE.has(w(c, k) ?? "") || CLOSINGS.has(w(c, k) ?? "")) k++;
    else return false;
  }
  return c.length > 0;
}

/** The length of a marker at k that may open the clause there, or 0. */
function opener(c: readonly Word[], k: number): number {
  // Each start asks about the next: remembered per clause, a run of markers is read once, not once per start.
  const seen = OPENERS.get(c) ?? new Map<number, number>();
  OPENERS.set(c, seen);
  if (!seen.has(k)) seen.set(k, openerAt(c, k));
  return seen.get(k)!;
}
const OPENERS = new WeakMap<readonly Word[], Map<number, number>>();

function openerAt(c: readonly Word[], k: number): number {
  const x = w(c, k);
  if (x === undefined || k >= c.length - 1) return 0;
  const next = w(c, k + 1);
  const beforeQuestion = (n: number) => {
    const y = w(c, k + n);
    return k + n >= c.length || WH.has(y ?? "") || AUX.has(y ?? "") || opener(c, k + n) > 0;
  };
  const phrase = START_PHRASES.find((p) => phraseAt(c, k, p));
  if (phrase !== undefined && clauseFollows(c, k + phrase.length)) return phrase.length;
  if ((STARTS.has(x) || hesitation(c, k)) && !(x === "so" && SO_JOINS.has(next ?? "")) && clauseFollows(c, k + 1)) return 1;
  // Before a question word that opens more than itself: "like what?" asks for examples, "what?" to repeat.
  if (PAUSED.has(x) && ((WH.has(next ?? "") && k + 2 < c.length) || opener(c, k + 1) > 0)) return 1;
  // "random question but", "quick one", "one more", "another question", "one last thing".
  let n = 0;
  if (x === "one" && (next === "more" || next === "last")) n = 2;
  else if (x === "another") n = 1;
  if (QUESTION_ADJS.has(w(c, k + n) ?? "")) n++;
  if (QUESTION_NOUNS.has(w(c, k + n) ?? "") && (n > 0 || x === "a")) n++;
  else if (n === 0 || (x === "another" && n === 1)) return 0;
  while (hesitation(c, k + n)) n++;
  if (w(c, k + n) === "but") return n + 1;
  return beforeQuestion(n) ? n : 0;
}

/**
 * A clause opens at k: a question word, an auxiliary, a subject, a determiner, an imperative or another marker.
 * "btw meaning", "lol in texting" name the marker itself.
 */
function clauseFollows(c: readonly Word[], k: number): boolean {
  const x = w(c, k);
  // A phrase standing before a pause ("by the way, ...").
  if (k >= c.length) return true;
  if (x === undefined) return false;
  if (WH.has(x) || AUX.has(x) || PRONOUNS.has(x) || DETERMINERS.has(x) || OPENS.has(x) || opener(c, k) > 0) return true;
  return lexiconTags(x).includes("Infinitive") || HEDGES.some((h) => phraseAt(c, k, h));
}

/** "would you mind telling me" is "tell me": the gerund of a request verb after "(would|do) you mind". */
function mind(c: Word[]): Word[] {
  if (!(w(c, 0) === "would" || w(c, 0) === "do") || w(c, 1) !== "you" || w(c, 2) !== "mind") return c;
  const v = w(c, 3) ?? "";
  const stem = v.slice(0, -3);
  // The lexicon reads some gerunds as adjectives ("telling"): the base is also tried by spelling.
  const base = [lemma(v).lemma, stem, `${stem}e`, stem.slice(0, -1)].find((b) => REQUEST_VERBS.has(b));
  if (!v.endsWith("ing") || base === undefined) return c;
  return [{ ...c[3]!, w: base }, ...c.slice(4)];
}

/** The clause without a closing tag that asks nothing (see above). */
function tags(c: Word[]): Word[] {
  const last = c.length - 1;
  const first = w(c, 0) ?? "";
  // "ty" after content, in lower case: "who is Ty", "what does ty stand for" ask about the word.
  const closing = CLOSINGS.has(w(c, last) ?? "") && c[last]!.s === c[last]!.w && !FUNCTION.has(w(c, last - 1) ?? "_");
  if (closing && last > 0) return tags(c.slice(0, last));
  // "why is my cat so clingy lol", "how do I fix it lol": after a question's object; "what is lol", "what does
  // it mean when he texts lol" ask about it.
  if (hesitation(c, last) && last > 1 && (WH.has(first) || AUX.has(first)) && objectBefore(c, last)) return tags(c.slice(0, last));
  for (const t of TAGS) {
    const at = c.length - t.length;
    // Not after a question's own verb: "do you know what I mean" asks it.
    if (at > 0 && phraseAt(c, at, t) && !FUNCTION.has(w(c, at - 1) ?? "_")) return c.slice(0, at);
  }
  // A copula among the question's first words, and no verb after it: "what is X", "what speed is X"; "who is
  // going anyway" may ask who goes regardless.
  const be = [1, 2, 3].find((k) => /^(is|are|was|were)$/.test(w(c, k) ?? ""));
  const copula = be !== undefined && c.slice(be + 1, last).every((x, k) => !verbish(x, c[be + k]));
  // "both, I think", "it is the router I guess": a hedge closing a clause after its content, not after a verb
  // that takes it ("what do I think", "who do you think").
  for (const h of HEDGES)
    if (c.length > h.length + 1 && phraseAt(c, c.length - h.length, h) && !NOT_BEFORE_HEDGE.has(w(c, c.length - h.length - 1) ?? "_"))
      return tags(c.slice(0, c.length - h.length));
  if (w(c, last - 1) === "or" && w(c, last) === "not" && (AUX.has(first) || first === "whether") && last > 3) return c.slice(0, -2);
  if (/^anyways?$/.test(w(c, last) ?? "") && /^(what|who|which)$/.test(first) && copula && last > 2) return c.slice(0, -1);
  if (w(c, last) === "again" && /^(what|who|which|where|when)$/.test(first) && copula && last > 2 && nounBefore(c, last))
    return c.slice(0, -1);
  return c;
}

/**
 * After a copula, a verb shows as "-ing" ("is going"), a participle ("was built") or after "to"; a base form
 * there is a noun ("the plan", "a hedge fund"). Not after a determiner ("the building").
 */
function verbish(x: Word, prev: Word | undefined): boolean {
  if (x.kind !== "word" || (prev !== undefined && (DETERMINERS.has(prev.w) || /^(a|an|the)$/.test(prev.w) || prev.poss))) return false;
  return /ing$/.test(x.w) || prev?.w === "to" || lexiconTags(x.w).some((t) => /PastTense|Participle|Gerund/.test(t));
}

/** The words before k close a question on its object: a pronoun, or a noun after a determiner ("my cat"). */
function objectBefore(c: readonly Word[], k: number): boolean {
  const last = w(c, k - 1) ?? "_";
  if (/^(it|this|that)$/.test(last)) return true;
  // Not after a person ("when he texts me lol") or a word for words ("the word lol"): there it is what is said.
  if (/^(me|him|her|us|you|them|word|words|term|acronym|abbreviation|phrase|letters|slang|expression)$/.test(last)) return false;
  // A noun phrase with its determiner ("an espresso machine"), or a noun straight after a verb ("boil pasta").
  let j = k - 1;
  const det = (x: string) => OPENS.has(x) || DETERMINERS.has(x);
  while (j > 0 && j >= k - 3 && !FUNCTION.has(w(c, j) ?? "the") && !det(w(c, j) ?? "")) j--;
  if (det(w(c, j) ?? "")) return j < k - 1;
  return !VERB_TAGS.test(lexiconTags(last).join(" ")) && VERB_TAGS.test(lexiconTags(w(c, k - 2) ?? "").join(" "));
}

/** The word before k is a noun, not a verb or an adjective that "again" could repeat ("open again"). */
function nounBefore(c: readonly Word[], k: number): boolean {
  const x = c[k - 1];
  if (x === undefined || x.kind !== "word") return x?.kind === "value";
  const tags = lexiconTags(x.w);
  return !tags.some((t) => /Verb|Adjective|Tense|Infinitive|Participle|Gerund|Adverb/.test(t));
}

/** "what even is", "how do I even": "even" after a question word, or after its auxiliary and subject. */
function even(c: Word[]): Word[] {
  if (!WH.has(w(c, 0) ?? "")) return c;
  // Before a verb ("what even is"), or between a pronoun subject and its verb ("how do I even"): "which even
  // numbers" and "what are the even numbers" keep theirs.
  const at =
    w(c, 1) === "even" && AUX.has(w(c, 2) ?? "")
      ? 1
      : AUX.has(w(c, 1) ?? "") && PRONOUNS.has(w(c, 2) ?? "") && w(c, 3) === "even" && c.length > 4
        ? 3
        : -1;
  return at < 0 ? c : [...c.slice(0, at), ...c.slice(at + 1)];
}
