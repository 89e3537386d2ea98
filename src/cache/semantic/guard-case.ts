import { kindOf } from "./guard-kinds.js";
import { wordnetCommon, wordnetName } from "./guard-lexicon.js";

/**
 * Case that carries meaning. The guard folds case (a prompt typed in lower case, in Title Case or shouted asks
 * the same), but some writing is notation, where a letter's case is what it says:
 * - a letter after a flag's "-", a format's "%", a regex's "\" or a "$" variable ("ls -r" / "ls -R",
 *   "%m" / "%M", "\d" / "\D", "$path" / "$PATH"), letters inside a bracket class ("[A-Z]" / "[a-z]"), and a
 *   date pattern of repeated letters ("yyyy-MM-dd", where MM is the month and mm the minute);
 * - a word quoted alone ("'polish'" / "'Polish'"): the quotes ask about the word as written;
 * - pasted data, a token mixing letters, digits and other symbols (a password "Tr0ub4dor&3", base64 "SGVsbG8=");
 * - an element-shaped pair of capitals against a capital and a small letter ("CO" / "Co", "HF" / "Hf"), where
 *   the small-letter form is no English word ("NO" / "No" may be a shouted or slipped "no": folded);
 * - a common word given a capital inside a sentence where a programming language is named ("True" in Python,
 *   "String" in Java): there it is an identifier, not a word. Not in a Title Case prompt.
 * Such tokens are read from the text as written, before the normaliser folds case and reads "-a" as the
 * article, "-i" as the pronoun, "%" as a percent and "$" as a currency. Notation is compared whole, as a
 * multiset of tokens; the last two rules compare a word both prompts have.
 */
export interface CaseMarks {
  /** Notation, as written: compared whole. */
  exact: string[];
  /** Pasted data and words quoted alone, as written: compared with the same token up to case on the other side. */
  data: string[];
  /** Letter-only words not opening a sentence, as written. */
  words: string[];
  /** A programming language is named. */
  named: boolean;
  /** Words of four letters or more, not opening a sentence and no language's name, with a capital and without. */
  capitals: number;
  small: number;
}

/** Programming languages and shells, by name: where they are named, a capitalised common word is an identifier. */
const LANGUAGES = new Set(
  (
    "python java javascript typescript js ts c c++ c# cpp csharp go golang rust ruby kotlin swift scala php perl haskell " +
    "bash zsh sh fish powershell sql lua dart elixir erlang clojure ocaml fortran cobol matlab julia groovy vba r"
  ).split(" "),
);

const NOTATION = [
  // A flag, a format specifier, an escape or a variable: the sign, then letters (a flag may have a second "-").
  /(?<=^|[\s(,;:"'])(?:--?|%|\\|\$)\p{L}[\p{L}\p{N}_-]*/gu,
  // A regex's bracket class with a range of letters ("[A-Z]+", "[^a-zA-Z0-9_]"), not an index ("df['a']").
  /\[[^\]\s'",]*\p{L}-\p{L}[^\]\s'",]*\][+*?]?/gu,
  // A date or time pattern: runs of one repeated letter joined by "-", "/", ":" or "." ("yyyy-MM-dd", "HH:mm").
  /(?<![\p{L}\p{N}])(\p{L})\1+(?:[-/:.](\p{L})\2*)+(?![\p{L}\p{N}])/gu,
];

/** A word quoted alone. */
const QUOTED = /(?<=^|[\s(])['"‘“]\p{L}+['"’”](?=$|[\s.,;:!?)])/gu;

/** Pasted data: letters, digits and a symbol that is not a word's joiner ("-", ".", "_", "'"), in one token. */
const DATA = /^(?=.*\p{L})(?=.*\p{N})(?=.*[^\p{L}\p{N}._'’-]).+$/u;

export function readCase(text: string): CaseMarks {
  // Code in backticks is written as it is without them ("`git clean -fdx`" / "git clean -fdx").
  const plain = text.replace(/`+/g, " ");
  const exact: string[] = [];
  for (const re of NOTATION) for (const m of plain.matchAll(re)) exact.push(m[0]);
  const data = [...plain.matchAll(QUOTED)].map((m) => m[0]);
  for (const t of plain.split(/\s+/)) {
    const token = t.replace(/^[("']+|[.,;:!?)"']+$/g, "");
    if (DATA.test(token)) data.push(token);
  }
  // A list pasted after a colon ("sort these: apple, Banana, cherry"): its items are data.
  const list = /:\s+([^:\n]*,[^:\n]*)$/.exec(plain.trim())?.[1];
  if (list !== undefined) for (const item of list.split(",")) data.push(item.trim());
  const words: string[] = [];
  let capitals = 0;
  let small = 0;
  let named = false;
  for (const sentence of plain.split(/[.!?:;\n]+\s/)) {
    const ws = sentence.split(/[\s,()"']+/).filter((w) => w !== "");
    for (const [i, w] of ws.entries()) {
      const lower = w.toLowerCase();
      if (LANGUAGES.has(lower)) named = true;
      // After a number a word is a unit symbol ("8 Gb"), whose case the unit reader judges (guard-forms.ts).
      if (i === 0 || !/^\p{L}+$/u.test(w) || /\d$/.test(ws[i - 1]!)) continue;
      words.push(w);
      if (w.length >= 4 && !LANGUAGES.has(lower)) /^\p{Lu}/u.test(w) ? capitals++ : small++;
    }
  }
  return { exact, data, words, named, capitals, small };
}

/** Why the case of two prompts' notation or words makes them ask different things, or undefined. */
export function caseDiffers(a: CaseMarks | undefined, b: CaseMarks | undefined): string | undefined {
  if (a === undefined || b === undefined) return undefined;
  const onlyA = without(a.exact, b.exact);
  const onlyB = without(b.exact, a.exact);
  if (onlyA.length > 0 || onlyB.length > 0) return `case: ${onlyA.join(" ") || "-"} / ${onlyB.join(" ") || "-"}`;
  for (const x of a.data) for (const y of b.data) if (x !== y && x.toLowerCase() === y.toLowerCase()) return `case: ${x} / ${y}`;
  for (const x of a.words)
    for (const y of b.words) {
      if (x === y || x.toLowerCase() !== y.toLowerCase()) continue;
      if (element(x, y) || element(y, x) || identifier(x, y, a) || identifier(y, x, b)) return `case: ${x} / ${y}`;
    }
  return undefined;
}

/** "CO" against "Co": two capitals against a chemical symbol's shape that is no English word ("No" is). */
const element = (x: string, y: string): boolean => /^\p{Lu}{2}$/u.test(x) && /^\p{Lu}\p{Ll}$/u.test(y) && !wordnetCommon(y.toLowerCase());

/** "True" against "true" where a language is named: a common word (not a name, not a language) given a capital. */
const identifier = (x: string, y: string, side: CaseMarks): boolean =>
  side.named &&
  // Not in Title Case: the word's own capital aside, no more words with capitals than without.
  side.capitals - 1 <= side.small &&
  /^\p{Lu}\p{Ll}+$/u.test(x) &&
  y === y.toLowerCase() &&
  !LANGUAGES.has(y) &&
  kindOf(y) === "content" &&
  wordnetCommon(y) &&
  !wordnetName(y);

/** The tokens of x that y has fewer of (a multiset difference). */
function without(x: readonly string[], y: readonly string[]): string[] {
  const left = [...y];
  return x.filter((t) => {
    const k = left.indexOf(t);
    if (k >= 0) left.splice(k, 1);
    return k < 0;
  });
}
