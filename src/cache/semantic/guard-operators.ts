/*
 * Operators written in prose (docs/caching.md "The structural guard"): "what does ?. do" and "what does ?? do"
 * ask about two operators, yet both are made only of characters the tokeniser reads as sentence punctuation.
 * A run of such characters is an operator, compared exactly like any other symbol, when it stands where
 * prose punctuation does not: glued between two words ("a?.b", "std::move") or before one ("!!x"), alone between spaces ("?.",
 * "::", ";;", "x ?? y"), or, for a single mark, an ellipsis or dashes, alone where a thing is named ("what
 * does ... do", "the - operator", "between -- and -"). Prose punctuation still goes: a dash or dashes
 * between clauses, an ellipsis, a "?!" that ends its line, a comma or full stop.
 */

/** Runs prose writes standing alone between clauses: an ellipsis or dashes. */
const PROSE = /^(?:\.+|[-–—]+)$/;
/** A word before a mark that names it: "what does ?? do", "the ... operator", "use ::", "?? vs ?.", "between ?? and ?.". */
const NAMING_BEFORE = /(?:^|[^\p{L}])(?:does|do|did|the|an?|use|using|vs|versus|between|and|or)\s+$/iu;
/** A word after a mark that names it: "-- means", "... operator", "?? syntax". */
const NAMING_AFTER = /^\s+(?:mean|means|meant|operators?|syntax|sign|symbol|flag|option)(?![\p{L}])/iu;

const wordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_)\]]/u.test(c);
const space = (c: string | undefined): boolean => c === undefined || /\s/.test(c);

/**
 * Whether the run of symbols `sym` at `at` in `text`, which the tokeniser would read as sentence punctuation,
 * is an operator, kept as a symbol. Looks at most 40 characters either side.
 */
export function operatorAt(text: string, at: number, sym: string): boolean {
  const bare = sym.replace(/["'…]/g, "");
  return bare !== "" && /^[-–—.,!?;:]+$/.test(bare) && isOperator(text, at, sym, bare);
}

/** A word holding symbols that prose does not use inside words: an address, a path, a glob, an assignment. */
const TECHNICAL = /[@*/\\=$%#~|<>]|:\/\//;

/**
 * Inside or glued to the end of a technical word ("john..doe@example.com", "*.txt? match"), or after a
 * value being assigned ("x = 1, do"), punctuation belongs to what is written, unless it ends the line.
 */
function inTechnicalWord(text: string, at: number, sym: string): boolean {
  const end = at + sym.length;
  if (/^[^\S\n]*(?:\n|$)/.test(text.slice(end, end + 40))) return false;
  const start = text.slice(Math.max(0, at - 60), at).search(/\S*$/);
  const word = text.slice(Math.max(0, at - 60), at).slice(start) + sym + (text.slice(end, end + 60).match(/^\S*/)?.[0] ?? "");
  if (TECHNICAL.test(word)) return true;
  return sym === "," && /(?:^|\s)[\p{L}_][\p{L}\p{N}_]*\s*=\s*\S+$/u.test(text.slice(Math.max(0, at - 40), at));
}

function isOperator(text: string, at: number, sym: string, bare: string): boolean {
  const prev = text[at - 1];
  const next = text[at + sym.length];
  if (!space(prev) && inTechnicalWord(text, at, sym)) return true;
  // Glued, an ellipsis or dashes are still prose ("wait...what", "this--that").
  if (wordChar(prev) && /[\p{L}\p{N}_([]/u.test(next ?? "")) return bare.length >= 2 && !PROSE.test(bare);
  // Glued before a word after a space, it is a prefix operator ("!!x", "!x", ":wq", "?.length"); a comma or
  // semicolon there is a slip of spacing ("red ,green") and an ellipsis or dashes are prose ("...and then").
  if ((space(prev) || prev === "(") && /[\p{L}\p{N}_$]/u.test(next ?? "")) return !/^[,;]$/.test(bare) && !PROSE.test(bare);
  if (!space(prev) || !space(next)) return false;
  const before = text.slice(Math.max(0, at - 12), at);
  const after = text.slice(at + sym.length, at + sym.length + 40);
  if (NAMING_BEFORE.test(before) || NAMING_AFTER.test(after)) return true;
  if (bare.length < 2 || PROSE.test(bare)) return false;
  // A run of ? and ! that ends its line closes a question however it is spaced ("really ?!").
  return !(/^[?!]+$/.test(bare) && /^[^\S\n]*(?:\n|$)/.test(after));
}
