import { describe, expect, it } from "vitest";
import { guardFeatures, guardMismatch } from "../../src/cache/semantic/guard.js";

/*
 * Hedges, asides and frames read by grammar (guard-hedges.ts): each rule beside near misses of the same shape,
 * where the negation, modal or tense belongs to the question. Sentences written for these tests.
 */
const mismatch = (a: string, b: string) => guardMismatch(guardFeatures(a), guardFeatures(b));
const same = (pairs: [string, string][]) => {
  for (const [a, b] of pairs) expect(mismatch(a, b), `${a} | ${b}`).toBeUndefined();
};
const differ = (pairs: [string, string][]) => {
  for (const [a, b] of pairs) expect(mismatch(a, b), `${a} | ${b}`).toBeDefined();
};

describe("asides about the asking", () => {
  it("go with their negation or modal when they fill a clause or stand before 'but' or a question", () => {
    same([
      ["Not sure if anyone can help me with this but how do I descale a kettle?", "How do I descale a kettle?"],
      ["this may sound naive, but why is the ocean salty", "why is the ocean salty"],
      ["what does a notary do? I never quite understood that", "what does a notary do?"],
      ["I'm not sure, but is quinoa a grain?", "is quinoa a grain?"],
      ["nothing urgent but when does daylight saving end this year", "when does daylight saving end this year"],
      ["Could you check my CV for typos? I'd be eternally grateful", "Could you check my CV for typos?"],
      ["why do onions make you cry? i never really got it tbh", "why do onions make you cry?"],
    ]);
  });

  it("but an aside with content of its own stays", () => {
    differ([
      ["I'm not sure the shop is open. Is it?", "Is it?"],
      ["I never drink milk; how do I get enough calcium?", "how do I get enough calcium?"],
      ["I never got it. How do I track my parcel?", "How do I track my parcel?"],
      ["I don't understand taxes, what should I ask an accountant?", "what should I ask an accountant?"],
      ["Not sure if I can help with this, but how do I reset the router?", "how do I reset the router?"],
    ]);
  });

  it("and a negation or modal in the question itself is the question's", () => {
    differ([
      ["why is the dishwasher not draining", "why is the dishwasher draining"],
      ["can't I return opened software", "can I return opened software"],
      ["I'm not sure, but why isn't my code compiling", "why is my code compiling"],
    ]);
  });
});

describe("'how'd', 'what'd', 'where'd'", () => {
  it("are 'did' before a subject in the third person and a bare verb", () => {
    same([
      ["how'd the Egyptians move the stones", "how did the Egyptians move the stones"],
      ["where'd the word 'robot' come from", "where did the word 'robot' come from"],
      ["what'd Lincoln say at Gettysburg", "what did Lincoln say at Gettysburg"],
    ]);
  });

  it("and 'would' before the asker or the assistant, a verb without subject, or in a conditional", () => {
    differ([
      ["how'd you structure a thesis", "how did you structure a thesis"],
      ["how'd we pay for it", "how did we pay for it"],
      ["who'd win, a gorilla or a bear", "who won, a gorilla or a bear"],
      ["how'd the Egyptians move the stones if they had no wheels", "how did the Egyptians move the stones if they had no wheels"],
    ]);
    same([["how'd you structure a thesis", "how would you structure a thesis"]]);
  });
});

describe("permission in the first person", () => {
  it("'am I allowed to', 'are we permitted to' ask what 'may I' asks", () => {
    same([
      ["Am I allowed to bring a knife in hand luggage?", "May I bring a knife in hand luggage?"],
      ["are we permitted to fish in the canal", "may we fish in the canal"],
      ["where am I allowed to smoke in Tokyo", "where may I smoke in Tokyo"],
    ]);
  });

  it("but not what 'can', 'should', 'have to', a negation or the past ask", () => {
    differ([
      ["Am I allowed to install Linux on a school laptop?", "Can I install Linux on a school laptop?"],
      ["am I allowed to eat sushi while pregnant", "should I eat sushi while pregnant"],
      ["am I allowed to vote in local elections", "do I have to vote in local elections"],
      ["am I not allowed to fish in the canal", "am I allowed to fish in the canal"],
      ["was I allowed to fish in the canal", "am I allowed to fish in the canal"],
    ]);
  });
});

describe("titles on a participle", () => {
  it("'X explained' asks what 'explain X' asks", () => {
    same([
      ["Quantum entanglement explained", "Explain quantum entanglement"],
      ["the offside rule explained", "explain the offside rule"],
    ]);
  });

  it("but not a clause with a verb, a pronoun or a question word", () => {
    differ([
      ["has the offside rule been explained", "explain the offside rule"],
      ["how the offside rule is explained", "explain the offside rule"],
      ["she explained", "explain"],
      ["the offside rule I explained", "explain the offside rule"],
    ]);
  });
});

describe("what a question is said to be", () => {
  it("is an aside when the question is named, not when the thing asked about is described", () => {
    same([["this is probably a stupid question, but do fish sleep?", "do fish sleep?"]]);
    differ([["It's basic, but is it any good?", "is it any good?"]]);
  });
});

describe("pleas and remarks on the asking", () => {
  it("go before a question", () => {
    same([
      ["I hope this isn't a dumb question, but can penguins fly?", "can penguins fly?"],
      ["I've been meaning to ask you this for a while: why do we yawn?", "why do we yawn?"],
      ["let me see how to word this... what is a haiku?", "what is a haiku?"],
      ["I really need some help: how do I unclog a sink?", "how do I unclog a sink?"],
      ["please help, how do I restart a frozen Mac", "how do I restart a frozen Mac"],
      ["sorry to be a nuisance, but when does the pharmacy open?", "when does the pharmacy open?"],
    ]);
  });

  it("but help with something, a hope about something else, or asking someone else stays", () => {
    differ([
      ["I need help with my visa, what documents do I bring?", "what documents do I bring?"],
      ["I hope this isn't a scam, but is the prize real?", "is the prize real?"],
      ["I've been meaning to ask my landlord for a repair: how do I word it?", "how do I word it?"],
      ["I'm stuck, how do I get out of the lift", "how do I get out of the lift"],
    ]);
  });
});
