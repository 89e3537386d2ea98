import { kindOf } from "./guard-kinds.js";
import { lexiconTags } from "./guard-normalise.js";
import { pointers, senses } from "./guard-synonyms.js";
import { type WordNetDict, wordnetDict } from "./guard-wordnet.js";

/*
 * Inflection and derivation the lemma does not reach (docs/caching.md "The structural guard"): a gerund with its
 * object against the act it names, the object moved before it as a compound's modifier ("negotiating a salary" /
 * "salary negotiation", "running a marathon" / "marathon running"), a gerund with an adverb against the act with
 * the adjective ("meditating daily" / "daily meditation"), and the progressive after "should" with the person
 * framed away ("should I be adopting" / "should I adopt"). Each only where WordNet says the roles cannot change:
 *
 * - the act is the gerund itself, or a noun WordNet derives from the verb ("+" pointer), and the noun's FIRST
 *   sense is an act, a thought, a communication or a process: "organization" is first a group, "building" a
 *   structure ("an apartment building" is no "building an apartment"), "trainer" and "employee" persons.
 * - every sense of the modifier is an act, a thought, an event, a possession or a relation ("salary", "budget",
 *   "crime", "marathon"): a person, animal or group is an agent ("user testing" is testing by users, "dog biting"
 *   dogs that bite), an artifact, body part, stuff, natural object, attribute or state an instrument, a place or a
 *   manner as often as an object ("machine washing", "hand washing", "mountain biking", "speed reading", "stress
 *   testing", "load testing"), and a communication a medium ("email marketing", "text messaging"). Nor a name,
 *   nor a word the lexicon knows as a person or a place.
 * - the object has its "a", or its plural after a preposition's gerund ("tips for naming variables"): a bare noun
 *   after an "-ing" word is as often the head it modifies ("training data"), and "the" or "my" make it one thing.
 * - the adverb's first sense pertains to the adjective (WordNet "\"): "daily" / "daily", "regularly" / "regular";
 *   not "late" ("working late" / "late work": overdue work), whose first sense is "belatedly".
 * - the progressive only after "should" at the start of a question or after how/when/where/why, where the
 *   subject was "I", "we" or "you" (the frame drops them): "the server should be running" is a state, "should it
 *   be raining" another question. "is adopting" / "adopts" and "was" / "is" keep their aspect and tense. A
 *   prompt with no subject at all ("should be running by now") reads as the asker's: the frame leaves no trace.
 * Everything else must be equal, in order; the work is linear in the prompt's length.
 */

/** WordNet lexicographer files (lexnames): the two digits after a noun synset's offset. */
const file = (d: WordNetDict, offset: string): string => d.data.n.toString("latin1", Number(offset) + 9, Number(offset) + 11);

/** noun.act, noun.cognition, noun.communication, noun.process: what a verb's act is named by. */
const ACTS = new Set(["04", "09", "10", "22"]);
/** noun.Tops, act, cognition, event, possession, relation: senses that are only what an act is done to. */
const OBJECTS = new Set(["03", "04", "09", "11", "21", "24"]);
const CONTENT = /^[a-z]+$/;
/** Prepositions a gerund follows as their object ("for naming", "on planning"). */
const AFTER = /^(for|of|on|about|in|to|at|with|without|by|before|after|while|when)$/;
const NAMED = /Person|Actor|Place|Country|City|Region|Organization|Company|Demonym/;

/** True when Y is X with one verb phrase (or progressive) of X said as its act (see above). Pure. */
export function derivedMoved(X: readonly string[], sx: readonly string[], Y: readonly string[], sy: readonly string[]): boolean {
  const d = wordnetDict();
  if (d === null) return false;
  const [x, s] = progressive(X, sx);
  const [y, t] = progressive(Y, sy);
  if (x.length === y.length && x.every((u, i) => u === y[i])) return x.length !== X.length || y.length !== Y.length;
  let p = 0;
  while (p < x.length && x[p] === y[p]) p++;
  // The verb phrase starts where the two first differ.
  return moved(d, x, s, y, t, p);
}

/** Drops "be" in "should be V-ing" where "should" opens the question (the person went with the frame). */
function progressive(X: readonly string[], sx: readonly string[]): [readonly string[], readonly string[]] {
  for (let i = 0; i + 2 < X.length; i++) {
    if (X[i] !== "should" || X[i + 1] !== "be" || sx[i + 1] !== "be" || !/^[a-z]+ing$/.test(sx[i + 2] ?? "")) continue;
    if (i > 0 && !/^(how|when|where|why)$/.test(X[i - 1]!)) continue;
    if (i > 1) continue;
    return [
      [...X.slice(0, i + 1), ...X.slice(i + 2)],
      [...sx.slice(0, i + 1), ...sx.slice(i + 2)],
    ];
  }
  return [X, sx];
}

