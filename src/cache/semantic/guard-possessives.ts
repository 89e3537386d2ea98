import { lexiconTags } from "./guard-normalise.js";
import { COORDINATORS, MODALS, NEGATIONS, QUANTIFIERS, RELATIONS } from "./guard-words.js";

/* Possessives as the guard reads them (guard-analyse.ts): "Rome's population" is "population of Rome". */

/** May stand in the noun phrase after a possessive ("Einstein's first wife"). */
const inNounPhrase = (t: string): boolean =>
  t === "SG" ||
  t === "PL" ||
  t === "PLURAL" ||
  t === "A" ||
  t === "BARE" ||
  ((/^[a-z]/.test(t) || /^#\d/.test(t)) &&
    !RELATIONS.has(t) &&
    !COORDINATORS.has(t) &&
    !NEGATIONS.has(t) &&
    !MODALS.has(t) &&
    !QUANTIFIERS.has(t) &&
    !/^(what|who|how|why|when|where)$/.test(t) &&
    !t.includes(":"));

/** Belongs to a possessor before it: a name ("New York's"), an adjective or an ordinal ("the main character's"). */
function possessorWord(token: string, surface: string): boolean {
  const tags = lexiconTags(token);
  if (tags.length === 0) return /^\p{Lu}/u.test(surface);
  return tags.includes("Adjective") || /^#\d/.test(token) || tags.some((t) => /Name|Place|Country|City|Organization/.test(t));
}

/** "Rome's population" is "population of Rome": the possessor moves after its noun phrase. */
export function movePossessives(tokens: string[], surfaces: string[], poss: boolean[], opens: number[]): void {
  for (let i = 0; i < tokens.length; i++) {
    if (!poss[i]) continue;
    poss[i] = false;
    let end = i + 1;
    // "Einstein's theory of relativity": the phrase goes on through "of".
    // The possessed phrase ends where another opens ("my landlord's dog bit | my child" is not "my dog bit my
    // landlord's child"), and after three words: further words may be a verb.
    let words = 0;
    while (end < tokens.length && end - i <= 6 && !(end > i + 1 && opens[end]! > 0)) {
      if (inNounPhrase(tokens[end]!) && (/^[A-Z]/.test(tokens[end]!) || words++ < 3)) end++;
      else if (tokens[end] === "of" && end > i + 1 && inNounPhrase(tokens[end + 1] ?? "")) end += 2;
      else break;
    }
    if (end === i + 1) continue;
    // A possessor of several capitalised words moves whole ("New York's").
    let start = i;
    // A capital opening a clause says nothing ("Describe Jupiter's moons").
    const owns = (k: number) =>
      inNounPhrase(tokens[k]!) && possessorWord(tokens[k]!, opens[k] === 2 ? surfaces[k]!.toLowerCase() : surfaces[k]!);
    while (start > 0 && opens[start] === 0 && owns(start - 1)) start--;
    const owner = tokens.splice(start, i + 1 - start);
    const ownerSurfaces = surfaces.splice(start, i + 1 - start);
    const ownerPoss = poss.splice(start, i + 1 - start);
    const ownerOpens = opens.splice(start, i + 1 - start);
    const at = end - owner.length;
    // The "of" a possessive makes is marked by its surface: "Python's GIL" may also be "the GIL in Python" (guard.ts).
    tokens.splice(at, 0, "of", ...owner);
    surfaces.splice(at, 0, "'s", ...ownerSurfaces);
    poss.splice(at, 0, false, ...ownerPoss);
    opens.splice(at, 0, 0, ...ownerOpens.map(() => 0));
    i = at + owner.length;
  }
}
