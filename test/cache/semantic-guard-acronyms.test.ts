import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * Acronyms against the words they stand for (guard-acronyms.ts): small words between the initials give no
 * letter, and an acronym defined where it is used reads as the acronym alone. Sentences written for the rule.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("acronyms spelt out", () => {
  it.each([
    ["what is an MBA worth in Spain", "what is a master of business administration worth in Spain"],
    ["what is the ETA of the ferry", "what is the estimated time of arrival of the ferry"],
    ["how often should I visit an ENT specialist", "how often should I visit an ear, nose and throat specialist"],
    ["how is CPI calculated", "how is the consumer price index (CPI) calculated"],
    ["how is the consumer price index calculated", "how is the consumer price index (CPI) calculated"],
  ])("lets %j and %j pass", (a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["what is the ETA of the ferry", "what is the estimated time of departure of the ferry"],
    ["how often should I visit an ENT specialist", "how often should I visit an ear and throat specialist"],
    ["what does the DOE regulate", "what does the Department of Education regulate"],
    ["how is CPI calculated", "how is the producer price index (PPI) calculated"],
    ["what is the consumer price index (CPI) of France", "what is the CPI"],
  ])("refuses %j against %j", (a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});
