/*
 * Cutting text for the tokenizer (tokens.ts): into pieces it handles in bounded time, at places where its own
 * pre-tokenisation splits anyway, so that counting the pieces apart gives the whole text's count.
 */

// Pieces are cut at places where the tokenizer's own pre-tokenisation splits anyway (see boundaryAt),
// about this long, so that each call to the tokenizer does a bounded amount of work.
const PIECE_CHARS = 4096;
// BPE is quadratic in the length of one pre-token (100k characters of "y" took 7.5 s). A stretch this
// long without a natural boundary (a run of one letter, CJK without punctuation, base64) is cut hard.
const LONGEST_RUN = 256;

const isSpace = (c: number) =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0xa0 ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x3000 ||
  c === 0xfeff ||
  (c >= 0x2000 && c <= 0x200a);

/**
 * True where o200k_base and cl100k_base always begin a new pre-token: at a
 * single space between two non-space characters (the space leads the next
 * word or stands alone), and after a line break before a character other than
 * space or "/" (their patterns end a run of line breaks there). Counting the
 * pieces between such places separately gives exactly the whole text's count.
 */
function boundaryAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  const prev = text.charCodeAt(i - 1);
  if (c === 32) return !isSpace(prev) && i + 1 < text.length && !isSpace(text.charCodeAt(i + 1));
  return (prev === 10 || prev === 13) && !isSpace(c) && c !== 47;
}

/** Splits text into pieces the tokenizer handles in bounded time; `exact` is false if a long run had to be cut. */
export function piecesOf(text: string): { pieces: string[]; exact: boolean } {
  const cut = new Pieces(text);
  return { pieces: [...cut], exact: cut.exact };
}

/** The pieces of a text, found as they are asked for (so that even the scan can be sliced). */
export class Pieces implements Iterable<string> {
  /** False once a long run had to be cut where the tokenizer would not have split. */
  exact = true;
  constructor(private readonly text: string) {}

  *[Symbol.iterator](): Generator<string> {
    const text = this.text;
    if (text.length <= LONGEST_RUN) {
      yield text;
      return;
    }
    let start = 0;
    let boundary = -1;
    let runStart = 0;
    for (let i = 1; i < text.length; i++) {
      if (boundaryAt(text, i)) {
        boundary = i;
        runStart = i;
      }
      if (i - start >= PIECE_CHARS && boundary > start) {
        yield text.slice(start, boundary);
        start = boundary;
      } else if (i - runStart >= LONGEST_RUN) {
        // Never between the two halves of a surrogate pair.
        const cut = (text.charCodeAt(i - 1) & 0xfc00) === 0xd800 ? i - 1 : i;
        this.exact = false;
        yield text.slice(start, cut);
        start = runStart = cut;
      }
    }
    if (start < text.length) yield text.slice(start);
  }
}
