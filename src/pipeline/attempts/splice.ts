/**
 * Joins a continuation onto text a caller already has. A model asked to go on from a partial answer
 * often starts by repeating its last words ("brown fox" after "...quick brown"), or re-sends the
 * whitespace an Anthropic prefill had to drop; sent as they come, those would appear twice. The
 * splice holds the continuation's first characters until it can tell the longest overlap with the
 * end of what was delivered, trims it, and then passes the rest through unchanged.
 */
export interface Splice {
  /** The part of this piece of the continuation that the caller has not seen yet (possibly ""). */
  push(text: string): string;
  /** The continuation ended: whatever is still held, trimmed. */
  flush(): string;
}

/** How far back an overlap is looked for: a model repeats a few words, not a paragraph. */
export const OVERLAP_WINDOW = 200;

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/u.test(c);
// Scripts written without spaces between words: there, any character may begin a repeat.
const unspaced = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}]/u;
const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c) && !unspaced.test(c);
const isLow = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * Whether an overlap may begin at `p` of the delivered text: where a model would start repeating,
 * at a word's start or on whitespace or punctuation, never inside a word ("1" after "the 1" would
 * otherwise eat the second digit of "11") and never between the halves of a surrogate pair.
 */
function overlapMayStart(delivered: string, p: number): boolean {
  if (isLow(delivered.charCodeAt(p))) return false;
  return p === 0 || !isWordChar(delivered[p]) || !isWordChar(delivered[p - 1]);
}

/** Starts a splice after `delivered`, the text the caller has. */
export function createSplice(delivered: string): Splice {
  let tail = delivered.slice(-OVERLAP_WINDOW);
  // Never begin the window on the low half of a pair.
  if (tail.length > 0 && isLow(tail.charCodeAt(0))) tail = tail.slice(1);
  const offset = delivered.length - tail.length;
  const starts: number[] = [];
  for (let p = 0; p < tail.length; p++) if (overlapMayStart(delivered, offset + p)) starts.push(p);
  let held = "";
  let decided = false;

  /** The longest k such that tail's last k characters, from an allowed start, begin `held`. */
  function overlap(): number {
    for (const p of starts) {
      const k = tail.length - p;
      // An overlap never ends between the halves of a pair (a delivered text ending on a lone high half).
      if (k <= held.length && held.startsWith(tail.slice(p)) && !isLow(held.charCodeAt(k))) return k;
    }
    return 0;
  }

  /** Whether a longer overlap is still possible once more of the continuation comes. */
  function undecided(): boolean {
    return starts.some((p) => tail.length - p > held.length && tail.startsWith(held, p));
  }

  function release(): string {
    decided = true;
    let rest = held.slice(overlap());
    held = "";
    // Whitespace at the join: the delivered text already ends in a space or tab, so the continuation's
    // leading ones would double it (a line break is kept: it may start a paragraph).
    if (isSpace(delivered.at(-1))) rest = rest.replace(/^[ \t]+/, "");
    return rest;
  }

  return {
    push(text) {
      if (decided) return text;
      held += text;
      if (held.length > 0 && /^\s+$/.test(held) && isSpace(delivered.at(-1))) return "";
      return undecided() ? "" : release();
    },
    flush() {
      return decided ? "" : release();
    },
  };
}

/** The whole continuation spliced at once (tests, and callers that have it whole). */
export function splice(delivered: string, continuation: string): string {
  const s = createSplice(delivered);
  return s.push(continuation) + s.flush();
}
