import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * The fifth held-out set's three holes (semantic-data/SEEN5.md), closed by general rules: a bare dollar is a dollar
 * of any country, a comma that sets off the one addressed, and the marks of a prompt that asks about its own
 * wording. Sentences written for the rules, on other topics.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("a bare dollar", () => {
  it.each([
    ["dollars against US dollars", "is 40 dollars a good price for a used textbook", "is 40 US dollars a good price for a used textbook"],
    ["a sign against USD", "can I live on $1,800 a month in Vancouver", "can I live on 1800 USD a month in Vancouver"],
    ["bucks against US$", "I sold my guitar for 300 bucks, do I owe tax", "I sold my guitar for US$300, do I owe tax"],
    [
      "a dollar against Australian dollars",
      "is $25 an hour a fair wage for a barista",
      "is 25 Australian dollars an hour a fair wage for a barista",
    ],
    [
      "the yen's and the yuan's sign against yen",
      "is ¥300 a fair price for a bowl of noodles",
      "is 300 yen a fair price for a bowl of noodles",
    ],
    ["yuan against yen", "what is 800 yuan in pounds", "what is 800 yen in pounds"],
  ])("refuses %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toMatch(/^unit: /);
  });

  it.each([
    ["a sign against the word", "is $60 too much for a haircut", "is 60 dollars too much for a haircut"],
    ["bucks against dollars", "what can I cook for 20 bucks for four people", "what can I cook for 20 dollars for four people"],
    ["USD against US dollars", "convert 250 USD to yen", "convert 250 US dollars to yen"],
    ["US$ against USD", "is US$99 a year worth it for the pro plan", "is 99 USD a year worth it for the pro plan"],
    ["yuan against RMB", "what is 800 yuan in pounds", "what is 800 RMB in pounds"],
  ])("lets %s pass", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});

describe("a comma that sets off the one addressed", () => {
  it.each([
    ["a vocative after an imperative", "time to feed, children", "time to feed children"],
    ["a name after a verb", "we should visit, Grandpa", "we should visit Grandpa"],
    ["a pronoun", "we're ready to serve, everyone!", "we're ready to serve everyone!"],
    ["the comma on the other side", "time to wash Rover", "time to wash, Rover"],
  ])("refuses %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toMatch(/^punctuation: a comma/);
  });

  it.each([
    ["a courtesy before the comma", "please, translate this paragraph into German", "please translate this paragraph into German"],
    [
      "a noun that does not end the sentence",
      "after you cook, rice needs to rest for ten minutes",
      "after you cook rice needs to rest for ten minutes",
    ],
    ["a comma inside code", "why does `max(a, b)` fail on strings", "why does `max(a,b)` fail on strings"],
    ["a comma kept on both sides", "let's go, team", "let's go, team!"],
  ])("lets %s pass", (_rule, a, b) => {
    expect(mismatch(a, b) ?? "").not.toMatch(/^punctuation/);
  });
});

describe("a prompt about its own wording", () => {
  it.each([
    [
      "a colon that moves the subject",
      "Explain this sentence: Private property no trespassing violators will be prosecuted",
      "Explain this sentence: Private property, no trespassing: violators will be prosecuted",
    ],
    [
      "a comma that changes who is meant",
      "is this grammatical: I met the twins, Anna and Ben",
      "is this grammatical: I met the twins Anna and Ben",
    ],
    [
      "a full stop that splits a clause",
      "punctuate this for me: after eating the dog went to sleep",
      "punctuate this for me: after eating, the dog went to sleep",
    ],
  ])("refuses %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toMatch(/^punctuation: the prompt asks about its wording/);
  });

  it.each([
    [
      "the question reworded around the same text",
      "what does this sentence mean: Time flies like an arrow",
      "what is the meaning of this sentence: Time flies like an arrow",
    ],
    [
      "a final mark",
      "does this sentence read right: the data shows a clear trend",
      "does this sentence read right: the data shows a clear trend?",
    ],
    [
      "a quoted passage, which quotes already read",
      'is this grammatical: "Me and Sam went home."',
      '"Me and Sam went home." is this grammatical?',
    ],
  ])("lets %s pass", (_rule, a, b) => {
    expect(mismatch(a, b) ?? "").not.toMatch(/^punctuation/);
  });
});

describe("the red team's last holes", () => {
  it.each([
    ["two letters WordNet reads otherwise", "what does an MP do in parliament", "what does a military police do in parliament"],
    ["two letters with two spelt senses", "how is AI used in dairy herds", "how is artificial intelligence used in dairy herds"],
    ["milli against mega before seconds", "is 40 ms too slow for a database query", "is 40 Ms too slow for a database query"],
    ["quotes in a search", 'how do I search slack for "out of office" messages', "how do I search slack for out of office messages"],
    ["the sides of a match, reordered by the canonical order", "Lyon vs Nice 2-0, who scored first", "Nice vs Lyon 2-0, who scored first"],
  ])("refuses %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it.each([
    ["two letters WordNet does not know", "best JS testing framework", "best JavaScript testing framework"],
    ["three letters by their initials", "what does the CPU do in a laptop", "what does the central processing unit do in a laptop"],
    ["seconds written out", "is 40 ms too slow for a database query", "is 40 milliseconds too slow for a database query"],
    ["the same quotes in a search", 'search the docs for "rate limit"', 'search the docs for "rate limit" please'],
  ])("lets %s pass", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});

describe("the review's holes", () => {
  it.each([
    ["the assistant as the topic against the asker alone", "can you see my calendar", "can I see my calendar"],
    ["the assistant as the topic, a question of duty", "should you warn my landlord", "should I warn my landlord"],
    ["a Roman numeral after a king's name", "the castles of the reign of Edward I", "the castles of the reign of Edward"],
    ["a Roman numeral before 'of'", "who was Frederick I of Prussia", "who was Frederick of Prussia"],
  ])("refuses %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it.each([
    ["the asker in both, one progressive", "should I be studying Go", "should I study Go"],
    ["the pronoun after a name, before its verb", "in Kotlin I use coroutines for this", "in Kotlin I use coroutines for this?"],
  ])("lets %s pass", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});
