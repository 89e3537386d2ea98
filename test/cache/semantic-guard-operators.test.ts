import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * Operators made only of punctuation (src/cache/semantic/guard-operators.ts): content, compared exactly,
 * while the same characters used as prose punctuation still go. Sentences written for this rule.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("an operator made of punctuation is content", () => {
  it.each([
    ["optional chaining against nullish coalescing (JavaScript)", "what does ?. do in TypeScript", "what does ?? do in TypeScript"],
    ["Kotlin's not-null assertion against its safe call", "what does !! do in Kotlin", "what does ?. do in Kotlin"],
    ["the scope operator against the member operator (C++)", "what is the :: operator in C++", "what is the . operator in C++"],
    ["a scope operator glued between names", "why write std::swap instead of swap", "why write std swap instead of swap"],
    ["glued optional chaining", "is user?.name safe when user is null", "is user??name safe when user is null"],
    ["the range operators of Rust", "what does .. do in a Rust match arm", "what does ... do in a Rust match arm"],
    ["end of options against standard input in a shell", "what does -- do in a shell command", "what does - do in a shell command"],
    ["Elvis against the safe call (Groovy)", "when should I use ?: in Groovy", "when should I use ?. in Groovy"],
    ["a case terminator in bash", "what does ;; mean in a bash case statement", "what does ; mean in a bash case statement"],
    ["an operator between two names", "what does x ?? y return when x is 0", "what does x !! y return when x is 0"],
    ["two operators named together", "difference between ?? and ?. in C#", "difference between ?? and ! in C#"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it("the same operator, asked the same way, still matches", () => {
    expect(mismatch("What does ?? do in JavaScript?", "what does ?? do in javascript")).toBeUndefined();
    expect(mismatch("what is the :: operator in Rust", "What is the :: operator in Rust?")).toBeUndefined();
  });
});

describe("prose punctuation still goes", () => {
  it.each([
    [
      "a dash between clauses",
      "I reinstalled the driver -- the screen still flickers",
      "I reinstalled the driver, the screen still flickers",
    ],
    ["an em dash between clauses", "the oven is preheated — how long for the chicken", "the oven is preheated, how long for the chicken"],
    ["an ellipsis", "so... how do I renew a passport", "so, how do I renew a passport"],
    ["an ellipsis standing alone", "hmm ... why do cats purr", "hmm, why do cats purr"],
    ["a trailing ?!", "is it legal to keep a raccoon as a pet ?!", "is it legal to keep a raccoon as a pet?"],
    ["repeated question marks", "why is my sourdough flat???", "why is my sourdough flat?"],
    ["a lone dash after an opener", "ok - how do I reset my router", "ok, how do I reset my router"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});
