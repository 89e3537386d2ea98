import { lemma, lexiconTags, type Word } from "./guard-normalise.js";
import { explainShown, requestAt } from "./guard-requests.js";
import { typo } from "./guard-typo.js";

/*
 * Frames that ask for the same thing in other words (docs/caching.md "The structural guard"), read where a clause
 * starts, after contractions are expanded ("what's" is "what is", "I'd" is "i would"). Closed classes of English
 * grammar, not words of the evaluation pairs:
 *
 * - A request for a way to do something: "how do I V", "how can/could/would I V", "how to V", "tell/show/teach me
 *   how to V", "explain how to V", "tell me the (best|right...) (way|command|steps...) to V", "what is the way to V",
 *   "is there a way to V", "walk me through V-ing". All are one request, the one "how to V" names. "should" stays
 *   out: "how should I vote" asks advice on a choice, "how do I vote" the procedure; so do "might" and "will".
 *   Where V is itself a request to produce text ("write", "translate", "summarise"...), a how-to asks for a method
 *   and the bare imperative for the text ("how do I write a haiku" / "write a haiku"): the frame leaves "how".
 * - "explain" before a question or a noun phrase asks for what the question or "what is" asks ("explain why the
 *   sky is blue" / "why is the sky blue"); "explain how to V" is the how-to above.
 * - A request for a meaning: "what does X mean", "what is meant by X" are "the meaning of X" (what "what is the
 *   meaning of X" leaves), and "the term/word/phrase X" is X.
 * - Fillers that frame a question without content ("I was wondering", "just curious", "quick question"), at the
 *   start of a clause or standing alone as one; and "for me" closing a request ("summarise this for me").
 */

/** Helping verbs after "how" that leave a how-to request as it is; "should", "might", "will" change it. */
const HOW_MODALS = new Set(["do", "does", "can", "could", "would"]);
/** Who does it in a how-to: the asker, the assistant, or anyone. */
const DOERS = new Set(["i", "you", "we", "one"]);
/** What a how-to asks for, named: "the way to", "the command to", "the steps to". */
const METHODS = new Set(["way", "command", "steps", "procedure", "process", "method"]);
/** Adjectives that leave a method as it is: the answer to "how do I" is the right way. */
const PLAIN_METHOD = new Set(["best", "right", "correct", "proper", "usual", "standard"]);
/** Verbs of telling and showing that ask for a how-to or an answer: "tell me how", "show us the way to". */
const TELLING = new Set(["tell", "show", "teach", "explain", "give", "list", "describe"]);
/** "walk me through", "talk me through", "take us through", "guide me through". */
const THROUGH = new Set(["walk", "talk", "take", "guide"]);
/** Verbs whose imperative asks the assistant for a text, where a how-to asks for a method instead. */
const TEXT_VERBS = new Set(
  `write draft compose translate summarize rewrite rephrase paraphrase proofread edit describe explain answer reply respond
  outline critique review`.split(/\s+/),
);
/** Other requests that may close on their asker ("find a recipe for me"). */
const REQUESTS = new Set(
  "give show tell find make create generate suggest recommend list check fix calculate convert pick choose".split(" "),
);
/** Open a question that "explain" may stand before. */
const WH = new Set(["what", "why", "when", "where", "who", "whether", "which", "how"]);
/** Words for the thing a meaning is asked of: "the term 'opportunity cost'", "the phrase 'per se'". */
const TERM_NOUNS = new Set(["term", "word", "phrase", "expression", "acronym", "abbreviation", "idiom", "saying"]);

/**
 * Fillers: closed class of discourse that frames a question and adds nothing. Those marked "alone" go only when
 * they stand as a clause of their own ("Quick question, ..."), the others also before content ("I was wondering
 * how ..."), where an "if"/"whether" after them goes too ("I wonder if I can ..." is "can I ...").
 */