/**
 * X[v] a gerund, then its object ("a" and one or two words, or one or two words and a plural) or an adverb; Y the
 * compound or the adjective, and the act. The object needs its "a", or its plural and a preposition before the
 * gerund ("tips for naming variables"): a bare noun after an "-ing" word is as often the head it modifies
 * ("training data" is no "data training", "the best teaching methods" no "the best method teaching").
 */
function moved(d: WordNetDict, X: readonly string[], sx: readonly string[], Y: readonly string[], sy: readonly string[], v: number) {
  const verb = X[v]!;
  if (!CONTENT.test(verb) || !/^[a-z]+ing$/.test(sx[v] ?? "") || senses(d, verb, "v").length === 0) return false;
  if (v + 1 < X.length && v + 1 < Y.length && pertains(d, sx[v + 1]!, sy[v]!) && act(d, verb, Y[v + 1]!, sy[v + 1]!))
    return sameTail(X, v + 2, Y, v + 2);
  const a = X[v + 1] === "A" ? 1 : 0;
  for (let m = 1; m <= 2 && v + a + m < X.length && v + m < Y.length; m++) {
    const at = v + 1 + a;
    const many = /^(PLURAL|BARE)$/.test(X[at + m] ?? "") ? 1 : 0;
    if (
      a + many !== 1 ||
      (many === 1 && !AFTER.test(X[v - 1] ?? "")) ||
      !X.slice(at, at + m).every((w, k) => w === Y[v + k] && object(d, w, sx[at + k]!))
    )
      continue;
    if (act(d, verb, Y[v + m]!, sy[v + m]!) && sameTail(X, at + m + many, Y, v + m + 1)) return true;
  }
  return false;
}

const sameTail = (X: readonly string[], i: number, Y: readonly string[], j: number): boolean =>
  X.length - i === Y.length - j && X.slice(i).every((t, k) => t === Y[j + k]);

/** `noun` (written `surface`) names the act of `verb`: the gerund itself, or a noun WordNet derives from it. */
function act(d: WordNetDict, verb: string, noun: string, surface: string): boolean {
  if (!CONTENT.test(noun)) return false;
  if (noun === verb) {
    if (!surface.endsWith("ing")) return false;
    // A gerund WordNet lists as a noun must be first an act ("running"), not a thing ("building", "painting").
    const first = senses(d, surface, "n")[0];
    return first === undefined || ACTS.has(file(d, first));
  }
  const first = senses(d, noun, "n")[0];
  if (first === undefined || !ACTS.has(file(d, first))) return false;
  const verbs = new Set(senses(d, verb, "v"));
  return pointers(d, "n", first).some((q) => q.sym === "+" && q.pos === "v" && verbs.has(q.offset));
}

/** A noun that can only be what is acted on (see above). */
function object(d: WordNetDict, w: string, surface: string): boolean {
  if (!CONTENT.test(w) || surface !== surface.toLowerCase() || kindOf(w) !== "content") return false;
  if (NAMED.test(lexiconTags(w).join(" "))) return false;
  // The lemma, or the word as written where the lemma is no noun ("wedding" read as "wed").
  const found = senses(d, w, "n");
  const files = (found.length > 0 ? found : senses(d, surface, "n")).map((o) => file(d, o));
  return files.length > 0 && files.every((f) => OBJECTS.has(f));
}

/** The adverb as written (`adverb`) whose first sense pertains to an adjective sense of `adjective`. */
function pertains(d: WordNetDict, adverb: string, adjective: string): boolean {
  if (!/^[a-z]+ly$/.test(adverb) || !/^[a-z]+$/.test(adjective)) return false;
  const first = senses(d, adverb, "r")[0];
  if (first === undefined) return false;
  const adjectives = new Set(senses(d, adjective, "a"));
  return pointers(d, "r", first).some((q) => q.sym === "\\" && q.pos === "a" && adjectives.has(q.offset));
}

/**
 * "hiring a manager" / "a hiring manager": the article before the gerund makes the gerund a modifier and the noun
 * its head, a person, not the object. The reading drops articles, so this is said before it does: the reason, or
 * undefined.
 */
export function articleMoved(X: readonly string[], sx: readonly string[], Y: readonly string[]): string | undefined {
  for (let k = 0; k + 2 < X.length && k + 2 < Y.length; k++)
    if (/^[a-z]+ing$/.test(sx[k] ?? "") && X[k + 1] === "A" && Y[k] === "A" && Y[k + 1] === X[k] && Y[k + 2] === X[k + 2])
      return `order: ${sx[k]} a ${X[k + 2]} / a ${sx[k]} ${X[k + 2]}`;
  return undefined;
}
