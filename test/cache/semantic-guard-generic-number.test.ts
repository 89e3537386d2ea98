import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";
import { aNoun } from "../../src/cache/semantic/guard-number.js";

/*
 * Generic number (src/cache/semantic/guard-number.ts): where both prompts name a kind, "a X" and "Xs" (and, after
 * "of", in a compound or a frame, a bare "X") are one question; everywhere else number counts. The sentences are
 * written for these rules, on topics of their own, not taken from the labelled sets.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("generic number: one kind in either number", () => {
  it.each([
    ["a definition of a one-sense term", "what is a metronome", "what are metronomes"],
    ["a definition of an animal", "What are hedgehogs?", "What is a hedgehog?"],
    ["a definition of a plant and its fruit", "what is a persimmon", "what are persimmons"],
    ["a frame's kind after 'for'", "tips for interviewing a candidate", "tips for interviewing candidates"],
    ["a frame's kind after 'of'", "signs of a leaking radiator", "signs of leaking radiators"],
    ["a frame's kind named bare", "drawbacks of using monorepo", "drawbacks of using monorepos"],
    ["a kind after 'of' in a how-to", "how do I flatten a list of tuples in python", "how do I flatten a list of tuple in python"],
    ["a compound's head with 'the'", "how do I encrypt the database backup", "how do I encrypt database backups"],
    ["the plural of a word ending in e", "what triggers a migraine headache", "what triggers migraine headaches"],
  ])("lets %s pass", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["a term whose senses differ", "what is a bearing", "what are bearings", "plurality"],
    ["a term WordNet does not know", "what is a monad", "what are monads", "plurality"],
    ["a lexicalised plural in a frame", "tips for storing a glass", "tips for storing glasses", "(plurality|substituted)"],
    ["the asker's own", "tips for grooming my poodle", "tips for grooming my poodles", "plurality"],
    ["a definite set", "how do I archive the old invoice", "how do I archive the old invoices", "plurality"],
    ["stuff against things after 'of'", "how to wrap a bar of soap", "how to wrap a bar of soaps", "plurality"],
    ["stuff against things with 'the'", "how do I store the olive oil", "how do I store olive oils", "plurality"],
    ["a comparison", "which is the best language for data science", "which are the best languages for data science", "plurality"],
    ["a quantifier", "how do I label every storage box", "how do I label storage boxes", "(plurality|quantifier)"],
    ["number asked about", "is a plural noun singular", "are plural nouns singular", "plurality"],
    ["a name read as a plural", "what is the address of Dickens house", "what is the address of Dicken house", "plurality"],
    ["a verb form against a plural noun", "tips for baking in a small oven", "tips for bakes in a small oven", "plurality"],
  ])("refuses %s", (_rule, a, b, kind) => {
    expect(mismatch(a, b)).toMatch(new RegExp(`^${kind}`));
  });

  it.each([
    ["one test against several, the plural after a noun", "write a smoke test for the login page", "write smoke tests for the login page"],
    ["one name against several", "suggest a name for a bakery", "suggest names for a bakery"],
    ["a pattern for one against several", "a regex for a hex colour", "a regex for hex colours"],
    ["a pattern in a relative clause", "a regex that matches a file path", "a regex that matches file paths"],
  ])("counts what a request produces: %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toMatch(/^(count|plurality)/);
  });

  it("reads a word WordNet knows as a noun as a compound's modifier", () => {
    expect(aNoun("unit")).toBe(true);
    expect(aNoun("smoke")).toBe(true);
    expect(aNoun("slowly")).toBe(false);
  });
});
