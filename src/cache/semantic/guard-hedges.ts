import { lexiconTags, type Word } from "./guard-normalise.js";

/*
 * Hedges, asides and frames read by grammar (docs/caching.md "Sixth round: frames"), one clause at a time, after
 * contractions are expanded ("I'm" is "i am", "how'd" is "how would"). Closed classes of English, never words of
 * the evaluation pairs:
 *
 * - An aside about the asker or the asking that is a clause of its own ("not sure if you can help with this",
 *   "this might sound silly", "I never really got it", "would be hugely grateful", "nothing urgent"): a negation
 *   or a modal inside it says nothing of the question. It goes where it fills the clause, or where "but" or a
 *   question follows it. An aside with content stays: "I'm not sure it's safe", "I never use sugar", "I never got
 *   it" (received: "got" reads as understanding only after "really", "quite", "fully").
 * - "how'd", "what'd", "where'd" before a subject in the third person and a bare verb ("how'd the Romans build
 *   aqueducts") is "did"; before "I", "you", "we" ("how'd you do it") or in a clause with "if" it stays "would".
 * - Permission asked in the first person ("am I allowed to", "am I permitted to", "are we allowed to") is what
 *   "may I" asks. "can I" stays: it may ask whether a thing is possible ("can I run Docker on Windows").
 * - A title that closes on a participle ("Compound interest explained") asks what "explain compound interest" asks.
 */

const w = (c: readonly Word[], k: number): string | undefined => (c[k]?.kind === "word" ? c[k]!.w : undefined);
const made = (x: string): Word => ({ w: x, s: "", kind: "word" });

/** Open a question: a wh-word or an auxiliary put first. */
const QUESTION = new Set(
  "what why when where who whom whose which how whether do does did can could should would will is are was were have has may must".split(
    " ",
  ),
);
/** Words that may close an aside without content: "I never really got it tbh". */
const CLOSING = new Set("tbh honestly though either lol haha".split(" "));
/** Degree adverbs inside an aside ("never really", "hugely grateful"). */
const DEGREE = new Set("really actually quite fully ever still truly so very super most".split(" "));
/** Verbs of understanding, with a pronoun for object: the asker does not know what the question asks. */
const KNOWING = new Set("know knew understand understood grasp grasped follow followed".split(" "));
/** How a question may be said to sound or be: "this might sound silly", "this may be a dumb question". */
const SOUNDS = new Set("silly dumb stupid obvious basic naive weird strange odd".split(" "));
/** What an aside about not knowing may have as object: the question's own topic, by a pronoun. */
const OBJECTS = [["it"], ["this"], ["that"], ["what", "it", "is"], ["what", "it", "means"], ["how", "it", "works"]];

type Slot = (c: readonly Word[], k: number) => number;
/** A slot that matches one of the words, or (optional) nothing. */
const one =
  (words: string, optional = false): Slot =>
  (c, k) =>
    words.split(" ").includes(w(c, k) ?? "\u0000") ? 1 : optional ? 0 : -1;
/** Any number of degree adverbs, or words in -ly ("hugely", "eternally"). */
const degree: Slot = (c, k) => {
  let n = 0;
  const adverb = (x: string) => DEGREE.has(x) || (/^[a-z]{3,}ly$/.test(x) && !SOUNDS.has(x));
  while (adverb(w(c, k + n) ?? "")) n++;
  return n;
};
const object: Slot = (c, k) => OBJECTS.find((o) => o.every((x, j) => w(c, k + j) === x))?.length ?? -1;
const inSet =
  (set: Set<string>): Slot =>
  (c, k) =>
    set.has(w(c, k) ?? "") ? 1 : -1;
/** "never", "do not", "have never", "still do not". */
const negated: Slot = (c, k) => {
  let n = w(c, k) === "still" ? 1 : 0;
  if (/^(do|did|have|had)$/.test(w(c, k + n) ?? "")) n++;
  if (w(c, k + n) === "still") n++;
  return /^(not|never)$/.test(w(c, k + n) ?? "") ? n + 1 : -1;
};
/** "got it" as understanding: only after a degree adverb ("never really got it"); "I never got it" says it was not received. */
const gotIt: Slot = (c, k) => (DEGREE.has(w(c, k - 1) ?? "") && /^(get|got|gotten)$/.test(w(c, k) ?? "") ? 1 : -1);

