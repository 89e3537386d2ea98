import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * Questions that ask for something and the imperatives that request it (guard-requests.ts): each rule with the
 * paraphrases it lets through and the near misses of the same shape it must still refuse. Sentences written for
 * these tests, not taken from the labelled sets.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("a recommendation asked for, as a question or an imperative", () => {
  it.each([
    ["a good X / suggest", "What's a good nickname for a tall friend?", "Suggest a nickname for a tall friend."],
    ["would be a X / suggest a X", "What would be a polite reply to a late invoice?", "Suggest a polite reply to a late invoice."],
    ["good Xs / recommend Xs", "what are good shrubs for a windy garden", "recommend shrubs for a windy garden"],
    ["a slip in the verb", "sugest some films set in Iceland", "suggest some films set in Iceland"],
    ["'tell me' framing an imperative", "Please tell me: name the bones of the inner ear.", "Name the bones of the inner ear."],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["a recommended value / a definition", "what is a good blood sugar level", "what is a blood sugar level"],
    ["a fact / a suggestion", "What is a word for a group of crows?", "Suggest a word for a group of crows."],
    ["'best' / 'a'", "what is the best tent for winter camping", "recommend a tent for winter camping"],
    ["several / one", "what are some toasts for a wedding", "suggest a toast for a wedding"],
    ["an example / a definition", "give me an example of a limerick", "what is a limerick"],
    ["another subject", "What's a good warm-up for sprinters?", "Suggest a good warm-up for swimmers."],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("'what Xs are/V ...' asks for the members of a set, as 'list Xs that ...' does", () => {
  it.each([
    ["what Xs are / list Xs that are", "what spices are safe for dogs", "list spices that are safe for dogs"],
    ["what A Xs V / name A Xs that V", "what desert plants store water", "name desert plants that store water"],
    // "list" before a plural with no relative clause may be a compound noun, and stays a word.
    ["'list comprehensions' is a thing", "list comprehensions in Haskell", "what are list comprehensions in Haskell"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["a list / the single most important one", "list habits that improve sleep", "what is the most important habit to improve sleep"],
    ["present / past", "what desert plants store water", "name desert plants that stored water"],
    ["another property", "what spices are safe for dogs", "list spices that are toxic for dogs"],
    // "triggers" may be the verb ("what triggers migraines"): a plural straight after "what" needs "are".
    ["a verb read as a plural", "what triggers migraines", "list triggers of migraines"],
    ["the definite set stays a question of fact", "list the moons that orbit Mars", "suggest moons that orbit Mars"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("'walk me through the X' asks how the X works", () => {
  it.each([
    ["walk me through / how does ... work", "Walk me through the electoral college.", "How does the electoral college work?"],
    ["take me through / explain how ... works", "take me through the bail process", "explain how the bail process works"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["a mechanism / a definition", "walk me through the electoral college", "what is the electoral college"],
    ["how it works / why it exists", "walk me through the electoral college", "why does the electoral college exist"],
    ["how it works / its history", "walk me through the bail process", "what is the history of the bail process"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("'is there a X to/for ...' asks for the X", () => {
  it.each([
    [
      "is there a X to / show me the X to",
      "Is there a keyboard shortcut to undo a closed tab?",
      "Show me the keyboard shortcut to undo a closed tab.",
    ],
    ["is there a X for / what is the X for", "is there a word for fear of long words", "what is the word for fear of long words"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["whether one exists / where it is", "is there a typo in this paragraph", "show me the typo in this paragraph"],
    ["a thing / a method to make it", "is there a template for a cover letter", "write a template for a cover letter"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("asking what a thing shown means or does asks to explain it", () => {
  it.each([
    ["what does this X mean / explain this X", "what does this proverb mean", "explain this proverb"],
    [
      "what does this X do: code / explain",
      "What does this one-liner do? `sort -u names.txt`",
      "Explain this one-liner: `sort -u names.txt`",
    ],
    [
      "an identifier shown after the colon",
      "what does this exception mean: NullPointerException",
      "explain this exception: NullPointerException",
    ],
    ["explain what this X does / explain this X", "explain what this cron line does: `0 4 * * 1`", "explain this cron line: `0 4 * * 1`"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["its meaning in a language / an explanation in it", "what does this proverb mean in German", "explain this proverb in German"],
    ["what it returns / the whole of it", "what does this method return", "explain this method"],
    [
      "why it happens / what it means",
      "why does this exception happen: NullPointerException",
      "explain this exception: NullPointerException",
    ],
    ["what it means / a fix", "what does this exception mean: NullPointerException", "fix this exception: NullPointerException"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("imperatives that work on a text never become a request for it", () => {
  it.each([
    ["suggest / translate", "suggest a caption for this photo", "translate the caption for this photo"],
    ["recommend / summarise", "recommend a summary of the Odyssey", "summarise the Odyssey"],
    ["recommend / review", "recommend books that are like Emma", "review books that are like Emma"],
    ["suggest / fix", "suggest a fix for this leaking tap", "fix this leaking tap"],
    ["list / write", "list poems that are about rain", "write poems that are about rain"],
  ])("%s is refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("bounded on hostile input", () => {
  it("reads a long run of requests and questions without blowing up", () => {
    const text = "what are some good ".repeat(50) + "walk me through the ".repeat(20) + "is there a x to ".repeat(20);
    expect(mismatch(text.slice(0, 1990), text.slice(0, 1990))).toBeUndefined();
  });
});

describe("a recommendation is not a request for instances (review of the fifth round)", () => {
  it.each([
    ["some X / recommend some", "what are some snacks for a long hike", "recommend some snacks for a long hike"],
    ["some good X / give me some", "What are some good warm-ups for a choir?", "Give me some warm-ups for a choir."],
    ["a number of good X / come up with", "What are four good slogans for a bike shop?", "Come up with four slogans for a bike shop."],
    ["what Xs are / recommend Xs that are", "What rain jackets are good for cycling?", "Recommend rain jackets that are good for cycling."],
    ["a story told / a story recommended", "tell me a story about dragons", "recommend a story about dragons"],
    ["any books / the best books", "list some books by Orwell", "recommend some books by Orwell"],
    ["a kind of fat / any fats", "what are some good fats", "name some fats"],
    ["a map shown / a map recommended", "show me a map of Lisbon", "recommend a map of Lisbon"],
  ])("%s is refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it.each([
    ["instances asked and listed", "what are some snacks for a long hike", "list some snacks for a long hike"],
    ["a recommendation asked and requested", "What are some good warm-ups for a choir?", "Recommend some warm-ups for a choir."],
    ["instances named", "what are four slogans for a bike shop", "come up with four slogans for a bike shop"],
  ])("%s still passes", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});
