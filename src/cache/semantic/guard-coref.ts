import { lemma, lexiconTags } from "./guard-inflect.js";
import { senses } from "./guard-synonyms.js";
import { wordnetDict } from "./guard-wordnet.js";

/*
 * Coreference to the conversation (docs/caching.md "The structural guard"). Both prompts of a semantic hit share
 * the earlier turns (they are part of the scope), so "how do I pivot it" may be read as "how do I pivot the sales
 * DataFrame" when, and only when, those turns leave one thing "it" can be. The turns are read once per lookup
 * (readContext); each candidate then costs a comparison of words (corefSame). Precision first: a pronoun with two
 * possible referents, a phrase the conversation never mentions, or no conversation at all is never resolved.
 */

/** One earlier turn (or the system prompt), as the scope holds it. */
export interface Turn {
  role: string;
  content: string;
}

/** A noun phrase of the conversation: its words (lowercased) and what it can be pointed at with. */
interface Mention {
  words: string[];
  head: string;
  person: boolean;
  /** A person, or a noun whose first WordNet sense is a person or an animal ("nurse", "cat"): what "she" may mean. */
  maybePerson: boolean;
  proper: boolean;
  plural: boolean;
}

/** The conversation as the rule reads it. */
export interface CorefContext {
  mentions: Mention[];
  /** The turns' words, lowercased, with a space either side of each. */
  text: string;
  numbers: Set<string>;
  /** Whether the turns tell of an event ("the rent went up", "I sold my car"): "it" may then be the event. */
  events: boolean;
}

/** Past this many characters of earlier turns nothing is resolved: a bound on the work, and an early mention cut off could leave a referent looking single. */
export const MAX_CONTEXT_CHARS = 4000;