/** "for ages", "for a while", "for years", or nothing. */
const lasting: Slot = (c, k) =>
  w(c, k) !== "for" ? 0 : w(c, k + 1) === "ages" || w(c, k + 1) === "years" ? 2 : w(c, k + 1) === "a" && w(c, k + 2) === "while" ? 3 : 0;

const ASIDES: Slot[][] = [
  // "(I'm) not sure if you can help (me) (with this)".
  [one("i", true), one("am", true), one("not"), one("sure"), one("if whether"), one("you anyone"), one("can could"), one("help")],
  // "(I'm) not sure", "I'm unsure": alone, or before "but".
  [one("i", true), one("am", true), one("not"), one("sure")],
  [one("i", true), one("am", true), one("unsure")],
  // "this might sound silly", "it may seem a bit dumb"; "this is probably a stupid question" ("it is basic" is about it).
  [one("this it"), one("might may will could", true), one("sound seem"), degree, one("a", true), inSet(SOUNDS), one("question", true)],
  [one("this it"), one("might may", true), one("be is"), degree, one("a"), inSet(SOUNDS), one("question")],
  // "I never really understood it", "I do not actually know what it means", "I never really got it".
  [one("i"), negated, degree, (c, k) => Math.max(inSet(KNOWING)(c, k), gotIt(c, k)), object],
  // "(I) would be (hugely) grateful", "would be forever thankful".
  [one("i", true), one("would"), one("be"), degree, one("grateful thankful")],
  // "I hope this isn't a dumb question", "I've been meaning to ask this (for ages)", "let me think how to put this".
  [one("i"), one("hope"), one("this it"), one("is"), one("not"), one("a"), inSet(SOUNDS), one("question")],
  [one("i"), one("have", true), one("been"), one("meaning wanting"), one("to"), one("ask"), one("you", true), one("this", true), lasting],
  [one("let"), one("me"), one("think see"), one("how"), one("to"), one("phrase put word say"), one("this it")],
  // "I really need help", "please help", "sorry to be a pain": a plea with nothing of its own ("help with my taxes" has).
  [one("i"), degree, one("need"), one("some", true), one("help")],
  [one("please"), one("help")],
  [one("sorry"), one("to"), one("be"), one("a"), one("pain nuisance bother")],
  // "nothing urgent", "no rush": before a question in the same clause ("nothing urgent: how often ...").
  [one("nothing no"), one("urgent rush hurry pressure")],
];
/** After the help asked for: "(me) (with this|with that|here)". */
const HELP_TAIL: Slot[] = [one("me", true), one("with", true), one("this that it here", true)];

/** Matches slots at k: the words covered, or -1. */
function fits(c: readonly Word[], k: number, slots: readonly Slot[]): number {
  let n = 0;
  for (const slot of slots) {
    const m = slot(c, k + n);
    if (m < 0) return -1;
    n += m;
  }
  return n;
}

/**
 * The number of words at k (a clause start, after its markers) that make an aside about the asking, with the "but"
 * after it; or 0. The aside must fill the clause (up to a closing "tbh"), or stand before "but" or a question.
 */
function asideAt(c: readonly Word[], k: number): number {
  for (const slots of ASIDES) {
    let n = fits(c, k, slots);
    if (n < 0) continue;
    if (slots === ASIDES[0]) n += fits(c, k + n, HELP_TAIL);
    let end = k + n;
    while (CLOSING.has(w(c, end) ?? "")) end++;
    if (end >= c.length) return end - k;
    if (w(c, k + n) === "but") return n + 1;
    if (QUESTION.has(w(c, k + n) ?? "")) return n;
  }
  return 0;
}

/**
 * The clause c, read from s (after its markers), without an aside that opens it, or with its frames read (readFrames);
 * c itself when neither applies. Each change shortens the clause or reads a frame away, so reading again ends.
 */
export function hedge(c: Word[], s: number): Word[] {
  const aside = asideAt(c, s);
  if (aside > 0) return c.slice(s + aside);
  const framed = readFrames(c.slice(s));
  return framed.length === c.length - s && framed.every((x, k) => x === c[s + k]) ? c : [...c.slice(0, s), ...framed];
}

