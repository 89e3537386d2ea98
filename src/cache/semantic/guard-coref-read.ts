import { lemma, lexiconTags } from "./guard-inflect.js";
import { senses } from "./guard-synonyms.js";
import { wordnetDict } from "./guard-wordnet.js";

/*
 * How coreference reads the conversation (guard-coref.ts): the noun phrases it mentions, each with what it may be
 * pointed at with, and whether it tells of an event. Tags come from compromise's lexicon and WordNet, no parse.
 */

/** A noun phrase of the conversation: its words (lowercased) and what it can be pointed at with. */
export interface Mention {
  words: string[];
  head: string;
  person: boolean;
  /** A person, or a noun whose first WordNet sense is a person or an animal ("nurse", "cat"): what "she" may mean. */
  maybePerson: boolean;
  proper: boolean;
  /** A name the lexicon knows as a place ("Seattle", "Peru"). */
  place?: boolean;
  plural: boolean;
}

export const words = (s: string): string[] =>
  s
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .split(/[^\p{L}\p{N}£$€%'.:-]+/u)
    .map((w) => w.replace(/^[.:'-]+|[.:'-]+$/g, ""))
    .filter((w) => w !== "");

/**
 * Verbs of state (having, being called, knowing, wanting): they tell of no event, so after them "it" can only be a
 * thing. Any other verb ("raised", "sold", "crashed") may have made an event that "it" points at instead.
 */
const STATIVE = new Set("be have own use call name know like love want need think would do can could will".split(" "));

export const NUMBER = /^[£$€]?\d[\d,.]*%?$/;
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
const PLACE = new Set(["City", "Country", "Place", "Region"]);
const PERSON = new Set(["FirstName", "MaleName", "FemaleName", "LastName", "Person", "Actor", "Honorific"]);
const NOUN = new Set(["Noun", "Singular", "Plural", "Actor", "Uncountable", ...NAME]);

/** The things a text mentions, and whether it tells of an event. */
export function read(all: string): { mentions: Mention[]; events: boolean } {
  const mentions: Mention[] = [];
  let events = false;
  let run: { w: string; tags: string[]; proper: boolean; owned?: boolean }[] = [];
  let naming = -1;
  // A word said again is looked up once: a long conversation repeats its words.
  const people = new Map<string, boolean>();
  const isPerson = (w: string, owned = false, unknown = false): boolean => {
    const key = `${w} ${owned} ${unknown}`;
    let v = people.get(key);
    if (v === undefined) people.set(key, (v = personNoun(lemma(w).lemma, owned, unknown)));
    return v;
  };
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
        maybePerson: has(before.tags, PERSON) || isPerson(before.w, before.owned, before.tags.length === 0),
        proper: before.proper,
        plural: false,
      });
    const last = run.at(-1);
    if (last !== undefined) {
      // "someone", "anybody": a person the conversation does not name.
      const person = run.some((t) => has(t.tags, PERSON) || /^(some|any|every|no)(one|body)$/.test(t.w));
      const proper = run.some((t) => t.proper);
      const place = proper && run.some((t) => has(t.tags, PLACE));
      mentions.push({
        place,
        words: run.map((t) => t.w),
        head: last.w,
        person,
        maybePerson: person || isPerson(last.w, last.owned, last.tags.length === 0),
        proper,
        plural: last.tags.includes("Plural") || (last.tags.length === 0 && !proper && lemma(last.w).plural === true),
      });
    }
    run = [];
  };
  for (const sentence of all.split(/(?<=[.!?])\s+|\n+/)) {
    const tokens = sentence.split(/\s+/);
    const properAt: boolean[] = [];
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
      // Right after a determiner a word is a noun or its modifier, whatever else it may be ("an intern", "the lead").
      const verb =
        (!DETERMINER.test(after) && has(tags, VERB)) ||
        (!has(tags, NOUN) && /^[a-z]+(?:ed|ing)$/.test(lw)) ||
        (tags.length === 0 &&
          /^[a-z]+$/.test(w) &&
          ((PRONOUNS.has(after) && !ASKING.has(after)) || after === "to" || has(lexiconTags(after), VERB))) ||
        // Right after a subject a noun cannot stand, so a word WordNet also knows as a verb is one ("I tutor", "we garden").
        (SUBJECTS.has(after) && /^[a-z]+$/.test(w) && wordSenses(lemma(lw).lemma, "v"));
      if (verb && !tags.includes("Copula") && !tags.includes("Auxiliary") && !tags.includes("Modal"))
        events ||= !STATIVE.has(lemma(lw).lemma);
      // A capital inside a sentence names something ("Kindle", "PostgreSQL"); at its start, only a word known as a name.
      const capital = /^\p{Lu}/u.test(w) || /\p{Lu}/u.test(w.slice(1));
      // A capital joined to a name by "and", "or" is a name too, whatever else the word means ("Rust and Go"); a plural
      // of a common noun opening a sentence is the kind ("Tortoises live long", "Winters are dark"): names have no plural.
      // So is a capital right after a name inside a sentence ("the Catalan Opening", "a Kindle Fire").
      const joined =
        (k > 1 && properAt[k - 1] === true && /[\p{L}\p{N}]$/u.test(tokens[k - 1]!)) ||
        (k > 1 && /^(and|or)$/.test(after) && properAt[k - 2] === true) ||
        (/^(and|or)$/i.test(tokens[k + 1] ?? "") && /^\p{Lu}/u.test(tokens[k + 2] ?? ""));
      const proper =
        capital &&
        (k > 0 ? joined || (!has(tags, BREAK) && !has(tags, VERB)) : (tags.length === 0 && !commonPlural(lw)) || has(tags, NAME));
      properAt[k] = proper;
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

const DETERMINER = /^(a|an|the|my|your|his|our|their|these|those|another|each|every|no)$/;
/** "which neighbour?", "whose bike": a word the lexicon lacks after them is the noun asked about. */
const ASKING = new Set(["which", "whose", "what"]);
const SUBJECTS = new Set(["i", "we", "they", "you"]);

/** Whether WordNet knows the word in that part of speech (false without WordNet: nothing is read into an unknown word). */
function wordSenses(w: string, pos: "n" | "v"): boolean {
  const d = wordnetDict();
  return d !== null && senses(d, w, pos).length > 0;
}

/** A plural ("tortoises", "winters") whose singular WordNet knows as a noun. */
function commonPlural(w: string): boolean {
  if (!/^[a-z]+s$/.test(w) || lemma(w).plural !== true) return false;
  return [w.slice(0, -1), w.replace(/es$/, ""), w.replace(/ies$/, "y"), lemma(w).lemma].some((s) => wordSenses(s, "n"));
}

/** A noun whose first WordNet sense is a time (noun.time: "tonight", "today"). */
function timeNoun(w: string): boolean {
  const d = wordnetDict();
  const first = d === null ? undefined : senses(d, w, "n")[0];
  return first !== undefined && d!.data.n.toString("latin1", Number(first) + 9, Number(first) + 11) === "28";
}
