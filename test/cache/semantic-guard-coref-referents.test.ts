import { describe, expect, it } from "vitest";
import { corefSame, readContext } from "../../src/cache/semantic/guard-coref.js";

/* Sixth round of coreference (docs/caching.md "The structural guard"): referents the turns leave single, each rule
 * beside near misses of its shape that must stay refused. */
const said = (...turns: string[]) => readContext(turns.map((content, i) => ({ role: i % 2 ? "assistant" : "user", content })));
const same = (turns: string[], a: string, b: string) => corefSame(said(...turns), a, b) || corefSame(said(...turns), b, a);

describe("coreference: a person named by a noun", () => {
  it("reads 'him' as the only person the turns mention, named or not", () => {
    expect(same(["My godson is ten in June."], "what book should I give my godson", "what book should I give him")).toBe(true);
    expect(same(["My neighbour watered our plants all week."], "how should I thank my neighbour", "how should I thank her")).toBe(true);
  });

  it("refuses with a second person, in either turn, or the noun said twice", () => {
    expect(same(["My godson and his brother visit in June."], "what book should I give my godson", "what book should I give him")).toBe(
      false,
    );
    expect(
      same(["My godson turns ten.", "Will his father throw a party?"], "what book should I give my godson", "what book should I give him"),
    ).toBe(false);
    expect(
      same(["My neighbour watered our plants.", "Which neighbour?"], "how should I thank my neighbour", "how should I thank her"),
    ).toBe(false);
    expect(same(["My neighbour watered our plants with Tamsin."], "how should I thank my neighbour", "how should I thank her")).toBe(false);
    expect(same([], "how should I thank my neighbour", "how should I thank her")).toBe(false);
  });

  it("does not count a place in the prompt as a person, but does count a name", () => {
    expect(same(["My godson is ten in June."], "where can I take my godson in Madrid", "where can I take him in Madrid")).toBe(true);
    expect(same(["My godson is ten in June."], "where can I take my godson with Yusuf", "where can I take him with Yusuf")).toBe(false);
  });
});

describe("coreference: what the turns' words are", () => {
  it("reads a noun-looking word after a subject as its verb ('I mentor')", () => {
    expect(same(["I mentor a designer called Oluwaseun."], "how can I encourage Oluwaseun", "how can I encourage him")).toBe(true);
    expect(same(["I mentor a designer called Oluwaseun and an intern."], "how can I encourage Oluwaseun", "how can I encourage him")).toBe(
      false,
    );
  });

  it("reads a plural opening a sentence as the kind, not a name", () => {
    expect(
      same(["We adopted a hedgehog named Bramble.", "Hedgehogs are nocturnal."], "what should Bramble eat", "what should she eat"),
    ).toBe(true);
    expect(same(["I'm moving to Ghent.", "Autumns there are wet."], "what should I pack for Ghent", "what should I pack for there")).toBe(
      false,
    );
    expect(
      same(["We adopted a hedgehog named Bramble.", "Hedgehogs like Thistle are shy."], "what should Bramble eat", "what should she eat"),
    ).toBe(false);
  });

  it("reads a capital joined to a name by 'and' or 'or' as a name, whatever else the word means", () => {
    expect(same(["We build with React or Flutter."], "which of React and Flutter has more jobs", "which of the two has more jobs")).toBe(
      true,
    );
    expect(
      same(["We build with React, Vue or Flutter."], "which of React and Flutter has more jobs", "which of the two has more jobs"),
    ).toBe(false);
    expect(same(["We test in Chrome and Safari."], "which of Chrome and Safari is stricter", "which of the two is stricter")).toBe(true);
    expect(same(["We test in Chrome, Safari and Edge."], "which of Chrome and Safari is stricter", "which of the two is stricter")).toBe(
      false,
    );
    expect(
      same(["We test in Chrome and Safari.", "And Firefox?"], "which of Chrome and Safari is stricter", "which of the two is stricter"),
    ).toBe(false);
  });
});

