import { inWordnet } from "./guard-lexicon.js";
import { senses } from "./guard-synonyms.js";
import { POS, type WordNetDict, wordnetDict } from "./guard-wordnet.js";

/*
 * The comparison joins two words one prompt writes apart ("e mail", "e-mail") when the other writes them as one
 * ("email"). A hyphen after a prefix may make another word of the joined form: "re-sign" signs again where
 * "resign" quits, "re-cover", "re-treat", "un-ionized", "co-op" against "coop". So two parts join only when the
 * joined form is no other word: WordNet knows the hyphenated form in a sense of the joined one ("e-mail" is
 * "email"), or the joined form is no word it knows, or the second part is no word on its own, or the joined
 * form's most frequent sense is defined by the second part ("reinstall: install again"; "resign: leave a job"
 * is not). "op" is a word only as "co-op", which WordNet keeps apart from "coop".
 */

/** The glosses of a lemma's most frequent sense in each part of speech. */
function firstGlosses(d: WordNetDict, lemma: string): string[] {
  const out: string[] = [];
  for (const p of POS) {
    const offset = senses(d, lemma, p)[0];
    if (offset === undefined) continue;
    const data = d.data[p];
    const at = Number(offset);
    const line = data.toString("latin1", at, Math.max(at, data.indexOf(10, at)));
    out.push(line.slice(line.indexOf("|") + 1));
  }
  return out;
}

/** True when "first second" may be read as "first+second" without naming another word. */
export function joinable(first: string, second: string): boolean {
  const joined = first + second;
  const d = wordnetDict();
  // Two words of their own make a compound ("data base", "web site"); the rule is for a prefix before a word.
  const prefix = first.length <= 2 || !inWordnet(first);
  if (d === null || !prefix || !inWordnet(joined)) return true;
  const hyphened = POS.flatMap((p) => senses(d, `${first}-${second}`, p));
  if (hyphened.length > 0) {
    const whole = new Set(POS.flatMap((p) => senses(d, joined, p)));
    return hyphened.some((s) => whole.has(s));
  }
  if (!inWordnet(second) || !/^[a-z]+$/.test(second)) return true;
  const stem = second.replace(/e$/, "");
  return firstGlosses(d, joined).some((g) => new RegExp(`\\b${stem}`).test(g));
}