/** Subjects after "how'd" that make it "how would": the asker, the assistant, or a hypothetical "one". */
const HYPOTHETICAL = new Set(["i", "you", "we", "one"]);
/** A clause with these is counterfactual: "what'd the world look like without oil" is "would". */
const COUNTERFACTUAL = new Set("if unless without otherwise suppose supposing instead".split(" "));

/**
 * The clause with "how'd/what'd/where'd" read as "did" where a third-person subject and a bare verb follow
 * ("how'd the Romans build aqueducts"), "allowed to" read as "may", and a title on "explained" read as a request.
 */
function readFrames(c: Word[]): Word[] {
  const first = w(c, 0);
  if (first === undefined) return c;
  // "what actually is X": the adverb, dropped anywhere (IGNORED), must not stand inside the frame "what is".
  if (QUESTION.has(first) && /^(actually|exactly|basically)$/.test(w(c, 1) ?? "") && QUESTION.has(w(c, 2) ?? ""))
    return readFrames([c[0]!, ...c.slice(2)]);
  // "how'd": the wh-word keeps the contraction as written; "would" has no surface.
  if (
    w(c, 1) === "would" &&
    c[1]!.s === "" &&
    /'d$/i.test(c[0]!.s) &&
    !HYPOTHETICAL.has(w(c, 2) ?? "") &&
    !c.some((x) => COUNTERFACTUAL.has(x.w))
  )
    for (let k = 3; k <= 6 && w(c, k) !== undefined; k++) {
      // A verb in its base form after a subject of determiners and nouns; the lexicon reads some as nouns ("move"),
      // taken as verbs after a plural or a name ("the Egyptians move").
      const x = w(c, k)!;
      const tags = lexiconTags(x);
      const afterHead = lexiconTags(w(c, k - 1) ?? "").includes("Plural") || /^\p{Lu}/u.test(c[k - 1]!.s);
      const ambiguous = tags.every((t) => t === "Singular") && afterHead && !/([^s]s|ed|ing|ly)$/.test(x) && !/^\p{Lu}/u.test(c[k]!.s);
      if (!tags.includes("Infinitive") && !ambiguous) continue;
      // "what'd the world be like", "how'd they have known": "did" takes neither.
      if (x !== "be" && x !== "have" && c.slice(2, k).every(subjectWord)) return [c[0]!, made("did"), ...c.slice(2)];
      break;
    }
  // "am I allowed to", "are we permitted to": "may I".
  const at = c.findIndex(
    (x, k) => /^(am|are)$/.test(x.w) && /^(i|we)$/.test(w(c, k + 1) ?? "") && /^(allowed|permitted)$/.test(w(c, k + 2) ?? ""),
  );
  if ((at === 0 || (at === 1 && QUESTION.has(first))) && w(c, at + 3) === "to")
    return [...c.slice(0, at), made("may"), c[at + 1]!, ...c.slice(at + 4)];
  // "Compound interest explained": a noun phrase, then the participle; no verb, pronoun or question word before it.
  const last = c.length - 1;
  if (last >= 1 && w(c, last) === "explained" && c.slice(0, last).every(nominal)) return [made("explain"), ...c.slice(0, last)];
  return c;
}

/** A word of a subject: a determiner, a pronoun in the third person, a name or a noun. */
const subjectWord = (x: Word): boolean =>
  x.kind === "word" &&
  !QUESTION.has(x.w) &&
  !HYPOTHETICAL.has(x.w) &&
  !lexiconTags(x.w).some((t) => /Tense|Modal|Auxiliary|Infinitive/.test(t));

/** A word of a noun phrase: no auxiliary, pronoun, question word or verb in a tense. */
function nominal(x: Word): boolean {
  if (x.kind === "value") return true;
  if (
    x.kind !== "word" ||
    QUESTION.has(x.w) ||
    HYPOTHETICAL.has(x.w) ||
    /^(he|she|they|it|my|your|our|his|her|their|me|him|them|us)$/.test(x.w)
  )
    return false;
  return !lexiconTags(x.w).some((t) => /PastTense|PresentTense|Modal|Auxiliary|Pronoun|Person/.test(t));
}
