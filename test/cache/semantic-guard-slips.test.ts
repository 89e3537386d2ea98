import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";
import { distance } from "../../src/cache/semantic/guard-neighbours.js";

/*
 * Slips of long words mended against a real lexicon (guard-neighbours.ts): the misspelt word unknown to every
 * lexicon, the other known, and no other known word as near. Sentences written for the rule.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("edit distance", () => {
  it.each([
    ["recieve", "receive", 1],
    ["colour", "color", 1],
    ["abcdef", "abcdef", 0],
    ["maintainance", "maintenance", 2],
    ["abcdefgh", "hgfedcba", 3],
  ])("%s to %s", (a, b, d) => {
    expect(distance(a, b)).toBe(d);
  });
});

describe("slips of long words with no rival", () => {
  it.each([
    ["should I send a questionnare to every guest", "should I send a questionnaire to every guest"],
    ["is a humidifer good for a baby's room", "is a humidifier good for a baby's room"],
    ["what excercise helps a bad knee", "what exercise helps a bad knee"],
    ["is dark chocolat bad for dogs", "is dark chocolate bad for dogs"],
    ["is a visa neccesary for Peru", "is a visa necessary for Peru"],
    ["what does a physiotherapsit do", "what does a physiotherapist do"],
  ])("lets %j and %j pass", (a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["what is a beginer's guide to chess", "what is a begging guide to chess"],
    ["what workflow suits a small team", "what workflows suit a small team"],
    ["what is a keyfile", "what is a keyfine"],
    ["what does a hashtag do", "what does a hastag do"],
  ])("does not mistake %j for %j", (a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it.each([
    ["one letter struck for another", "is mixtral good at coding", "is mistral good at coding"],
    ["two edits in a word of seven letters", "is codeium free", "is codeine free"],
    ["a compound of two known words", "what skillset does a barista need", "what skillet does a barista need"],
    ["another known word within two edits (begging)", "tips for a begginer cellist", "tips for a beginner cellist"],
    ["both words known", "a casual link between smoking and cancer", "a causal link between smoking and cancer"],
    ["a capital makes a name", "what is Traefik used for", "what is traffic used for"],
  ])("refuses %s: %j against %j", (_why, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("slips of a request's verb, mended alone", () => {
  it.each([
    ["how do I wirte a toast for a wedding", "how do I write a toast for a wedding"],
    ["expalin how a lock and key work", "explain how a lock and key work"],
    ["can you chekc this invoice", "can you check this invoice"],
  ])("lets %j and %j pass", (a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["how do I wirte a toast for a wedding", "how do I give a toast at a wedding"],
    ["expalin how a lock and key work", "draw how a lock and key work"],
    ["can you chekc this invoice", "can you pay this invoice"],
  ])("still refuses %j against %j: another verb", (a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});
