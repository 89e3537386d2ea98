import { type Mention, NUMBER, read, words } from "./guard-coref-read.js";

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
  return resolves(context, ma, mb, a, A) || resolves(context, mb, ma, b, B);
}

/** A pointer as it stands, or a possessive read as its owner ("its firmware" / "the router's firmware": "it" / "the router"). */
function resolves(c: CorefContext, pointer: string[], phrase: string[], prompt: string, all: string[]): boolean {
  if (refersTo(c, pointer, phrase, prompt, all)) return true;
  const as = POSSESSIVE[pointer[0] ?? ""];
  if (as === undefined || phrase.length === 0) return false;
  // What is owned ("firmware") is no candidate for its owner; nor is an event ("its cost" is a thing's).
  const owned = all[all.indexOf(pointer[0]!) + 1];
  if (pointer.length === 1) {
    const last = phrase.at(-1)!;
    return /^[\p{L}\p{N}-]+'s$/u.test(last) && refersTo(c, [as], [...phrase.slice(0, -1), last.slice(0, -2)], prompt, all, owned);
  }
  // "its main lines" / "the main lines of the Sicilian Defence".
  const rest = pointer.slice(1);
  const ph = phrase[0] === "the" ? phrase.slice(1) : phrase;
  if (ph.length <= rest.length + 1 || rest.some((w, i) => ph[i] !== w) || ph[rest.length] !== "of") return false;
  return refersTo(c, [as], ph.slice(rest.length + 1), prompt, all, owned);
}

const POSSESSIVE: Record<string, string> = { its: "it", his: "him", her: "her" };

/** Whether `pointer` ("it", "that port", "the book") can only mean `phrase` ("the sales DataFrame") here. */
function refersTo(c: CorefContext, pointer: string[], phrase: string[], prompt: string, all: string[], owned?: string): boolean {
  if (pointer.length === 0 || pointer.length > 3 || phrase.length === 0 || phrase.length > 6) return false;
  const kind = ANAPHORS[pointer.join(" ")];
  // The pointer's own prompt may hold what it points at ("I bought a drill: how do I clean it"): then no rule reads it.
  const own = read(prompt).mentions.filter((m) => owned === undefined || !m.words.includes(owned));
  if (kind === "thing" && own.some((m) => !m.person && !m.plural)) return false;
  // A place in the prompt is no one "her" may mean ("take her on day trips near Seattle").
  if (kind !== undefined && kind !== "thing" && own.some((m) => (m.proper && (kind !== "person" || !m.place)) || m.maybePerson))
    return false;
  if (kind === undefined && all.filter((w) => w === pointer.at(-1)).length > 1) return false;
  if (kind === "place")
    return phrase.length === 2 && LOCATIVE.includes(phrase[0]!) && onlyPlace(c, phrase[1]!) && onlyName(c, phrase.slice(1));
  const named = phrase[0] !== undefined && DETERMINERS.has(phrase[0]) ? phrase.slice(1) : phrase;
  if (named.length === 0 || named.some((w) => DETERMINERS.has(w) || ANAPHORS[w] !== undefined)) return false;
  if (kind === "pair") return pair(c, named);
  if (kind === "person") return onlyName(c, named, true) || onlyPerson(c, named);
  if (kind === "thing") return onlyThing(c, named, owned === undefined && c.events);
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
/** The mention the phrase names: one whose last noun is the phrase's, and whose other words it says or is said by. */
const isPhrase = (m: Mention, ws: readonly string[]): boolean =>
  // Its modifiers one with the phrase's: "the Colle System" is not "the London System", nor "a blue car" "the red car".
  m.head === ws.at(-1) && (m.words.every((w) => ws.includes(w)) || ws.every((w) => m.words.includes(w)));

/** "it": the phrase is in the conversation, and no other single thing (nor a number) is. */
function onlyThing(c: CorefContext, ws: string[], events: boolean): boolean {
  if (events || !ws.every((w) => c.text.includes(` ${w} `))) return false;
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
  // A name only of a place ("Leeds") is no one "she" may mean.
  const names = c.mentions.filter((m) =>
    person === "not" ? m.proper && !m.person : (m.proper && !(person && m.place && !m.person)) || (person && m.maybePerson && !m.plural),
  );
  return names.some((m) => m.proper && isPhrase(m, ws)) && names.every((m) => isPhrase(m, ws) || m.words.every((w) => ws.includes(w)));
}

/**
 * "her" / "my mother-in-law": a person the conversation names by a noun, not a name, when it mentions that noun once
 * and no other person (named or not) beside it.
 */
function onlyPerson(c: CorefContext, ws: string[]): boolean {
  if (!mentioned(c, ws)) return false;
  const people = c.mentions.filter((m) => m.proper || (m.maybePerson && !m.plural));
  return people.length === 1 && !people[0]!.proper && isPhrase(people[0]!, ws) && people[0]!.words.every((w) => ws.includes(w));
}

/** How a number is written: "11" and "8080" alike, "2.4", "192.168.0.1" and "£20,000" each otherwise. */
const shape = (n: string): string => n.replace(/(?<=\d),(?=\d{3})/g, "").replace(/\d+/g, "9");

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
  // Counted with a lookahead, so that "channel 11 channel 11" holds two (they share the space between them).
  const count = (x: string) => c.text.match(new RegExp(` ${x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:e?s)?(?= )`, "g"))?.length ?? 0;
  if (ws.includes(noun)) {
    // "one of the three non-overlapping channels" says what kind the thing is, not another one.
    const kinds = c.text.match(new RegExp(` one of the (?:[a-z0-9.-]+ ){0,4}${noun}e?s(?= )`, "g"))?.length ?? 0;
    if (ws.length < 2 || count(noun) - kinds !== count(ws.join(" "))) return false;
    const number = ws.find((w) => NUMBER.test(w));
    // Another number written the same way may be another one ("port 8080"); "192.168.0.1" or "2.4" beside "channel 11" cannot.
    return number === undefined || [...c.numbers].every((n) => n === number || shape(n) !== shape(number));
  }
  const name = ws.join(" ");
  if (!/^[\p{L}\p{N} -]+$/u.test(name) || !/^[a-z]+$/.test(noun)) return false;
  // One name beside the noun's own mentions ("a charming French film" is the kind said of it, no other name).
  const names = c.mentions.filter((m) => m.proper && !m.person && m.head !== noun);
  if (
    !mentioned(c, ws) ||
    !names.some((m) => isPhrase(m, ws)) ||
    !names.every((m) => isPhrase(m, ws) || m.words.every((w) => ws.includes(w)))
  )
    return false;
  // Every time the conversation says the noun it says it of the name ("it's a ... book", "the book Sapiens", "my
  // favourite film is Amélie"): "another book" beside it leaves "the book" two things.
  const link = new RegExp(
    ` (?:(?:(?:it|this|that|${name}) (?:is|was)|it's|that's|${name}'s) (?:a|an|the) (?:[a-z-]+ ){0,3}${noun}|the ${noun} ${name}|${noun} (?:is|was) ${name})(?= )`,
    "g",
  );
  const linked = [...c.text.matchAll(link)].length;
  return linked > 0 && count(noun) === linked;
}
