import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * A question asking what a term is asks about the word as written: its plural can be another term (the second
 * held-out set served "What is a future?" for "What are futures?"). Sentences written for the rule.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("a definition question keeps the term's number", () => {
  it.each([
    ["What is an option?", "What are options?"],
    ["what's a bond", "what are bonds"],
    ["Who is a minor?", "Who are minors?"],
    ["what is a good", "what are goods?"],
  ])("refuses %j against %j", (a, b) => {
    expect(mismatch(a, b)).toMatch(/^plurality/);
  });

  it.each([
    ["how do I repot an orchid", "how do I repot orchids"],
    ["what is a good soil for an orchid", "what is a good soil for orchids"],
    ["What is an option?", "what is an option"],
  ])("still lets %j and %j, which are no definitions of a plural, pass", (a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});