const words = (s: string): string[] =>
  s
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .split(/[^\p{L}\p{N}£$€%'.:-]+/u)
    .map((w) => w.replace(/^[.:'-]+|[.:'-]+$/g, ""))
    .filter((w) => w !== "");

/**
 * A prompt's words for the comparison: split at spaces only, so that "x==y" and "x===y" stay two words, and only
 * the punctuation that closes or wraps a word taken off.
 */
const promptWords = (s: string): string[] =>
  s
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .split(/\s+/)
    .map((w) => w.replace(/^["'([]+|[.,!?;:"')\]]+$/g, ""))
    .filter((w) => w !== "");

/**
 * Verbs of state (having, being called, knowing, wanting): they tell of no event, so after them "it" can only be a
 * thing. Any other verb ("raised", "sold", "crashed") may have made an event that "it" points at instead.
 */
const STATIVE = new Set("be have own use call name know like love want need think would do can could will".split(" "));

const NUMBER = /^[£$€]?\d[\d,.]*%?$/;
const PRONOUNS = new Set([
  ...["i", "you", "we", "they", "he", "she", "it", "that", "this", "these", "those", "what", "which", "who"],
  ...["something", "anything", "nothing", "one", "here", "there"],
]);

const NAMING = new Set(["called", "named"]);
const has = (tags: readonly string[], set: ReadonlySet<string>) => tags.some((t) => set.has(t));
const VERB = new Set(["PastTense", "PresentTense", "Infinitive", "Gerund", "Participle", "Verb", "Copula", "Auxiliary", "Modal"]);
/** Words that end a noun phrase: function words, and times and orders ("tonight", "first"), no part of a thing. */
const BREAK = new Set([
  ...["Determiner", "Preposition", "Conjunction", "Adverb", "Possessive", "Pronoun", "QuestionWord", "Negative", "Expression"],
  ...["Date", "Month", "WeekDay", "Duration", "Ordinal", "Uncountable"],
]);
const NAME = new Set("FirstName MaleName FemaleName LastName Person City Country Place Region ProperNoun Organization".split(" "));
const PERSON = new Set(["FirstName", "MaleName", "FemaleName", "LastName", "Person", "Actor", "Honorific"]);
const NOUN = new Set(["Noun", "Singular", "Plural", "Actor", "Uncountable", ...NAME]);

/**
 * Reads the earlier turns once per lookup; undefined when there are none, or too many to read within bounds. No
 * parse: each word's tags come from compromise's lexicon (µs a word); 4,000 characters cost a few ms at most.
 */
export function readContext(turns: readonly Turn[] | undefined): CorefContext | undefined {
  // Measured before joining: a long conversation is never copied to be refused.
  if (turns === undefined || turns.reduce((n, t) => n + t.content.length + 1, 0) > MAX_CONTEXT_CHARS + 1) return undefined;
  const all = turns.map((t) => t.content).join("\n");
  if (all.trim() === "") return undefined;
  const ws = words(all);
  return { ...read(all), text: ` ${ws.join(" ")} `, numbers: new Set(ws.filter((w) => NUMBER.test(w))) };
}

/** The things a text mentions, and whether it tells of an event. */
function read(all: string): { mentions: Mention[]; events: boolean } {
  const mentions: Mention[] = [];
  let events = false;
  let run: { w: string; tags: string[]; proper: boolean; owned?: boolean }[] = [];
  let naming = -1;
  const close = () => {
    // A run of modifiers and nouns is one mention, named by its last noun ("atrial fibrillation", "port 3000").
    while (run.length > 0 && !run.at(-1)!.proper && run.at(-1)!.tags.includes("Adjective") && !has(run.at(-1)!.tags, NOUN)) run.pop();
    // "the oil looks black": a singular noun then a word in -s may be a subject and its verb; the subject is a thing too.
    const before = run.at(-2);
    if (
      run.length > 1 &&
      run.at(-1)!.tags.includes("Plural") &&
      before !== undefined &&
      !before.tags.includes("Plural") &&
      (before.tags.length === 0 || has(before.tags, NOUN))
    )
      mentions.push({
        words: [before.w],
        head: before.w,
        person: has(before.tags, PERSON),
        maybePerson: has(before.tags, PERSON) || personNoun(lemma(before.w).lemma, before.owned, before.tags.length === 0),
        proper: before.proper,
        plural: false,
      });
    const last = run.at(-1);
    if (last !== undefined) {
      // "someone", "anybody": a person the conversation does not name.
      const person = run.some((t) => has(t.tags, PERSON) || /^(some|any|every|no)(one|body)$/.test(t.w));
      const proper = run.some((t) => t.proper);
      mentions.push({
        words: run.map((t) => t.w),
        head: last.w,
        person,
        maybePerson: person || personNoun(lemma(last.w).lemma, last.owned, last.tags.length === 0),
        proper,
        plural: last.tags.includes("Plural") || (last.tags.length === 0 && !proper && lemma(last.w).plural === true),
      });
    }
    run = [];
  };
  for (const sentence of all.split(/(?<=[.!?])\s+|\n+/)) {
    const tokens = sentence.split(/\s+/);
    for (const [k, raw] of tokens.entries()) {
      const w = raw.replace(/^[^\p{L}\p{N}£$€]+|[^\p{L}\p{N}%]+$/gu, "");
      const lw = w.toLowerCase().replace(/’/g, "'");
      if (lw === "") {
        close();
        continue;
      }
      const tags = lexiconTags(lw.replace(/'s$/, ""));
      // A word the lexicon does not know is a verb by its ending, or after a subject, a modal or "to" ("I winterise").
      const after = k > 0 ? tokens[k - 1]!.toLowerCase() : "";
      const verb =
        has(tags, VERB) ||
        (!has(tags, NOUN) && /^[a-z]+(?:ed|ing)$/.test(lw)) ||
        (tags.length === 0 && /^[a-z]+$/.test(w) && (PRONOUNS.has(after) || after === "to" || has(lexiconTags(after), VERB)));
      if (verb && !tags.includes("Copula") && !tags.includes("Auxiliary") && !tags.includes("Modal"))
        events ||= !STATIVE.has(lemma(lw).lemma);
      // A capital inside a sentence names something ("Kindle", "PostgreSQL"); at its start, only a word known as a name.
      const capital = /^\p{Lu}/u.test(w) || /\p{Lu}/u.test(w.slice(1));
      const proper = capital && (k > 0 ? !has(tags, BREAK) && !has(tags, VERB) : tags.length === 0 || has(tags, NAME));
      const pronoun = PRONOUNS.has(lw) || /^[a-z]+'(?!s$)/.test(lw) || tags.includes("Pronoun") || tags.includes("Possessive");
      if (pronoun || (!proper && (verb || has(tags, BREAK)))) {
        close();
        // "the petrol", "some luggage": stuff is a thing "it" may mean, though its word ends a phrase; not a time
        // ("tonight"), nor a word capitalised inside a sentence, part of a name ("a Series 7 watch").
        if (!pronoun && !verb && tags.includes("Uncountable") && (!capital || k === 0) && !timeNoun(lw))
          mentions.push({ words: [lw], head: lw, person: false, maybePerson: false, proper: false, plural: false });
      }
      // An unknown word after "my", "her" ("my gf", "her stepmom") may be a person of theirs.
      else run.push({ w: lw, tags, proper, owned: /^(my|your|his|her|our|their)$/.test(after) });
      // "a cat called Miso", "a beagle named Max": one thing, by its name (the mention before goes).
      if (naming >= 0 && proper && naming === mentions.length - 1 && k > 0 && NAMING.has(tokens[k - 1]!.toLowerCase())) mentions.pop();
      if (NAMING.has(lw)) naming = run.length === 0 ? mentions.length - 1 : -1;
      if (/[,;:()"]$/.test(raw)) close();
    }
    close();
  }
  return { mentions, events };
}

/**
 * Whether "he" or "she" may mean what a noun names: a person or an animal in its most frequent sense (WordNet's
 * noun.person and noun.animal files: "nurse", "hamster"; not "tool", whose rarer senses include a person); when
 * WordNet is missing, any noun may; owned ("my mum", "her gf"), any person sense, or no sense in either lexicon.
 */
function personNoun(w: string, owned = false, unknown = false): boolean {
  const d = wordnetDict();
  if (d === null) return true;
  const all = senses(d, w.replace(/'s$/, ""), "n");
  // A noun neither lexicon knows, owned by someone ("my gf", "his kiddo"), may name a person: precision first.
  if (all[0] === undefined) return owned && unknown;
  const file = (o: string) => d.data.n.toString("latin1", Number(o) + 9, Number(o) + 11);
  // Owned ("my mum", whose first sense is a flower), any sense that is a person counts.
  return ["18", "05"].includes(file(all[0])) || (owned && all.some((o) => file(o) === "18"));
}

/** A noun whose first WordNet sense is a time (noun.time: "tonight", "today"). */
function timeNoun(w: string): boolean {
  const d = wordnetDict();
  const first = d === null ? undefined : senses(d, w, "n")[0];
  return first !== undefined && d!.data.n.toString("latin1", Number(first) + 9, Number(first) + 11) === "28";
}

const DETERMINERS = new Set(["the", "a", "an", "my", "our", "your", "this", "that"]);
/** Pronouns and what each can point at: a thing, a person, a place, or the two things named. */
const ANAPHORS: Record<string, "thing" | "person" | "place" | "pair"> = {
  it: "thing",
  he: "person",
  him: "person",
  she: "person",
  her: "person",
  there: "place",
  "the two": "pair",
  "both of them": "pair",
};

/**
 * Whether `a` and `b` say the same words except that one names a thing of the conversation where the other points
 * at it, and the conversation leaves that thing as the only one the pointer can mean. A pure function of its inputs.
 */
export function corefSame(context: CorefContext | undefined, a: string, b: string): boolean {
  if (context === undefined) return false;
  const A = promptWords(a);
  const B = promptWords(b);
  if (A.length > 60 || B.length > 60) return false;
  let p = 0;
  while (p < A.length && p < B.length && A[p] === B[p]) p++;
  let s = 0;
  while (s < A.length - p && s < B.length - p && A[A.length - 1 - s] === B[B.length - 1 - s]) s++;
  const ma = A.slice(p, A.length - s);
  const mb = B.slice(p, B.length - s);
  return refersTo(context, ma, mb, a, A) || refersTo(context, mb, ma, b, B);
}

/** Whether `pointer` ("it", "that port", "the book") can only mean `phrase` ("the sales DataFrame") here. */
function refersTo(c: CorefContext, pointer: string[], phrase: string[], prompt: string, all: string[]): boolean {
  if (pointer.length === 0 || pointer.length > 3 || phrase.length === 0 || phrase.length > 6) return false;
  const kind = ANAPHORS[pointer.join(" ")];
  // The pointer's own prompt may hold what it points at ("I bought a drill: how do I clean it"): then no rule reads it.
  const own = read(prompt).mentions;
  if (kind === "thing" && own.some((m) => !m.person && !m.plural)) return false;
  if (kind !== undefined && kind !== "thing" && own.some((m) => m.proper || m.maybePerson)) return false;
  if (kind === undefined && all.filter((w) => w === pointer.at(-1)).length > 1) return false;
  if (kind === "place")
    return phrase.length === 2 && LOCATIVE.includes(phrase[0]!) && onlyPlace(c, phrase[1]!) && onlyName(c, phrase.slice(1));
  const named = phrase[0] !== undefined && DETERMINERS.has(phrase[0]) ? phrase.slice(1) : phrase;
  if (named.length === 0 || named.some((w) => DETERMINERS.has(w) || ANAPHORS[w] !== undefined)) return false;
  if (kind === "pair") return pair(c, named);
  if (kind === "person") return onlyName(c, named, true);
  if (kind === "thing") return onlyThing(c, named);
  if (pointer.length === 2 && ["the", "that", "this"].includes(pointer[0]!)) return described(c, pointer[1]!, named);
  return false;
}

const LOCATIVE = ["in", "on", "at", "to", "near", "from", "into", "around", "inside", "outside"];

/** "there": no other word of the turns follows "in", "at", "to" and the like ("at the airport in Lisbon"). */
function onlyPlace(c: CorefContext, place: string): boolean {
  const after = new RegExp(` (?:${LOCATIVE.join("|")}) (?:(?:the|a|an|my|our|your|this|that) )?(\\S+)`, "g");
  return [...c.text.matchAll(after)].every((m) => m[1] === place);
}

/** Every word of the phrase is in the conversation, next to each other. */
const mentioned = (c: CorefContext, ws: readonly string[]): boolean => c.text.includes(` ${ws.join(" ")} `);
/** The mention the phrase names: one whose last noun is the phrase's. */
const isPhrase = (m: Mention, ws: readonly string[]): boolean => m.head === ws.at(-1);

/** "it": the phrase is in the conversation, and no other single thing (nor a number) is. */
function onlyThing(c: CorefContext, ws: string[]): boolean {
  if (c.events || !ws.every((w) => c.text.includes(` ${w} `))) return false;
  const things = c.mentions.filter((m) => !m.person && !m.plural);
  return things.some((m) => isPhrase(m, ws)) && things.every((m) => isPhrase(m, ws) || m.words.every((w) => ws.includes(w)));
}

/**
 * "she", "there", "the book": the phrase is a name, the only name the conversation mentions, counting persons
 * (named or not) for a personal pronoun and leaving them out for a thing.
 */
function onlyName(c: CorefContext, ws: string[], person: boolean | "not" = false): boolean {
  if (ws.length === 0 || !mentioned(c, ws)) return false;
  // "he" and "she" are one: "tortoises" beside "Basil" are the kind, not another one.
  const names = c.mentions.filter((m) => (person === "not" ? m.proper && !m.person : m.proper || (person && m.maybePerson && !m.plural)));
  return names.some((m) => m.proper && isPhrase(m, ws)) && names.every((m) => isPhrase(m, ws) || m.words.every((w) => ws.includes(w)));
}

/** "the two": the phrase is "X and Y", and X and Y are the only two names of the conversation. */
function pair(c: CorefContext, ws: string[]): boolean {
  const and = ws.findIndex((w) => w === "and" || w === "or");
  if (and <= 0 || and === ws.length - 1 || ws.indexOf("and", and + 1) !== -1) return false;
  const [x, y] = [ws.slice(0, and), ws.slice(and + 1)];
  if (!mentioned(c, x) || !mentioned(c, y) || x.join(" ") === y.join(" ")) return false;
  const names = c.mentions.filter((m) => m.proper || m.maybePerson);
  return names.length >= 2 && names.every((m) => isPhrase(m, x) || isPhrase(m, y));
}

/**
 * "that port" / "port 3000": the phrase says the noun with what tells it apart, the conversation says them together,
 * and mentions no other of that noun (nor another number). "the book" / "Sapiens": the phrase is the only name of
 * the conversation, which says it is one ("it's a ... book", "the book Sapiens") and names no other book.
 */
function described(c: CorefContext, noun: string, ws: string[]): boolean {
  if (!mentioned(c, ws)) return false;
  const count = (x: string) => c.text.split(` ${x} `).length - 1 + c.text.split(` ${x}s `).length - 1 + c.text.split(` ${x}es `).length - 1;
  if (ws.includes(noun)) {
    if (ws.length < 2 || count(noun) !== count(ws.join(" "))) return false;
    const number = ws.find((w) => NUMBER.test(w));
    return number === undefined || [...c.numbers].every((n) => n === number);
  }
  const name = ws.join(" ");
  // One name, and one thing the noun names: "another book" beside it leaves "the book" two things.
  if (!/^[\p{L}\p{N} -]+$/u.test(name) || !/^[a-z]+$/.test(noun) || count(noun) !== 1 || !onlyName(c, ws, "not")) return false;
  const link = new RegExp(
    ` (?:(?:(?:it|this|that|${name}) (?:is|was)|it's|that's|${name}'s) (?:a|an|the) (?:[a-z-]+ ){0,3}${noun}|the ${noun} ${name}) `,
  );
  return link.test(c.text);
}
