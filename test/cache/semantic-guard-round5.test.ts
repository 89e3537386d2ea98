import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * The fourth held-out set's three holes (semantic-data/SEEN4.md), closed by general rules: "a" before a noun that
 * also names stuff, an operator glued before a word, and the depth of indentation inside a fence. Sentences
 * written for the rules, on other topics.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));
const fence = (lang: string, ...lines: string[]) => `\`\`\`${lang}\n${lines.join("\n")}\n\`\`\``;

describe("a thing against stuff", () => {
  it.each([
    ["a drink against the beans", "where do I buy a coffee in the old town", "where do I buy coffee in the old town"],
    ["an appliance against a metal", "how do I polish an iron without scratching it", "how do I polish iron without scratching it"],
    ["a bird against its meat", "what temperature do I cook a turkey at", "what temperature do I cook turkey at"],
  ])("refuses %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toMatch(/^plurality: a /);
  });

  it.each([
    ["a noun that names no stuff", "how do I declare a variable in go", "how do I declare variable in go"],
    ["the noun modifying the next one", "how long to bake a chicken thigh", "how long to bake chicken thighs"],
    ["a generic 'the'", "is a cucumber a fruit", "is the cucumber a fruit"],
    ["notes that drop every article", "roast a chicken time", "roast chicken time"],
  ])("lets %s pass", (_rule, a, b) => {
    expect(mismatch(a, b) ?? "").not.toMatch(/^plurality: a /);
  });
});

describe("operators glued before a word", () => {
  it.each([
    ["a doubled negation", "what is !!flag in a react condition", "what is !flag in a react condition"],
    ["an ex command", "what does :q do in vim", "what does q do in vim"],
    ["a bitwise not", "why is ~n equal to -n-1", "why is n equal to -n-1"],
  ])("refuses %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it.each([
    ["a comma typed before the word", "list fruits ,vegetables and grains", "list fruits, vegetables and grains"],
    ["an ellipsis before the word", "I waited ...then it crashed, why", "I waited... then it crashed, why"],
  ])("lets %s pass", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});

describe("indentation inside a fence", () => {
  const loop = (last: string) => fence("python", "for row in rows:", "    if row:", "        keep(row)", `${last}n += 1`);
  it("refuses a line moved out of a block", () => {
    expect(mismatch(`${loop("    ")} what is n after this`, `${loop("")} what is n after this`)).toMatch(/^code/);
    expect(mismatch(`${loop("    ")} what is n after this`, `${loop("        ")} what is n after this`)).toMatch(/^code/);
  });

  it("lets the same structure indented otherwise pass", () => {
    const two = fence("python", "for row in rows:", "  if row:", "    keep(row)", "  n += 1");
    const tabs = fence("python", "\tfor row in rows:", "\t\tif row:", "\t\t\tkeep(row)", "\t\tn += 1");
    expect(mismatch(`${loop("    ")} what is n after this`, `${two} what is n after this`)).toBeUndefined();
    expect(mismatch(`${loop("    ")} what is n after this`, `${tabs} what is n after this`)).toBeUndefined();
  });
});
