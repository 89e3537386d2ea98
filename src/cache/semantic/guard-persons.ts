import { lexiconTags, type Word } from "./guard-normalise.js";
import { DETERMINERS, RELATIONS, REQUEST_VERBS } from "./guard-words.js";

/**
 * The asker ("I", "me", "my") and the assistant ("you", "your") are sometimes nobody in particular and
 * sometimes the topic. "How do you boil an egg", "can I freeze milk", "what do you call a baby goat": the
 * person is the impersonal subject of an action done to something, and "you", "I", "one" or no one at all
 * ask the same. "Who are you", "how old am I", "what's my name", "do you dream", "what do you think about
 * cats", "who made you", "rate my essay": the person is who the question is about, and the asker is not the
 * assistant. Read by grammar: a prompt is impersonal when one of its subject pronouns follows "how" and an
 * auxiliary ("how can I", "how should we"), or is followed by a verb and that verb's object ("you | freeze |
 * milk"). Anything else (a pronoun after "be", a verb with no object or only a preposition after it, an
 * object or possessive pronoun with no such subject) makes it personal, and the guard keeps its pronouns
 * (docs/caching.md "The asker and the assistant").
 */

const SUBJECTS = /^(i|you|we)$/;
const AUXILIARIES = /^(do|does|did|can|could|should|would|will|shall|may|might|must)$/;
/** After a subject, these are no action: "am I", "you are", "I have to". */
const NO_ACTION = /^(am|is|are|was|were|be|been|being|have|has|had|not|to)$/;
/** After the verb, these start no object: a pronoun ("do you love me"), a question word, an adverb; "my" starts one. */
const NO_OBJECT = /^(i|me|myself|you|yourself|we|us|that|where|why|how|what|who|so|too|well|anymore)$/;
/** After the verb, these start what an action is done for or on: "what do you need | to open ...", "what should I do | if ...". */
const PURPOSE = /^(to|if|when)$/;

const word = (t: Word | undefined): string | undefined => (t === undefined || t.kind === "bound" || t.kind === "sym" ? undefined : t.w);

/** True when a pronoun at i is an impersonal subject: "how do | you", or "you | boil | an egg". */
function impersonalAt(words: readonly Word[], i: number): boolean {
  if (!SUBJECTS.test(word(words[i]) ?? "")) return false;
  if (AUXILIARIES.test(word(words[i - 1]) ?? "") && word(words[i - 2]) === "how") return true;
  // "Are you a robot": a subject after "be" has a state, not an action.
  if (NO_ACTION.test(word(words[i - 1]) ?? "")) return false;
  const verb = word(words[i + 1]);
  if (DETERMINERS.has(verb ?? "") || /^(a|an)$/.test(verb ?? "")) return false;
  // "What should I do if ...": "do" after its subject is the verb itself.
  if (verb === undefined || NO_ACTION.test(verb) || (AUXILIARIES.test(verb) && !/^(do|does|did)$/.test(verb))) return false;
  // "Can you explain my diagram": a request to the assistant, whose "you" is no one in general.
  if (word(words[i]) === "you" && REQUEST_VERBS.has(verb)) return false;
  const object = word(words[i + 2]);
  if (object === undefined || NO_OBJECT.test(object)) return false;
  // "to" before a verb is a purpose; before a pronoun, a person spoken to ("talk to me").
  if (PURPOSE.test(object)) return object !== "to" || !NO_OBJECT.test(word(words[i + 3]) ?? "you");
  // "Do you get tired": an adjective closing the clause is a state ("cooked" in "freeze cooked pasta" is not).
  if (word(words[i + 3]) === undefined && lexiconTags(object).includes("Adjective")) return false;
  return !RELATIONS.has(object);
}

/**
 * Whether the pronouns of the asker and the assistant in a prompt name who it is about (true) or nobody in
 * particular (false). A prompt without them is impersonal.
 */
export function personal(words: readonly Word[]): boolean {
  let named = false;
  for (let i = 0; i < words.length; i++) {
    // "How to tell if a guy likes you": an infinitive has no subject; its persons are anyone's.
    if (impersonalAt(words, i) || (word(words[i]) === "how" && word(words[i + 1]) === "to")) return false;
    const w = word(words[i]);
    if (w !== undefined && /^(i|me|my|mine|myself|we|us|our|ours|ourselves|you|your|yours|yourself|yourselves)$/.test(w)) named = true;
  }
  return named;
}

/** A token of the asker or the assistant kept in place (guard-analyse.ts). */
export const isPersonToken = (t: string): boolean => t === "SELF" || t === "YOU";

const POSSESSIVE = /^(my|our|your)$/i;

/**
 * Which tokens of two prompts the guard compares, as far as persons go: none of them when one side names
 * nobody (it asks about no one in particular), or when both name the same persons after the same words
 * ("should I | be saving" / "should I | save": nobody moved, and the other rules read the rest as before);
 * possessives ("my for loop") when both sides have the same ones, since a possessive stands where its noun
 * does and says nothing of order; every other person kept in place, so that "remind me to call mom" is not
 * "remind mom to call me", and "my name" is not "your name".
 */
export function personsKept(
  a: { tokens: readonly string[]; surfaces: readonly string[]; persons?: readonly string[] },
  b: { tokens: readonly string[]; surfaces: readonly string[]; persons?: readonly string[] },
): [boolean[], boolean[]] {
  // One side keeps as its topic a person the other side, which names persons only impersonally, never wrote ("do
  // you store my data" / "do I store my data"): the persons count.
  const unwritten = (x: typeof a, y: typeof a) =>
    (y.persons?.length ?? 0) > 0 && !y.tokens.some(isPersonToken) && x.tokens.some((t) => isPersonToken(t) && !y.persons!.includes(t));
  if (unwritten(a, b) || unwritten(b, a)) return [a.tokens.map(() => true), b.tokens.map(() => true)];
  const placed = (x: typeof a) => x.tokens.flatMap((t, i) => (isPersonToken(t) ? [`${x.tokens[i - 1] ?? ""} ${t}`] : [])).join("|");
  const both = a.tokens.some(isPersonToken) && b.tokens.some(isPersonToken) && placed(a) !== placed(b);
  const owners = (x: typeof a) =>
    x.tokens
      .filter((t, i) => isPersonToken(t) && POSSESSIVE.test(x.surfaces[i] ?? ""))
      .sort()
      .join(" ");
  const sameOwners = both && owners(a) === owners(b);
  const mask = (x: typeof a) =>
    x.tokens.map((t, i) => !isPersonToken(t) || (both && !(sameOwners && POSSESSIVE.test(x.surfaces[i] ?? ""))));
  return [mask(a), mask(b)];
}
