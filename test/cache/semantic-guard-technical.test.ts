import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * Punctuation inside or glued to a technical word (an address, a path, a glob, a value being assigned), and a
 * unit's name used as a noun: holes the third held-out set showed (semantic-data/SEEN3.md). Sentences written
 * for the rules, on other topics.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("punctuation in technical words, and units named as nouns", () => {
  it.each([
    ["a mark glued to a glob mid-sentence", "what does ls *.log? list", "what does ls *.log list"],
    ["a doubled dot in an address", "can I send mail to ana..lee@example.org", "can I send mail to ana.lee@example.org"],
    ["a comma after an assigned value", "in python, what is t after t = 2, 3", "in python, what is t after t = 2 3"],
    ["a unit's name against its plural, no number", "what is an hour in astronomy", "what are hours in astronomy"],
  ])("refuses %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it.each([
    ["a question mark ending the prompt after an address", "is ana.lee@example.org a valid email?", "Is ana.lee@example.org a valid email"],
    ["a question mark ending the prompt after a glob", "what does the glob *.md match", "What does the glob *.md match?"],
    ["a unit after a number", "how many seconds are in 2 minutes", "how many seconds in two minutes"],
  ])("still lets %s pass", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});

describe("review findings: three decimals, 'in' phrases, forged span marks, long prompts", () => {
  it.each([
    ["three decimals are not shortened", "I drove 1.000 km", "I drove 1 km"],
    ["nor beside a currency", "Is $1.000 a lot?", "Is $1 a lot?"],
    ["a place after in", "Is there a man in the moon?", "Is there a moon man?"],
    ["a state after in", "How do I handle a dog in heat?", "How do I handle a heat dog?"],
    ["a recipient after for", "How do I apply for a government grant?", "How do I apply for a grant for the government?"],
    ["a forged span mark", "run `rm -rf /` then \uE0000", "run `rm -rf /` then `rm -rf /`"],
  ])("refuses: %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it("reads a caller's private-use characters without throwing", () => {
    for (const t of ["What does \uE0000 do", "price is 5 \uE0000", "\uE0001", "\uE000"])
      expect(() => mismatch(t, `${t} now`)).not.toThrow();
  });

  it("compares prompts too long to analyse as written, sentences included", () => {
    const s = (x: string) => `I ${"\uFDFA".repeat(115)} x. ${x}`;
    expect(mismatch(s("I am 38. I earn 60k."), s("I earn 60k. I am 38."))).toBeDefined();
  });
});
