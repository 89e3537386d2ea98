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
