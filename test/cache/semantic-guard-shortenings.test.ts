import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * Chat and clerical shortenings (guard-shortenings.ts) are read as the words they stand for, only as written in
 * lower case and, for the ambiguous ones, only where the words around say which word is meant. Sentences
 * written for the rule.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("shortenings written out", () => {
  it.each([
    ["how many ppl fit in a minibus", "how many people fit in a minibus"],
    ["avg rainfall in Bergen in May", "average rainfall in Bergen in May"],
    ["approx. 30 km of cycling a day, is that healthy", "approximately 30 km of cycling a day, is that healthy"],
    ["which govt dept funds libraries", "which government department funds libraries"],
    ["pls explain how tides work", "please explain how tides work"],
    ["thx! what is a haiku", "thanks! what is a haiku"],
    ["whats the diff between jam and jelly", "what is the difference between jam and jelly"],
    ["calc the volume of a cube with 4 cm sides", "calculate the volume of a cube with 4 cm sides"],
    ["i wake early bc my neighbour drills", "i wake early because my neighbour drills"],
    ["can u check ur essay for me", "can you check your essay for me"],
    ["should I eat b4 swimming", "should I eat before swimming"],
    ["tips for a long convo with a toddler", "tips for a long conversation with a toddler"],
  ])("lets %j and %j pass", (a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["avg rainfall in Bergen in May", "total rainfall in Bergen in May"],
    ["approx how tall is the Shard", "exactly how tall is the Shard"],
    ["should I eat b4 swimming", "should I eat after swimming"],
    ["i wake early bc my neighbour drills", "i wake early when my neighbour drills"],
    ["can u check ur essay for me", "can you check your poem for me"],
    ["which govt dept funds libraries", "which government department closes libraries"],
  ])("still refuses %j against %j: the shortening expanded, another word differs", (a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it.each([
    ["show me the diff of two branches", "show me the difference of two branches"],
    ["how do I pipe numbers into bc", "how do I pipe numbers into because"],
    ["ur right about the ferry times", "your right about the ferry times"],
    ["put the bishop on b4", "put the bishop on before"],
    ["how is the letter u pronounced in Turkish", "how is the letter you pronounced in Turkish"],
    ["does AVG slow a laptop down", "does average slow a laptop down"],
    ["save the sheet in calc", "save the sheet in calculate"],
  ])("reads %j as written, not as %j, where the words around say another word is meant", (a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it("leaves a shortening inside code alone", () => {
    expect(mismatch("what does `u = ppl + 1` do", "what does `u = people + 1` do")).toBeDefined();
  });
});
