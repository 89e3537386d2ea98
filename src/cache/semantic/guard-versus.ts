import { kindOf } from "./guard-kinds.js";
import { lexiconTags } from "./guard-normalise.js";
import { SYMMETRIC } from "./guard-words.js";

/*
 * "X vs Y" names two sides. Where the prompt compares them ("python vs java, which is faster", "the difference
 * between X and Y", "pros and cons of X vs Y", or a bare "JSON vs YAML for config files") the order says nothing
 * and the sides may change places. Beside a score ("Bayern vs Dortmund 2-1, who won") or a question about the
 * sides' positions or roles ("Arsenal vs Chelsea, who is the home team", "Carlsen vs Nakamura, who had white")
 * the order is the answer: the first named is the home side, the one with white, the one the score counts first.
 */

/** Question words that ask about a side or where, when, how things stand: in a comparison they need a frame. */
const ASKS = /^(who|whom|whose|which|where|when|what|why|how)$/;

/** A word that makes the prompt a comparison: "difference", "compare", a comparative ("faster"), "pros and cons". */
function compares(tokens: readonly string[]): boolean {
  const pros = tokens.includes("pro") && tokens.includes("con");
  return (
    pros ||
    tokens.some(
      (t) =>
        (SYMMETRIC.has(t) && t !== "vs" && t !== "versus") ||
        kindOf(t) === "comparison" ||
        lexiconTags(t).some((g) => g === "Comparative" || g === "Superlative"),
    )
  );
}

/** True when the two sides of "vs" in these tokens may change places without changing the question. */
export function versusSwaps(tokens: readonly string[]): boolean {
  if (tokens.some((t) => kindOf(t) === "number")) return false;
  return compares(tokens) || !tokens.some((t) => ASKS.test(t));
}
