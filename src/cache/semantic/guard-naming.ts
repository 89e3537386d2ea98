import { lemma, type Word } from "./guard-normalise.js";
import { DETERMINERS, LIST_VERBS } from "./guard-words.js";

/*
 * "list" and "name" at the start of a request only ask for what follows ("list the planets" asks "what are the
 * planets"), except where they are the action asked about: after "how do I", "how to", "how does one" ("how do I
 * list the columns in pandas" asks for a method, "how do I name the columns" asks how to rename them). "name"
 * asks for instances only before a count or an indefinite quantity ("name three rivers", "name some fish"); with
 * a definite object it gives names ("name the files in this folder by date" renames them).
 */

/** Quantities before which "name" asks for instances: "name some", "name a few", "name several", "name any". */
const INDEFINITE = new Set(["some", "few", "several", "any", "all"]);

/**
 * Before "list"/"name", these make it the action asked about: "how do I list", "how can we list", "how does one
 * name", "how to list", "the command to list"; "you" not after a request's
 * "can/could/would/will" ("could you list the noble gases" asks for them).
 */
function action(words: readonly Word[], i: number): boolean {
  const at = (k: number) => {
    const x = words[i - k];
    return x?.kind === "word" ? x.w : "";
  };
  if (at(1) === "you") return !/^(can|could|would|will)$/.test(at(2));
  return /^(i|we|one|to)$/.test(at(1));
}

/** 1 when the word at i is "list"/"name" framing a request for what follows, else 0. */
export function listFrameAt(words: readonly Word[], i: number): number {
  const w = words[i];
  const next = words[i + 1];
  if (w?.kind !== "word" || next === undefined) return 0;
  const verb = lemma(w.w).lemma;
  if (!LIST_VERBS.has(verb)) return 0;
  if (action(words, i)) return 0;
  const counted = next.kind === "value" && /^\d/.test(next.w);
  if (verb === "name") return counted || INDEFINITE.has(next.w) ? 1 : 0;
  return counted || DETERMINERS.has(next.w) ? 1 : 0;
}
