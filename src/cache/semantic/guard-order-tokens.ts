import { lemma, lexiconTags } from "./guard-normalise.js";
import { NEGATIONS } from "./guard-words.js";

/* The words of a prompt as the canonical order reads them (guard-coordination.ts), and their shapes. */

export const words = (s: string): Set<string> => new Set(s.trim().split(/\s+/));

export const COORDINATING = words("and or vs versus");
export const FUNCTION = words(`the a an of to from in on at for with without by about over under between than as like via per
  my your our their his her its this that these those some any all no each every both either neither not i you we they he she it
  me us them him what how why when where which who whom whose whether if is are am was were be do does did can could should
  would will must may might shall`);
export const SUBJECTS = words("i we you he she they it my our your his her their the this that there");
export const SUBORDINATE = words(`if when while because that which who whom whose where whether although though unless until since so
  whereas`);
export const WH = words("what how why when where which who whose whom");
/** Before a list, these make it the predicate of a clause (steps, where "and" is a sequence): "how do I peel and boil". */
export const PREDICATE_SLOT = words("to i you we they he she it can could should would will must may might shall please");

export const NUMBER = /^(\d|one$|two$|three$|four$|five$|six$|seven$|eight$|nine$|ten$|hundred|thousand|million|half$|twice$)/;

export interface Tok {
  w: string;
  s: string;
  /** Its shape, once read: lists are compared many times over. */
  k?: string;
}

export const isPunct = (t: Tok | undefined): boolean => t === undefined || /^[,:;.?!—–-]$/.test(t.w);
export const tagsOf = (w: string): string => `${lexiconTags(w).join(" ")} ${lexiconTags(lemma(w).lemma).join(" ")}`;
export const negated = (ts: readonly Tok[]): boolean => ts.some((t) => NEGATIONS.has(t.w) || /n't$/.test(t.w));

/** A word's class for comparing the shapes of conjuncts: function words as themselves. */
export const shape = (t: Tok): string => (t.k ??= readShape(t));

function readShape(t: Tok): string {
  if (isPunct(t)) return ",";
  if (NUMBER.test(t.w)) return "#";
  // A possessive belongs to the phrase after it: "Alice and Bob's house" has no list of two names.
  if (/'s?$|’s?$/.test(t.w)) return "P";
  if (t.w === "an") return "a";
  // Written in capitals, a word is a name or a keyword ("WHERE", "HAVING", "IT").
  if (/^\p{Lu}{2,}$/u.test(t.s)) return "N";
  if (FUNCTION.has(t.w) || COORDINATING.has(t.w)) return t.w;
  const tags = tagsOf(t.w);
  if (/Gerund/.test(tags)) return "G";
  if (/Infinitive|PresentTense|PastTense|Participle|Modal|Copula|Auxiliary/.test(tags)) return "V";
  if (/Adjective|Comparative|Superlative/.test(tags)) return "J";
  return "N";
}
