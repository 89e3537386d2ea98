import { kindOf } from "./guard-kinds.js";
import { senses } from "./guard-synonyms.js";
import { wordnetDict } from "./guard-wordnet.js";

/*
 * Acronyms and the words they stand for (docs/caching.md "Fifth round"). An acronym's letters are the initials
 * of its content words; the small words between them give none ("ETA": estimated time of arrival; "ENT": ear,
 * nose and throat). Never a letter: "DOE" would then be the Department of Energy and of Education alike.
 * Tense and number markers are no letters either.
 */
const CONNECTIVES = new Set(["of", "and", "for", "the", "in", "on", "to"]);
const MARKERS = new Set(["PAST", "PLURAL", "BARE"]);

/** Initials of a word written in camel case ("JavaScript" is "js"), or of the word itself. */
export const initials = (surface: string, token: string): string =>
  /^(\p{Lu}\p{Ll}+){2,}$/u.test(surface) ? (surface.match(/\p{Lu}/gu) ?? []).join("").toLowerCase() : (token[0] ?? "");

/**
 * Where the words of Y from `start` spell `letters` (each content word its initials, a connective nothing and
 * never first or last), the index just past them; otherwise -1. `free` says which words may be read.
 */
export function spelledOut(
  letters: string,
  start: number,
  Y: readonly string[],
  sy: readonly string[],
  free: (k: number) => boolean,
): number {
  const go = (k: number, at: number, first: boolean): number => {
    if (at === letters.length) return k > start && !CONNECTIVES.has(Y[k - 1]!) ? k : -1;
    if (k >= Y.length || !free(k) || k - start > 12) return -1;
    const t = Y[k]!;
    if (MARKERS.has(t) && !first) return go(k + 1, at, false);
    if (CONNECTIVES.has(t) && !first) return go(k + 1, at, false);
    if (kindOf(t) !== "content") return -1;
    const i = initials(sy[k]!, t);
    return letters.startsWith(i, at) ? go(k + 1, at + i.length, false) : -1;
  };
  return go(start, 0, true);
}

/**
 * Whether two letters may stand for these words. Two letters have many readings ("AI" is artificial intelligence
 * and artificial insemination, "PM" a project manager and a prime minister, "ML" a millilitre): where WordNet
 * knows the letters, they stand only for the words of one of their senses, and only if no other sense is another
 * phrase of the same initials; letters WordNet does not know are read by their initials ("JS").
 */
export function twoLettersMean(letters: string, words: readonly string[]): boolean {
  const d = letters.length > 2 ? null : wordnetDict();
  if (d === null) return true;
  const synsets = senses(d, letters, "n").map((o) => {
    const line = d.data.n
      .toString("latin1", Number(o), Number(o) + 600)
      .split("\n")[0]!
      .split(" ");
    return Array.from({ length: Number.parseInt(line[3] ?? "0", 16) }, (_, k) => (line[4 + 2 * k] ?? "").toLowerCase());
  });
  if (synsets.length === 0) return true;
  const phrase = words.map((w) => w.toLowerCase()).join("_");
  const spelt = synsets.filter((lemmas) => lemmas.some((l) => l.includes("_") && l !== letters));
  return synsets.some((lemmas) => lemmas.includes(phrase)) && spelt.length <= 1;
}

/** An acronym as written: two to six capitals, maybe a plural "s" ("GDP", "ENT", "CEOs"). */
export const acronymLetters = (surface: string): string | undefined =>
  /^\p{Lu}{2,6}s?$/u.test(surface) ? surface.replace(/s$/, "").toLowerCase() : undefined;

/**
 * An acronym defined where it is used ("gross domestic product (GDP)", "ear, nose and throat (ENT)"): the
 * words just before it that spell it are its gloss, not a qualifier, and the pair reads as the acronym alone.
 */
export function collapseGlosses(X: string[], sx: string[]): void {
  for (let i = X.length - 1; i > 0; i--) {
    const letters = acronymLetters(sx[i]!);
    if (letters === undefined) continue;
    for (let start = Math.max(0, i - 12); start < i; start++) {
      if (spelledOut(letters, start, X, sx, (k) => k < i) !== i) continue;
      X.splice(start, i - start);
      sx.splice(start, i - start);
      i = start;
      break;
    }
  }
}
