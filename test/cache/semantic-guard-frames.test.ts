import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";
import { splitSentences } from "../../src/cache/semantic/guard-sentences.js";

/*
 * The guard's request frames, fillers and reordered sentences (guard-frames.ts, guard-sentences.ts): each rule with
 * the paraphrases it lets through and the near misses of the same shape it must still refuse. Sentences written
 * for these tests, not taken from the labelled sets.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("a request for a way to do something is one request, however it is framed", () => {
  it.each([
    [
      "how do I / the command to",
      "How do I check which ports are open on a server?",
      "Give me the command to check which ports are open on a server.",
    ],
    ["how can I / how to", "how can I mute a group chat on WhatsApp", "how to mute a group chat on WhatsApp"],
    [
      "how could we / the steps to",
      "How could we migrate a blog from WordPress to Ghost?",
      "What are the steps to migrate a blog from WordPress to Ghost?",
    ],
    ["is there a way to / how do I", "Is there a way to merge two PDF files?", "How do I merge two PDF files?"],
    ["the right way to / how do you", "What's the right way to fold a fitted sheet?", "How do you fold a fitted sheet?"],
    ["walk me through V-ing", "Walk me through filing a tax return as a freelancer.", "How do I file a tax return as a freelancer?"],
    ["tell me how I can / show me how to", "Tell me how I can pin a tab in Firefox.", "Show me how to pin a tab in Firefox."],
    ["a terse 'best way to'", "best way to remove a stripped screw", "How do I remove a stripped screw?"],
    ["list the steps to", "List the steps to reset a smoke detector.", "What are the steps to reset a smoke detector?"],
    ["how does one go about", "How does one go about patenting an invention?", "How do I patent an invention?"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["a how-to against the text itself", "How do I write an acceptance speech?", "Write an acceptance speech."],
    [
      "a method to translate against a translation",
      "Is there a way to translate a website into Polish?",
      "Translate a website into Polish.",
    ],
    ["explaining how to summarise against a summary", "Explain how to summarise a court ruling.", "Summarise a court ruling."],
    ["'should' asks for a choice", "How should I spend a bonus?", "How do I spend a bonus?"],
    ["'should' against 'can' outside a how-to", "Can I drink coffee while pregnant?", "Should I drink coffee while pregnant?"],
    ["a narrowed way", "What's the quickest way to defrost a freezer?", "How do I defrost a freezer?"],
    ["several ways against the way", "What are some ways to reduce food waste?", "How do I reduce food waste?"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("explain, and the meaning of a word", () => {
  it.each([
    ["explain before a why-question", "Explain why leaves change colour in autumn.", "Why do leaves change colour in autumn?"],
    ["explain to me before a how-question", "Explain to me how a jet engine works.", "How does a jet engine work?"],
    ["explain what X is", "Could you explain what a mortgage broker is?", "What is a mortgage broker?"],
    [
      "explain the difference",
      "Explain the difference between a virus and a bacterium.",
      "What's the difference between a virus and a bacterium?",
    ],
    ["what does X mean / the meaning of X", "What does 'sonder' mean?", "What is the meaning of 'sonder'?"],
    ["what is meant by the term X", "What is meant by the term escrow?", "What does escrow mean?"],
    ["explain what X means", "Explain what quorum means.", "What does quorum mean?"],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["explaining against writing", "Explain a villanelle.", "Write a villanelle."],
    ["explaining against summarising", "Explain the Treaty of Westphalia.", "Summarise the Treaty of Westphalia."],
    ["a meaning in a field", "What does 'margin' mean?", "What does 'margin' mean in accounting?"],
    ["what it means against what it does", "What does the sticky bit mean?", "What does the sticky bit do?"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("fillers that frame a question", () => {
  it.each([
    ["quick question, before a comma", "Quick question, how long does paint take to dry?", "How long does paint take to dry?"],
    ["a question named before a colon", "Dumb question: is a peanut a nut?", "Is a peanut a nut?"],
    ["I was just wondering whether", "I was just wondering whether hedgehogs hibernate.", "Do hedgehogs hibernate?"],
    ["standing alone at the end", "What year did the Berlin Wall fall? Just curious.", "What year did the Berlin Wall fall?"],
    ["for me closing a request", "Could you rewrite this paragraph for me?", "Rewrite this paragraph."],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["a filler word used as content", "Real quick, how do I warm up before a run?", "How do I warm up quickly before a run?"],
    ["a question named before a topic", "Quick question about VAT rates", "VAT rates"],
    ["for us says how many", "Book a table for us.", "Book a table."],
    ["for me after a relative clause", "Suggest a diet that works for me.", "Suggest a diet that works."],
    ["in simple terms is an audience", "Explain black holes.", "Explain black holes in simple terms."],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });
});

describe("sentences in another order", () => {
  it.each([
    [
      "facts before the question exchanged",
      "I'm a nurse. I work night shifts. How can I sleep during the day?",
      "I work night shifts. I'm a nurse. How can I sleep during the day?",
    ],
    [
      "the question moved first",
      "We have a toddler. Is Lisbon good for a family holiday?",
      "Is Lisbon good for a family holiday? We have a toddler.",
    ],
    [
      "whole clauses joined by ', and'",
      "I live in Denver, and my partner lives in Austin. Where should we meet?",
      "My partner lives in Austin. I live in Denver. Where should we meet?",
    ],
    [
      "a comparison that names both sides",
      "Is tea healthier than coffee? I drink four cups a day.",
      "I drink four cups a day. Is tea healthier than coffee?",
    ],
  ])("%s", (_, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["steps named as steps", "First wet the brush. Then dip it in the paint.", "First dip it in the paint. Then wet the brush."],
    ["two instructions exchanged", "Peel the potatoes. Boil them for twenty minutes.", "Boil them for twenty minutes. Peel the potatoes."],
    [
      "instructions without a pronoun",
      "Drain the tank. Replace the valve. How long will it take?",
      "Replace the valve. Drain the tank. How long will it take?",
    ],
    [
      "actions in the present exchanged",
      "I go to the gym. I eat breakfast. Should I exercise on an empty stomach?",
      "I eat breakfast. I go to the gym. Should I exercise on an empty stomach?",
    ],
    [
      "actions of a named subject exchanged",
      "The baby eats at noon. The baby sleeps for two hours. Why does the baby cry in the evening?",
      "The baby sleeps for two hours. The baby eats at noon. Why does the baby cry in the evening?",
    ],
    [
      "past events exchanged",
      "I changed my password. My account got locked. What happened?",
      "My account got locked. I changed my password. What happened?",
    ],
    [
      "a pronoun whose sentence moved away from what it names",
      "I own a bike. I rent a car. It needs new tyres, where should I go?",
      "I rent a car. I own a bike. It needs new tyres, where should I go?",
    ],
    [
      "a comparative that leans on the sentence before",
      "Anna is 30. Her brother is older. How old could he be?",
      "Her brother is older. Anna is 30. How old could he be?",
    ],
    [
      "numbered steps",
      "1. Stop the service. 2. Delete the cache. Is that enough?",
      "1. Delete the cache. 2. Stop the service. Is that enough?",
    ],
    ["code is not split", "x = 2; y = x * 3; what is y?", "y = x * 3; x = 2; what is y?"],
    ["a question does not match a statement", "Is the museum open. I arrive at noon?", "I arrive at noon. Is the museum open?"],
  ])("%s is still refused", (_, a, b) => {
    expect(mismatch(a, b)).toBeDefined();
  });

  it("splits only where it may, and stays bounded", () => {
    expect(splitSentences("How do I renew my passport?")).toBeUndefined();
    expect(splitSentences("I like apples, pears, and the grapes. Which is healthiest?")?.map((s) => s.text)).toEqual([
      "I like apples, pears, and the grapes.",
      "Which is healthiest?",
    ]);
    expect(splitSentences('He said "stop. now." Why?')).toBeUndefined();
    // Past the sentence bound the prompt is compared whole.
    expect(splitSentences("It rains. ".repeat(9))).toBeUndefined();
    // A prompt past the analysis bound is compared as written, its sentences too.
    const long = `My flat is ${"very ".repeat(420)}small. I have a cat. Which plants are safe?`;
    expect(splitSentences(long)).toBeUndefined();
    const hostile = "a. ".repeat(600);
    expect(mismatch(hostile, `b. ${hostile}`)).toBeDefined();
  });
});
