import type { Word } from "./guard-normalise.js";

/*
 * A capitalised phrase after "the" is a name, and its article is part of it: "the Doctor" in Doctor Who is one
 * character, "a doctor" any physician; "the Great Depression" is 1929, "a great depression" any slump. Case alone
 * changes nothing ("the great depression" asks what "the Great Depression" asks), so the name's article is kept
 * as a mark (THE) that refuses only an "a" before the same words on the other side, and goes otherwise.
 */

/** True when "the" at i opens a capitalised phrase: "the Doctor", "the Great Depression". */
export function namedByThe(words: readonly Word[], i: number): boolean {
  const next = words[i + 1];
  return words[i]?.kind === "word" && words[i]!.w === "the" && next?.kind === "word" && /^[A-Z][a-z]/.test(next.s);
}

/** Why X's named "the N" is not Y's "a n", or undefined; the THE marks are then taken out of both. */
export function nameAgainstArticle(X: string[], sx: string[], Y: string[], sy: string[]): string | undefined {
  for (const [k, t] of X.entries()) {
    if (t !== "THE") continue;
    const noun = X[k + 1];
    if (noun !== undefined && Y.some((u, j) => u === "A" && Y[j + 1] === noun)) return `name: the ${noun} / a ${noun}`;
  }
  for (const [T, S] of [
    [X, sx],
    [Y, sy],
  ] as const)
    for (let k = T.length - 1; k >= 0; k--)
      if (T[k] === "THE") {
        T.splice(k, 1);
        S.splice(k, 1);
      }
  return undefined;
}
