import { afterAll, describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";
import { inWordnet, loadWordnet, wordnetLemmas, wordnetName } from "../../src/cache/semantic/guard-lexicon.js";
import { tokenise } from "../../src/cache/semantic/guard-normalise.js";
import { mendFunctionWords, typo } from "../../src/cache/semantic/guard-typo.js";

/*
 * Slips of the keyboard against a real lexicon (docs/caching.md, guard-typo.ts, guard-lexicon.ts): the slips the
 * guard repairs, each beside near misses of the same shape it must still refuse, most of them a tool, product
 * or name one edit from a word. Sentences written for these rules, not taken from the labelled sets.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("WordNet's lemmas", () => {
  it("knows everyday words compromise lacks, and their regular inflections, and not slips of them", () => {
    for (const w of ["recipe", "symptom", "metadata", "kettle", "runners", "stopped", "bigger", "fertilizers"])
      expect(inWordnet(w), w).toBe(true);
    for (const w of ["recipie", "symtom", "kettel", "teh", "pyhton"]) expect(inWordnet(w), w).toBe(false);
  });

  it("applies an ending only where WordNet has that part of speech: 'soter' is not 'sot' + -er", () => {
    expect(inWordnet("sot")).toBe(true);
    expect(inWordnet("soter")).toBe(false);
  });

  it("tells a word only ever written with a capital (a name) from a word that is also a common noun", () => {
    for (const w of ["mckinley", "basel", "jason"]) expect(wordnetName(w), w).toBe(true);
    for (const w of ["turkey", "python", "store", "china"]) expect(wordnetName(w), w).toBe(false);
  });
});

describe("slips the guard repairs", () => {
  it.each([
    ["two letters swapped in a short word", "how do I clean a suede jakcet", "how do I clean a suede jacket"],
    ["the last two letters swapped", "how often should I descale a kettel", "how often should I descale a kettle"],
    [
      "a four-letter swap that leaves no English spelling",
      "how do I konw when bread dough has proved",
      "how do I know when bread dough has proved",
    ],
    ["a letter dropped from inside", "how long does cooked rice keep in the frige", "how long does cooked rice keep in the fridge"],
    ["a letter struck twice", "can I freeze a homemade lassagna", "can I freeze a homemade lasagna"],
    ["a vowel put inside a long word", "how to ask for a paid interniship", "how to ask for a paid internship"],
    [
      "a vowel for a vowel in a long word",
      "is it definately safe to eat raw cookie dough",
      "is it definitely safe to eat raw cookie dough",
    ],
    ["a capital where the prompt opens", "Microwvae popcorn without a bag", "microwave popcorn without a bag"],
    ["a capital where the prompt opens, on a name", "Pyhton list slicing with a step", "python list slicing with a step"],
    [
      "a word compromise tags as a name that WordNet also writes in lower case",
      "how to keep fine chnia from chipping",
      "how to keep fine china from chipping",
    ],
    ["the article, which the guard drops", "hte best way to store cut onions", "the best way to store cut onions"],
    ["function words swapped", "waht should yuo pack for a ski trip", "what should you pack for a ski trip"],
    [
      "slips in four words of one prompt",
      "thier kids want a jakcet for a ski trip becuase of teh cold",
      "their kids want a jacket for a ski trip because of the cold",
    ],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});

describe("near misses of the same shapes stay refused", () => {
  it.each([
    ["two known words", "how to tell real sliver from plated", "how to tell real silver from plated"],
    ["a four-letter swap spelt like English: a tool", "how do I log what cron runs", "how do I log what corn runs"],
    ["a four-letter swap spelt like English: a library", "how do I set the region in boto", "how do I set the region in boot"],
    ["a swap of the first letter", "what is nitro in a car engine", "what is intro in a car engine"],
    ["a neighbour key replaced", "how do I deploy a deno app", "how do I deploy a demo app"],
    ["a neighbour key replaced at the end", "which registers does the callee save", "which registers does the caller save"],
    ["a consonant replaced in a long word", "what is graphene", "what is a grapheme"],
    ["a consonant put inside", "what does a backslash mean", "what does a backlash mean"],
    ["a vowel put inside a short word", "how do I install conda", "how do I install coda"],
    ["a letter dropped before the last two", "what is axios", "what are axioms"],
    ["a last vowel left out, as names are coined", "what is crispr", "what is a crisper"],
    ["a letter dropped at the second place", "what is a bowser", "what is a browser"],
    ["a letter dropped from a four-letter word", "what does stat print", "what does start print"],
    ["a letter added at the start", "how do I quit nvim", "how do I quit vim"],
    ["a letter dropped at the end", "how do I install falco", "how do I install falcon"],
    ["a name WordNet writes with a capital", "what is mckinsey known for", "what is mckinley known for"],
    ["a person's name compromise knows", "what did maddison write about", "what did madison write about"],
    ["a capital in mid-sentence makes a name", "should I learn Pyhton first", "should I learn python first"],
    ["inner capitals make an identifier", "what does getElemnetById return", "what does getElementById return"],
    ["a slip in code is code", "what does `git comit` do", "what does `git commit` do"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("the slip itself, word against word", () => {
  it("takes the same slip into a common word, not into a name WordNet writes with a capital", () => {
    expect(typo("pythonn", "python", "pythonn", "python")).toBe(false); // a letter added at the end
    expect(typo("pytthon", "python", "pytthon", "python")).toBe(true);
    expect(typo("mckinnley", "mckinley", "mckinnley", "mckinley")).toBe(false);
    expect(typo("kotta", "kota", "kotta", "kota")).toBe(false);
  });

  it("reads a capital as the sentence's only where the prompt opens", () => {
    expect(typo("pyhton", "python", "Pyhton", "python", true)).toBe(true);
    expect(typo("pyhton", "python", "Pyhton", "python", false)).toBe(false);
  });

  it("tries the word as written when the lemma was made from a slip ('sotre' reads as 'soter')", () => {
    expect(typo("soter", "store", "sotre", "store")).toBe(true);
  });
});

describe("function words mended in one prompt", () => {
  const mended = (text: string) => mendFunctionWords(tokenise(text)).map((t) => t.w);

  it("mends a word unknown to every lexicon that is one slip from exactly one function word", () => {
    expect(mended("teh cat wat whyy becuase")).toEqual(["the", "cat", "what", "why", "because"]);
  });

  it("leaves a word one slip from two function words ('hwo': how, who), a known word ('dose'), a last letter left out ('int')", () => {
    expect(mended("hwo dose int")).toEqual(["hwo", "dose", "int"]);
  });

  it("leaves a capital in mid-sentence (a name) but mends one that opens a sentence", () => {
    expect(mended("I met Teh. Teh end")).toEqual(["i", "met", "teh", "", "the", "end"]);
  });
});

describe("without WordNet's files", () => {
  afterAll(() => {
    loadWordnet();
  });

  it("knows no WordNet word, repairs no slip and mends no function word, and the guard still answers", () => {
    loadWordnet("/nonexistent/wordnet");
    expect(wordnetLemmas().size).toBe(0);
    expect(typo("pyhton", "python", "pyhton", "python")).toBe(false);
    expect(mendFunctionWords(tokenise("teh end")).map((t) => t.w)).toEqual(["teh", "end"]);
    expect(mismatch("pyhton decorators", "python decorators")).toMatch(/substituted/);
    expect(mismatch("python decorators", "Python decorators")).toBeUndefined();
    loadWordnet();
    expect(typo("pyhton", "python", "pyhton", "python")).toBe(true);
  });
});