const FILLERS: [string[], "alone" | "before"][] = (
  [
    ["quick question", "alone"],
    ["a quick question", "alone"],
    ["just a quick question", "alone"],
    ["random question", "alone"],
    ["silly question", "alone"],
    ["dumb question", "alone"],
    ["stupid question", "alone"],
    ["simple question", "alone"],
    ["honest question", "alone"],
    ["genuine question", "alone"],
    ["i have a question", "alone"],
    ["i have a quick question", "alone"],
    ["quick one", "alone"],
    ["real quick", "alone"],
    ["curious", "alone"],
    ["wondering", "alone"],
    ["just wondering", "before"],
    ["just curious", "before"],
    ["i am curious", "before"],
    ["i am just curious", "before"],
    ["i was curious", "before"],
    ["out of curiosity", "before"],
    ["just out of curiosity", "before"],
    ["i was wondering", "before"],
    ["i was just wondering", "before"],
    ["i am wondering", "before"],
    ["i wonder", "before"],
    ["i want to know", "before"],
    ["i would like to know", "before"],
    ["i would love to know", "before"],
    ["i need to know", "before"],
  ] as [string, "alone" | "before"][]
)
  .map(([f, where]) => [f.split(" "), where] as [string[], "alone" | "before"])
  .sort((a, b) => b[0].length - a[0].length);

/** Open a question: a wh-word or an auxiliary put first. */
const QUESTION_OPENERS = new Set(
  "what why when where who whom whose which how whether do does did can could should would will is are was were have has may must".split(
    " ",
  ),
);

const FILLER_STARTS = new Set(FILLERS.map(([f]) => f[0]!));

const HOW: Word = { w: "how", s: "", kind: "word" };

/**
 * How many words at i (a clause start) only frame the request, or 0; a frame that must leave a word ("how"
 * before a text verb, "meaning of" for "what does X mean") is rewritten in `words` in place and -1 returned, so
 * that the caller reads the words at i again.
 */
export function reframe(words: Word[], i: number): number {
  // "one" was read as a number; in "how does one" it is a person.
  const w = (k: number): string | undefined => {
    const x = words[i + k];
    return x?.kind === "word" ? x.w : x?.kind === "value" && x.s.toLowerCase() === "one" ? "one" : undefined;
  };
  if (w(0) === undefined) return 0;
  const filler = fillerAt(words, i);
  if (filler > 0) return filler;
  dropForMe(words, i);
  if (explainShown(words, i) || meaningAt(words, i)) return -1;
  const how = howTo(w);
  if (how !== undefined) {
    const verb = w(how);
    if (verb === undefined || !isVerb(verb)) return 0;
    // "how would I write a query for ...", "how would you word this" ask for the text itself: the plain request.
    const conditional = w(0) === "how" && w(1) === "would";
    if (!conditional && TEXT_VERBS.has(lemma(verb).lemma)) {
      words.splice(i, how, HOW);
      return -1;
    }
    return how;
  }
  if (requestAt(words, i) < 0) return -1;
  // "explain why ...", "explain to me what ...", "explain the difference between ...": what is asked stays.
  if (w(0) === "explain" || (/^ex[a-z]{4,6}$/.test(w(0)!) && typo("explain", w(0)!, "explain", words[i]!.s))) {
    const to = w(1) === "to" && (w(2) === "me" || w(2) === "us") ? 2 : 0;
    const next = words[i + 1 + to];
    if (next === undefined || next.kind === "bound" || (next.w === "how" && w(2 + to) === "to")) return 0;
    if (WH.has(next.w)) indirect(words, i + 1 + to);
    return 1 + to;
  }
  return 0;
}

/** A word the lexicon can read as a verb, or an unknown word: a how-to frame must stand before its verb. */
const isVerb = (v: string): boolean => /^[a-z]+$/.test(v) && !WH.has(v) && !DOERS.has(v) && v !== "the" && v !== "a";

