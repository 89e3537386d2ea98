import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * The guard's readings added when the first held-out set became development data (semantic-data/SEEN.md):
 * a noun's number, a quoted passage, a unit symbol's case, and how far a possessive reaches. The sentences
 * are written for these rules, not taken from the labelled sets.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("the guard reads number, quotes, unit symbols and possessives", () => {
  it.each([
    ["a kind asked about, singular or plural", "How do I cook lentils?", "How do I cook a lentil?"],
    ["a kind in a question against a request", "What's a good name for a hamster?", "Tell me a good name for a hamster."],
    ["a title quoted or not", "Who directed 'The Third Man'?", "who directed the third man"],
    ["a single quoted word", "what does 'ephemeral' mean", "what does ephemeral mean"],
    ["a unit symbol spelled out", "is 2 MB a big image", "is 2 megabytes a big image"],
    ["a possessive over one noun", "What is Norway's capital?", "What is the capital of Norway?"],
  ])("lets %s pass", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["the one and the many", "sql: delete the duplicate row", "sql: delete the duplicate rows", "plurality"],
    ["a mass noun and its plural", "best way to store paper", "best way to store papers", "plurality"],
    ["one against several in a request", "a regex for a vowel", "a regex for vowels", "plurality"],
    ["commas in a quoted sentence", "Punctuate: 'Eats, shoots and leaves.'", "Punctuate: 'Eats shoots and leaves.'", "quoted"],
    ["the kind of quote in a shell", 'what does echo "$USER" show', "what does echo '$USER' show", "quoted"],
    ["the kind of quote in data", 'Is {"k": 1} valid JSON?', "Is {'k': 1} valid JSON?", "(code|quoted)"],
    ["a string quoted in code", 'why does WHERE city = "Oslo" fail', "why does WHERE city = 'Oslo' fail", "quoted"],
    ["bits and bytes", "how long to send 8 GB at 1 Gbps", "how long to send 8 Gb at 1 Gbps", "unit"],
    ["milli and mega", "is 4 mW a lot of power", "is 4 MW a lot of power", "unit"],
  ])("refuses %s", (_rule, a, b, kind) => {
    expect(mismatch(a, b)).toMatch(new RegExp(`^${kind}`));
  });

  it("keeps a possessive to its noun: whose car hit whose fence", () => {
    expect(mismatch("My brother's car hit my fence.", "My car hit my brother's fence.")).toBeDefined();
  });

  it("reads a hostile run of quotes in bounded time, as one passage or none", () => {
    const hostile = `'${"a, ".repeat(600)}`.slice(0, 1990);
    expect(guardFeatures(hostile).tokens.length).toBeGreaterThan(0);
  });
});