describe("coreference: a described thing", () => {
  it("reads 'the album' as the only name the turns say is one, however often they say so", () => {
    expect(same(["My favourite album is Blonde.", "That's a moody American album."], "who produced Blonde", "who produced the album")).toBe(
      true,
    );
    expect(same(["My favourite album is Blonde. My sister's album is Lemonade."], "who produced Blonde", "who produced the album")).toBe(
      false,
    );
    expect(
      same(
        ["My favourite album is Blonde.", "Another album you may like is Channel Orange."],
        "who produced Blonde",
        "who produced the album",
      ),
    ).toBe(false);
  });

  it("reads 'that port' beside numbers written another way, and a kind said with 'one of the'", () => {
    expect(
      same(["Redis listens on port 6380 at 127.0.0.1."], "why is port 6380 refusing connections", "why is that port refusing connections"),
    ).toBe(true);
    expect(
      same(
        ["Redis listens on port 6380 and Postgres on 5433."],
        "why is port 6380 refusing connections",
        "why is that port refusing connections",
      ),
    ).toBe(false);
    expect(
      same(
        ["Our runner uses queue 7.", "Queue 7 is one of the two priority queues."],
        "how do I drain queue 7",
        "how do I drain that queue",
      ),
    ).toBe(true);
    expect(
      same(["Our runner uses queue 7.", "Queue 7 and queue 9 are priority queues."], "how do I drain queue 7", "how do I drain that queue"),
    ).toBe(false);
  });
});

describe("coreference: a possessive read as its owner", () => {
  it("reads 'its', 'his', 'her' before a noun as the only owner the turns leave", () => {
    expect(same(["I bought a Vitamix last month."], "how do I sharpen the Vitamix's blades", "how do I sharpen its blades")).toBe(true);
    expect(
      same(
        ["I'm reading about the Congress of Vienna."],
        "what were the main outcomes of the Congress of Vienna",
        "what were its main outcomes",
      ),
    ).toBe(true);
    expect(same(["My coworker Ngozi is moving to Leeds."], "how do I plan Ngozi's leaving party", "how do I plan her leaving party")).toBe(
      true,
    );
    expect(same(["My cousin Ruben fixes bikes."], "what tools are in Ruben's workshop", "what tools are in his workshop")).toBe(true);
  });

  it("refuses a second owner, an owner the turns never name, or an owned thing that is another candidate", () => {
    expect(same(["I bought a Vitamix and a Nutribullet."], "how do I sharpen the Vitamix's blades", "how do I sharpen its blades")).toBe(
      false,
    );
    expect(same(["I bought a Vitamix.", "Did it come with a tamper?"], "how do I clean the Vitamix's lid", "how do I clean its lid")).toBe(
      false,
    );
    expect(same(["I bought a Vitamix last month."], "how do I sharpen the grinder's blades", "how do I sharpen its blades")).toBe(false);
    expect(
      same(["My coworker Ngozi is moving to Leeds with Ada."], "how do I plan Ngozi's leaving party", "how do I plan her leaving party"),
    ).toBe(false);
    expect(same(["I bought a Vitamix last month."], "how do I sharpen the Vitamix's blades", "how do I sharpen their blades")).toBe(false);
    expect(same([], "how do I sharpen the Vitamix's blades", "how do I sharpen its blades")).toBe(false);
  });

  it("reads a run of capitals inside a sentence as one name", () => {
    expect(
      same(["I'm reviewing the Good Friday Agreement."], "what were the key terms of the Good Friday Agreement", "what were its key terms"),
    ).toBe(true);
    expect(same(["I play the London System."], "what are the main plans of the London System", "what are its main plans")).toBe(true);
    expect(
      same(["I play the London System and the Colle System."], "what are the main plans of the London System", "what are its main plans"),
    ).toBe(false);
  });
});

describe("coreference: two things of one noun", () => {
  it("does not take another thing of the same noun for the one the phrase says", () => {
    expect(same(["I own a red kettle and a steel kettle."], "how do I descale the red kettle", "how do I descale it")).toBe(false);
    expect(same(["We run the Blue Pipeline and the Green Pipeline."], "how do I pause the Blue Pipeline", "how do I pause it")).toBe(false);
    expect(
      same(["We run the Blue Pipeline and the Green Pipeline."], "what are the stages of the Blue Pipeline", "what are its stages"),
    ).toBe(false);
    expect(same(["We run the Blue Pipeline."], "what are the stages of the Blue Pipeline", "what are its stages")).toBe(true);
  });
});
