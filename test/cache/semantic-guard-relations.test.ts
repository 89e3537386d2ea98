import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * Relation words and noun phrases that say the same (src/cache/semantic/guard-relations.ts), each beside the
 * near misses of its shape that must still be refused. Sentences written for these rules, on other topics
 * than the labelled sets.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("into and to after a verb of change", () => {
  it.each([
    ["convert", "convert 3 cups into millilitres", "convert 3 cups to millilitres"],
    ["translate", "translate this email into German", "translate this email to German"],
    ["turn", "how to turn old jeans into shorts", "how to turn old jeans to shorts"],
    ["change", "change the font into bold", "change the font to bold"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["another verb", "how do I get into the attic", "how do I get to the attic"],
    [
      "another verb after a verb of change",
      "convert the video and then put it into a folder",
      "convert the video and then put it to a folder",
    ],
    ["from against to", "translate this from German", "translate this to German"],
    ["the two ends turned round", "convert miles to kilometres", "convert kilometres to miles"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("a topic is one relation", () => {
  it.each([
    ["on a plural", "a beginner's course on algorithms", "a beginner's course about algorithms"],
    ["on a mass noun", "advice on nutrition for runners", "advice about nutrition for runners"],
    ["regarding", "a complaint regarding noise", "a complaint about noise"],
    ["concerning", "rules concerning drones in parks", "rules about drones in parks"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["on a device", "how to write notes on my laptop", "how to write notes about my laptop"],
    ["on a named platform", "popular podcasts on Spotify", "popular podcasts about Spotify"],
    ["on a particular thing", "a picnic on the lawn", "a picnic about the lawn"],
    ["on after a verb", "how much to spend on groceries", "how much to spend about groceries"],
    ["on a plural of a countable thing", "the best apps on phones for kids", "the best apps about phones for kids"],
    ["concerning as an adjective", "is a fever of 39 concerning", "is a fever of 39 about"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("a comparison is one shape", () => {
  it.each([
    ["difference between against vs", "what's the difference between a lease and a mortgage", "lease vs mortgage"],
    ["versus", "IPv4 versus IPv6", "difference between IPv4 and IPv6"],
    ["or, what's the difference", "latte or cappuccino, what's the difference?", "the difference between a latte and a cappuccino"],
    ["the two sides exchanged", "difference between a crocodile and an alligator", "alligator vs crocodile"],
    ["quoted words", "what's the difference between 'lay' and 'lie'", "difference between lay and lie"],
    ["a slip in difference", "whats the diffrence between a comet and an asteroid", "comet vs asteroid"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["similarities", "similarities between a lease and a mortgage", "lease vs mortgage"],
    ["a choice", "a latte or a cappuccino?", "difference between a latte and a cappuccino"],
    ["a qualifier", "difference between a comet and an asteroid in size", "comet vs asteroid"],
    ["another item", "difference between a comet and an asteroid", "comet vs meteor"],
    ["a verdict", "which is better, IPv4 or IPv6?", "IPv4 vs IPv6"],
    ["a subtraction", "what is the difference between 120 and 75", "120 vs 75"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("a noun compound against its nouns joined by a preposition", () => {
  it.each([
    ["in, after a name", "how do I squash commits in Git", "how do I squash Git commits"],
    ["about", "recommend documentaries about geology", "recommend geology documentaries"],
    ["a possessive", "what is Django's ORM", "what is the Django ORM"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    [
      "in, after a common noun (a place, a state or a medium as often as a field)",
      "how do I squash commits in git",
      "how do I squash git commits",
    ],
    ["for (a recipient as often as a purpose)", "a checklist for interviews", "an interview checklist"],
    ["an attitude's object", "how to earn trust in the board", "how to earn board trust"],
    ["an -ence head", "dependence on the supplier", "supplier dependence"],
    ["a person's complaints", "how to answer complaints about patients", "how to answer patient complaints"],
    ["a writer", "a biography about Dickens", "a Dickens biography"],
    ["an adjective", "who is the girl in green", "who is the green girl"],
    ["a container", "how heavy is a jar of honey", "how heavy is a honey jar"],
    ["a depiction", "a sketch of Picasso", "a Picasso sketch"],
    ["a language the lexicon knows", "a quiz in Italian", "an Italian quiz"],
    ["a language by its ending", "a newsletter in Spanish", "a Spanish newsletter"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("a possessive against in and by", () => {
  it.each([
    ["in, a language's plurals", "what are Haskell's type classes", "what are the type classes in Haskell"],
    ["in, an acronym", "what is Java's JIT", "what is the JIT in Java"],
    ["by, a title", "review Austen's Persuasion", "review Persuasion by Austen"],
    ["by, a title with a number", "what is Bradbury's Fahrenheit 451 about", "what is Fahrenheit 451 by Bradbury about"],
    ["by, a title of one word", "how old is Mozart's Requiem", "how old is the Requiem by Mozart"],
    ["of, across a superlative", "what are Vienna's most beautiful cafés", "what are the most beautiful cafés of Vienna"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["a person's trust", "how to keep Maria's trust", "how to keep trust in Maria"],
    ["a group's pride", "the school's pride", "pride in the school"],
    ["a common head with by", "Vermeer's portrait", "a portrait by Vermeer"],
    ["an act with by", "Google's acquisition", "the acquisition by Google"],
    ["agent against theme", "who was taught by Socrates", "who was taught Socrates"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});
