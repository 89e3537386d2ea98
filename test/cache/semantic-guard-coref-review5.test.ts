import { describe, expect, it } from "vitest";
import { corefSame, readContext } from "../../src/cache/semantic/guard-coref.js";

const said = (...turns: string[]) => readContext(turns.map((content, i) => ({ role: i % 2 ? "assistant" : "user", content })));
const same = (turns: string[], a: string, b: string) => corefSame(said(...turns), a, b) || corefSame(said(...turns), b, a);

describe("coreference: referents the turns name in ways the lexicons miss", () => {
  it("counts stuff as a thing 'it' may mean, also where a verb in -s follows its noun", () => {
    expect(same(["I have a Vespa. The oil looks black."], "how often should I change it", "how often should I change the Vespa")).toBe(
      false,
    );
    expect(same(["I have a Vespa. The petrol smells weird."], "how do I replace it", "how do I replace the Vespa")).toBe(false);
    expect(same(["My kayak is in the shed with some luggage."], "how do I dry it", "how do I dry the kayak")).toBe(false);
    expect(same(["The oil looks black."], "how often should I change it", "how often should I change the oil")).toBe(true);
    expect(same(["I own a Vespa."], "how do I winterise it", "how do I winterise the Vespa")).toBe(true);
    // A word for stuff capitalised inside a sentence is part of a name, no thing of its own.
    expect(same(["I have a Series 3 Roomba."], "how do I empty it", "how do I empty the Roomba")).toBe(true);
  });

  it("counts a person named by a word the lexicons lack, a relative's word, or 'someone'", () => {
    expect(same(["Anna is visiting with her gf."], "what gift should I buy her", "what gift should I buy Anna")).toBe(false);
    expect(same(["Anna is visiting with her stepmom."], "what gift should I buy her", "what gift should I buy Anna")).toBe(false);
    expect(same(["I have a cat called Miso. My mum visits often."], "how do I bathe her", "how do I bathe Miso")).toBe(false);
    expect(same(["Tomasz lent me his drill. His kiddo helped."], "how do I thank him", "how do I thank Tomasz")).toBe(false);
    expect(same(["Tomasz lent me his drill. Someone else brought the screws."], "how do I thank him", "how do I thank Tomasz")).toBe(false);
    expect(same(["Tomasz lent me his drill."], "how do I thank him", "how do I thank Tomasz")).toBe(true);
  });
});
