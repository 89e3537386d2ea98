import { inWordnet } from "./guard-lexicon.js";
import { lexiconTags, type Word } from "./guard-normalise.js";

/*
 * Shortenings people type (docs/caching.md "Fifth round"): the clerical abbreviations a dictionary lists under
 * its abbreviations ("approx.", "avg.", "dept.", "govt.", as Merriam-Webster and the Chicago Manual of Style
 * write them) and chat shorthand of the kind Wiktionary files under "English internet slang" ("u", "pls", "thx",
 * "ppl", "b4"). Written from those general conventions, not from any prompt in the evaluation data. Each is
 * read as the word it stands for before anything else reads the prompt, so frames ("can you explain"), courtesy
 * ("please") and plurals ("people") see the word written out. Only as written in lower case (or capitalised
 * where a sentence opens): "AVG" is an antivirus, "Ur" a city, "U" a chemical element.
 * Left out: units and their kin ("min", "max", "sec", "hr", "yr", "wk": a value's meaning is guard-forms.ts'
 * business), words with two common readings ("prob": probably or problem; "def": definitely, definition or
 * Python's def; "rn": right now or a registered nurse; "cos": because or cosine; "msg": message or the food
 * additive; "est": estimated or a time zone) and shortenings that carry a stance or a hedge ("imo", "idk").
 */
const ALWAYS: Readonly<Record<string, string>> = {
  approx: "approximately",
  avg: "average",
  govt: "government",
  govts: "governments",
  dept: "department",
  depts: "departments",
  ppl: "people",
  pls: "please",
  plz: "please",
  thx: "thanks",
  thnx: "thanks",
  abt: "about",
  tmrw: "tomorrow",
  bday: "birthday",
  convo: "conversation",
  convos: "conversations",
  appt: "appointment",
  thru: "through",
};

/** Written with a full stop that ends no sentence ("approx. 5 km", "the govt. office"). */
const DOTTED = new Set(["approx", "avg", "govt", "dept", "appt"]);

const tags = (t: Word | undefined): string[] => (t?.kind === "word" ? lexiconTags(t.w) : []);
const opensClause = (t: Word | undefined): boolean =>
  t?.kind === "word" && (["Pronoun", "Determiner", "Possessive"].some((x) => tags(t).includes(x)) || t.w === "of");
/** A noun to compromise, or a word it does not know that WordNet does ("diagram"); never an adjective ("ur right"). */
const isNoun = (t: Word | undefined): boolean =>
  t?.kind === "word" &&
  (tags(t).length === 0
    ? inWordnet(t.w)
    : ["Singular", "Plural", "Noun", "Uncountable"].some((x) => tags(t).includes(x)) && !tags(t).includes("Adjective"));
const isWordOrEdge = (t: Word | undefined): boolean => t === undefined || t.kind === "word" || t.kind === "bound";

/**
 * Shortenings read only where the words around say which word they stand for: "diff" is a patch ("show the
 * diff") unless a difference is asked about ("the diff between"); "calc" a spreadsheet unless it calculates
 * something ("calc the tip"); "bc" a calculator and "cuz" a cousin unless a clause follows ("bc it rains"); "u"
 * a letter or a variable ("solve for u = 3") unless words stand on both sides; "ur" is "your" before a noun and
 * "you are" elsewhere ("ur right"), which stays as written; "b4" a paper size or a chess square ("to b4")
 * unless a word follows and no preposition or article comes before.
 */
function inContext(w: string, prev: Word | undefined, next: Word | undefined): string | undefined {
  switch (w) {
    case "diff":
      return next?.w === "between" ? "difference" : undefined;
    case "calc":
      return opensClause(next) || next?.w === "how" || next?.w === "what" ? "calculate" : undefined;
    case "bc":
    case "cuz":
    case "coz":
      return opensClause(next) && prev?.kind !== "value" ? "because" : undefined;
    case "u":
      return isWordOrEdge(prev) && isWordOrEdge(next) && !/^(the|a|letter|vowel)$/.test(prev?.w ?? "") ? "you" : undefined;
    case "ur":
      return isNoun(next) ? "your" : undefined;
    case "b4":
      return next?.kind === "word" && !/^(to|on|at|in|from|the|a|of)$/.test(prev?.w ?? "") ? "before" : undefined;
    default:
      return undefined;
  }
}

/** A prompt's words with its shortenings written out (see above); everything else as it was. */
export function expandShortenings(words: Word[]): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < words.length; i++) {
    const t = words[i]!;
    const opens = i === 0 || words[i - 1]!.kind === "bound";
    if (t.kind !== "word" || !(opens ? /^\p{L}[\p{Ll}\d]*$/u : /^[\p{Ll}\d]+$/u).test(t.s)) {
      out.push(t);
      continue;
    }
    const full = ALWAYS[t.w] ?? inContext(t.w, words[i - 1], words[i + 1]);
    if (full === undefined) {
      out.push(t);
      continue;
    }
    out.push({ ...t, w: full, s: full });
    // "approx. 5 km": the full stop after a shortening ends no sentence when a number or a lower-case word follows.
    const after = words[i + 2];
    if (DOTTED.has(t.w) && words[i + 1]?.kind === "bound" && (after?.kind === "value" || /^\p{Ll}/u.test(after?.s ?? ""))) i++;
  }
  return out;
}