/** The number of words of a how-to frame at the start of w, the verb after it being w(n), or undefined. */
function howTo(w: (k: number) => string | undefined): number | undefined {
  // "how do I V", "how can we V", "how would one go about V-ing".
  if (w(0) === "how" && HOW_MODALS.has(w(1) ?? "") && DOERS.has(w(2) ?? ""))
    return w(3) === "go" && w(4) === "about" ? 5 : w(3) === "be" && w(4) === "able" && w(5) === "to" ? 6 : 3;
  if (w(0) === "how" && w(1) === "to") return 2;
  let k = 0;
  // "tell me", "show us", "explain to me", "walk me through".
  if (TELLING.has(w(0) ?? "")) {
    k = 1;
    if (w(1) === "to" && (w(2) === "me" || w(2) === "us")) k = 3;
    else if (w(1) === "me" || w(1) === "us") k = 2;
    const after = w(k) === "how" ? howTo((j) => w(k + j)) : undefined;
    if (after !== undefined) return k + after;
    if (w(k) === "how" && DOERS.has(w(k + 1) ?? "") && !DOERS.has(w(k + 2) ?? "")) {
      // "tell me how I can V", "show me how you V".
      const modal = HOW_MODALS.has(w(k + 2) ?? "") ? 1 : 0;
      return k + 2 + modal;
    }
    return method(w, k);
  }
  if (THROUGH.has(w(0) ?? "") && (w(1) === "me" || w(1) === "us") && w(2) === "through") {
    if (w(3) === "how" && w(4) === "to") return 5;
    return /ing$/.test(w(3) ?? "") ? 3 : undefined;
  }
  // "what is the best way to V", "is there a way to V", "is there any command to V".
  if (w(0) === "what" && (w(1) === "is" || w(1) === "are")) return method(w, 2);
  if (w(0) === "the" || PLAIN_METHOD.has(w(0)!) || METHODS.has(w(0)!)) return method(w, 0);
  if (w(0) === "is" && w(1) === "there" && (w(2) === "a" || w(2) === "any")) {
    const n = METHODS.has(w(3) ?? "") && w(4) === "to" ? 5 : undefined;
    return n;
  }
  return undefined;
}

/** "(the) (best) way to V", "the command for V-ing", from w(k): the frame's length to the verb, or undefined. */
function method(w: (k: number) => string | undefined, at: number): number | undefined {
  const k = w(at) === "the" ? at + 1 : at;
  const adj = PLAIN_METHOD.has(w(k) ?? "") ? 1 : 0;
  if (!METHODS.has(w(k + adj) ?? "")) return undefined;
  const prep = w(k + 1 + adj);
  if (prep === "to") return k + 2 + adj;
  return prep === "for" && /ing$/.test(w(k + 2 + adj) ?? "") ? k + 2 + adj : undefined;
}

/** A filler at i, as long as it may stand there, with an "if"/"whether" after it; or 0. */
function fillerAt(words: Word[], i: number): number {
  if (!FILLER_STARTS.has(words[i]!.w)) return 0;
  for (const [f, where] of FILLERS) {
    if (!f.every((x, k) => words[i + k]?.kind === "word" && words[i + k]!.w === x)) continue;
    const after = words[i + f.length];
    if (after === undefined || after.kind === "bound") return f.length;
    // "Quick question: how ..." (a colon is no boundary): a filler that names a question may open one.
    if (where === "alone" && after.kind === "word" && f.includes("question") && QUESTION_OPENERS.has(after.w)) return f.length;
    if (where === "alone" || after.kind !== "word") continue;
    return after.w === "if" || after.w === "whether" ? f.length + 1 : f.length;
  }
  return 0;
}

/**
 * "what does X mean" and "what is meant by X" become "meaning of X", what "(what is) the meaning of X" reads as;
 * "the term X" is X there. X runs to the clause's end or a preposition, at most eight words.
 */
