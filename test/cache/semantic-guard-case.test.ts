import { describe, expect, it } from "vitest";
import { caseDiffers, readCase } from "../../src/cache/semantic/guard-case.js";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * Case that carries meaning (src/cache/semantic/guard-case.ts): notation, pasted data, a word quoted alone,
 * element-shaped capitals and identifiers where a programming language is named are compared as written; case is
 * folded everywhere else. Sentences written for this rule, none taken from the evaluation's pairs.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("case that carries meaning refuses the hit", () => {
  it.each([
    ["a flag's letter", "what does du -h show", "what does du -H show"],
    ["a long flag", "what does npm --Save do", "what does npm --save do"],
    ["a flag letter that reads as the article", "what does chmod -a do", "what does chmod do"],
    ["a flag letter that reads as the pronoun", "why use tail -i here", "why use tail here"],
    ["a format specifier", "what does %d print in strftime", "what does %D print in strftime"],
    ["a regex escape", "what does \\b match in a regex", "what does \\B match in a regex"],
    ["a shell variable", "what is $USER in bash", "what is $user in bash"],
    ["a bracket class", "does [A-Z0-9] accept lower case", "does [a-z0-9] accept lower case"],
    ["a date pattern", "parse HH:mm in moment", "parse hh:mm in moment"],
    ["a word quoted alone", "what does 'august' mean here", "what does 'August' mean here"],
    ["a pasted password", "rate this password: Qw3rty!x", "rate this password: qw3rty!x"],
    ["a pasted list", "sort these case-sensitively: Pear, apple, fig", "sort these case-sensitively: pear, apple, fig"],
    ["element-shaped capitals", "is CR a metal", "is Cr a metal"],
    ["an identifier where a language is named", "what is Number in javascript", "what is number in javascript"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toMatch(/^case: /);
  });
});

describe("case that carries no meaning is still folded", () => {
  it.each([
    ["lower-case typing", "How do I install Python on Ubuntu?", "how do i install python on ubuntu"],
    ["Title Case", "How To Write A String To A File In Java", "how to write a string to a file in java"],
    ["shouting", "WHAT IS A BOOLEAN IN JAVA", "what is a boolean in java"],
    ["a flag written the same, sentence capital only", "What does ls -l show?", "what does ls -l show"],
    ["a flag in backticks and plainly", "what does `tar -c` do", "what does tar -c do"],
    ["a formula typed in lower case", "is CO2 heavier than air", "is co2 heavier than air"],
    ["two capitals against a word ('No')", "is NO toxic", "is No toxic"],
    ["a name's capital where a language is named", "is Django written in Python", "is django written in python"],
    ["a quantifier given a capital", "how do I avoid Any in TypeScript", "how do I avoid any in TypeScript"],
    ["a dictionary index is no bracket class", "what does df['Name'] return in pandas", "What does df['Name'] return in pandas?"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});

describe("readCase", () => {
  it("reads notation as written, compares it as a multiset", () => {
    expect(readCase("ls -r and ls -R, then %Y, \\d and $PATH").exact.sort()).toEqual(["$PATH", "%Y", "-R", "-r", "\\d"].sort());
    expect(caseDiffers(readCase("use -r then -R"), readCase("use -R then -r"))).toBeUndefined();
    expect(caseDiffers(readCase("use -r then -r"), readCase("use -R then -r"))).toBe("case: -r / -R");
  });

  it("does not take a percentage, a price or a hyphenated word for notation", () => {
    expect(readCase("a 50% e-mail discount of $5 on well-known items").exact).toEqual([]);
  });

  it("knows a prompt in Title Case", () => {
    const title = readCase("Reading Large Files Line By Line In Python");
    expect(caseDiffers(title, readCase("Reading large files line by line in python"))).toBeUndefined();
    expect(caseDiffers(readCase("is True valid in python"), readCase("is true valid in python"))).toBe("case: True / true");
  });
});
