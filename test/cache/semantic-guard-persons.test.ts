import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * The asker and the assistant (src/cache/semantic/guard-persons.ts): an impersonal subject goes, a person who is
 * the topic stays in place. Sentences written for the rule, on other topics than the red-team pairs.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));

describe("the asker against the assistant as the topic", () => {
  it.each([
    ["a state after be", "how heavy am I", "how heavy are you"],
    ["who, after be", "who were you", "who was I"],
    ["a possessive of a property", "what is my account number", "what is your account number"],
    ["a reflexive object", "summarise yourself in one line", "summarise myself in one line"],
    ["the object of a preposition", "compose a song about you", "compose a song about me"],
    ["a verb with no object", "can you sing", "can I sing"],
    ["a verb with only a preposition after it", "what do you feel about rain", "what do I feel about rain"],
    ["a question word as the object", "what languages can you write", "what languages can I write"],
    ["the object of a verb", "who trained you", "who trained me"],
    ["an adjective closing the clause", "do you get lonely", "do I get lonely"],
    ["an article after be", "are you a person", "am I a person"],
    ["a request to the assistant", "could you summarise your notes for me", "could you summarise my notes for me"],
  ])("refuses %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toMatch(/^substituted: (SELF|YOU) \/ (SELF|YOU)$/);
  });

  it.each([
    ["who calls whom", "ask Priya to ring me after lunch", "ask me to ring Priya after lunch"],
    ["who loves whom", "I trust you", "you trust me"],
  ])("refuses roles exchanged: %s", (_rule, a, b) => {
    expect(mismatch(a, b)).toBe("order: the same words in other roles");
  });
});

describe("the impersonal asker or assistant", () => {
  it.each([
    ["a how-to", "how do you sharpen a chisel", "how do I sharpen a chisel"],
    ["how with a modal", "how should we store onions", "how should I store onions"],
    ["an action and its object", "can you reheat rice twice", "can I reheat rice twice"],
    ["an action and its object after an adjective", "can you compost used coffee grounds", "can I compost used coffee grounds"],
    ["naming", "what do you call a baby kangaroo", "what do I call a baby kangaroo"],
    ["a purpose", "what do you need to renew a driving licence", "what do I need to renew a driving licence"],
    ["a condition", "what should you do if your boiler leaks", "what should I do if my boiler leaks"],
    ["an infinitive without a subject", "how to tell if a dog respects you", "how to tell if a dog respects me"],
    ["possessives that agree with an impersonal subject", "how can I clean my oven", "how do you clean your oven"],
  ])("lets %s pass", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });

  it.each([
    ["the same topic asked two ways", "what is your name", "tell me your name"],
    ["a person named on one side only", "help me plan a trip to Lisbon", "plan a trip to Lisbon"],
    ["a time phrase moved", "remind me to feed the cat at 7", "at 7 remind me to feed the cat"],
    ["a negation moved past a possessed subject", "why isn't my dough rising", "why is my dough not rising"],
  ])("lets %s pass where the persons agree", (_rule, a, b) => {
    expect(mismatch(a, b)).toBeUndefined();
  });
});