function meaningAt(words: Word[], i: number): boolean {
  const w = (k: number): string | undefined => (words[i + k]?.kind === "word" ? words[i + k]!.w : undefined);
  const at = (k: number) => words[i + k];
  const MEANING: Word[] = [
    { w: "meaning", s: "", kind: "word" },
    { w: "of", s: "", kind: "word" },
  ];
  const term = (k: number) => (w(k) === "the" && TERM_NOUNS.has(w(k + 1) ?? "") ? 2 : TERM_NOUNS.has(w(k) ?? "") ? 1 : 0);
  if (w(0) === "what" && w(1) === "is" && w(2) === "meant" && w(3) === "by") {
    words.splice(i, 4 + term(4), ...MEANING);
    return true;
  }
  // "the meaning of the term X" (after "what is" went).
  if ((w(0) === "meaning" || (w(0) === "the" && w(1) === "meaning")) && term(w(0) === "the" ? 3 : 2) > 0) {
    const of = w(0) === "the" ? 2 : 1;
    if (w(of) !== "of") return false;
    words.splice(i + of + 1, term(of + 1));
    return true;
  }
  if (w(0) !== "what") return false;
  // "what does X mean", and as an indirect question ("explain what X means").
  const aux = w(1) === "does" || w(1) === "do" ? 1 : 0;
  for (let k = 2 + aux; k <= 9 + aux; k++) {
    const x = at(k);
    if (x === undefined || x.kind === "bound") return false;
    if (x.w !== "mean" && (aux || x.w !== "means")) continue;
    const after = at(k + 1);
    if (after !== undefined && after.kind !== "bound" && !/^(in|to|for|on|at|when|here|there)$/.test(after.w)) return false;
    const skip = term(1 + aux);
    const subject = words.slice(i + 1 + aux + skip, i + k);
    if (subject.length === 0) return false;
    words.splice(i, k + 1, ...MEANING, ...subject);
    return true;
  }
  return false;
}

/** "summarise this for me", "write a limerick for me": a request that closes on its asker asks the same. */
function dropForMe(words: Word[], i: number): void {
  const first = words[i];
  if (first?.kind !== "word" || !(TEXT_VERBS.has(lemma(first.w).lemma) || REQUESTS.has(lemma(first.w).lemma))) return;
  let end = i + 1;
  while (end < words.length && words[end]!.kind !== "bound") end++;
  // "for us" may say how many ("book a table for us"); "for me" says nothing the request does not.
  if (end - i < 4 || words[end - 2]?.w !== "for" || words[end - 1]?.w !== "me") return;
  // Only after the request's object: "write a plan that works for me" asks for a plan that suits the asker.
  for (let k = i + 1; k < end - 2; k++) if (/^(that|which|who|where|to|for|with|works?|suits?|fits?)$/.test(words[k]!.w)) return;
  words.splice(end - 2, 2);
}

/**
 * An indirect question says its verb after its subject ("explain how a heat pump works"), where the direct one has
 * "does" and the bare verb ("how does a heat pump work"): a clause-final word in -s of a known base is read as
 * that base, after a subject ("how a heat pump works"), not straight after the question word.
 */
function indirect(words: Word[], start: number): void {
  let end = start + 1;
  while (end < words.length && words[end]!.kind !== "bound") end++;
  const last = words[end - 1]!;
  // "explain what a hash table is" asks "what is a hash table", which the "what is" frame leaves as "a hash table".
  if (words[start]!.w === "what" && /^(is|are)$/.test(last.w) && end - start > 2) {
    words.splice(end - 1, 1);
    words.splice(start, 1);
    return;
  }
  if (end - start < 3 || last.kind !== "word" || !/^[a-z]{3,}s$/.test(last.w) || /(ss|us|is)$/.test(last.w)) return;
  // "what causes tides": a verb straight after the question word is the verb, and the -s word its object.
  if (lexiconTags(words[start + 1]!.w).some((t) => /Tense|Infinitive|Gerund/.test(t))) return;
  const base = last.w.replace(/(?<=(?:sh|ch|x|z|o))es$|s$/, "");
  if (lexiconTags(base).length > 0) words[end - 1] = { ...last, w: base };
}

/**
 * "What is a future?", "what are futures": a question that asks what a term is asks about the word as
 * written, and a plural can be another term ("futures", "options", "customs"); its number counts.
 */
export function asksForDefinition(words: Word[]): boolean {
  const ws = words.filter((w) => w.kind !== "sym");
  const at = ws.findIndex((w, i) => /^(what|who)$/.test(w.w) && /^(is|are|was|were)$/.test(ws[i + 1]?.w ?? ""));
  if (at < 0) return false;
  const rest = ws.slice(at + 2).filter((w) => !/^(a|an|the)$/.test(w.w));
  const end = rest.findIndex((w) => w.kind === "bound");
  const subject = end < 0 ? rest : rest.slice(0, end);
  return subject.length >= 1 && subject.length <= 3 && subject.every((w) => w.kind === "word");
}
