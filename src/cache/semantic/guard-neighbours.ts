import { americanSpelling } from "./guard-normalise.js";

/*
 * The known words near a slip (docs/caching.md "Fifth round"). A slip of a long word can be mended against the
 * other prompt only when the lexicons hold no other word it could have been: "begginer" is two edits from
 * "beginner" and from nothing else; "insted" is one edit from "instead" and from "instep" too, so it stays as
 * written. The words are indexed by first letter and length, since a slip keeps a word's first letter (the
 * slip rules never mend one) and changes its length by at most the number of edits.
 */
const MAX_EDITS = 2;
let index: Map<string, string[]> | undefined;
const memo = new Map<string, readonly string[]>();

function buildIndex(words: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const w of new Set(words)) {
    if (!/^[a-z]{4,}$/.test(w)) continue;
    const key = w[0]! + w.length;
    const list = out.get(key);
    if (list) list.push(w);
    else out.set(key, [w]);
  }
  return out;
}

/** Rows of the distance table, reused: the search runs it over thousands of words per slip. */
const rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * Edits between a and b (optimal string alignment: a swap of neighbours is one edit), or max + 1 beyond max.
 * Only the band of cells within max of the diagonal is filled; the cells beside it hold max + 1.
 */
export function distance(a: string, b: string, max = MAX_EDITS): number {
  if (Math.abs(a.length - b.length) > max || a.length > 60 || b.length > 60) return max + 1;
  let [p2, p, r] = rows as [Int32Array, Int32Array, Int32Array];
  for (let j = 0; j <= b.length; j++) p[j] = j;
  if (max + 1 <= b.length) p[max + 1] = max + 1;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(b.length, i + max);
    r[0] = i;
    if (lo > 1) r[lo - 1] = max + 1;
    let best = max + 1;
    for (let j = lo; j <= hi; j++) {
      let d = Math.min(p[j]! + 1, r[j - 1]! + 1, p[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, p2[j - 2]! + 1);
      r[j] = d;
      if (d < best) best = d;
    }
    if (hi < b.length) r[hi + 1] = max + 1;
    if (best > max) return max + 1;
    [p2, p, r] = [p, r, p2];
  }
  return Math.min(p[b.length]!, max + 1);
}

/**
 * The known words within two edits of `u` that share its first letter, read from `words` (every lexicon the
 * guard has) on the first call. Memoised per word, with a bound, since a prompt repeats its slips.
 */
export function neighbours(u: string, words: () => Iterable<string>): readonly string[] {
  const hit = memo.get(u);
  if (hit) return hit;
  index ??= buildIndex(words());
  const out: string[] = [];
  for (let n = u.length - MAX_EDITS; n <= u.length + MAX_EDITS; n++)
    for (const w of index.get(u[0]! + n) ?? []) if (w !== u && distance(u, w) <= MAX_EDITS) out.push(w);
  if (memo.size >= 4096) memo.clear();
  memo.set(u, out);
  return out;
}

/** `w` is `k` in another spelling or with an ending ("positions", "practise"): no rival to it. */
const formOf = (w: string, k: string): boolean =>
  americanSpelling(w) === americanSpelling(k) ||
  (w.startsWith(k) && /^(s|es|d|ed|ing|er|ers)$/.test(w.slice(k.length))) ||
  (k.endsWith("e") && w.startsWith(k.slice(0, -1)) && /^(ing|ed|er|ers)$/.test(w.slice(k.length - 1)));

/**
 * `u` (unknown) is a slip of `k` (known) with no rival, both of 7 letters or more and with the same first
 * letter. One edit that is not a letter struck for another ("posistion", "headach"; "mixtral" is not "mistral",
 * "jupyter" not "jupiter": a letter replaced is how names are coined), with no other known word one edit away.
 * Two edits only in words of 8 letters or more, with no other known word within two ("begginer" has "begging",
 * so it stays as written). Either way a form of `k` ("positions", "practise") is no rival.
 */
export function loneSlip(u: string, k: string, words: () => Iterable<string>, replaced: boolean): boolean {
  if (u[0] !== k[0] || Math.min(u.length, k.length) < 7) return false;
  const d = distance(u, k);
  if (d > (Math.min(u.length, k.length) >= 8 ? 2 : 1) || (d === 1 && replaced)) return false;
  return neighbours(u, words).every((w) => formOf(w, k) || (d === 1 && distance(u, w, 1) > 1));
}
