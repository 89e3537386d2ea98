import { describe, expect, it } from "vitest";
import { corefSame, MAX_CONTEXT_CHARS, readContext } from "../../src/cache/semantic/guard-coref.js";
import { createLexicalEmbedder } from "../../src/cache/semantic/lexical.js";
import { createSemanticIndex } from "../../src/cache/semantic/memory-index.js";
import { systemClock } from "../../src/core/clock.js";

const said = (...turns: string[]) => readContext(turns.map((content, i) => ({ role: i % 2 ? "assistant" : "user", content })));
const same = (turns: string[], a: string, b: string) => corefSame(said(...turns), a, b) && corefSame(said(...turns), b, a);

describe("coreference to the conversation", () => {
  it("reads a personal pronoun as the only person the turns name", () => {
    expect(same(["My neighbour Bartek lent me his ladder.", "That was kind."], "how do I thank Bartek", "how do I thank him")).toBe(true);
    expect(
      same(["I'm having lunch with Yusuf on Friday."], "what should I ask Yusuf about his trip", "what should I ask him about his trip"),
    ).toBe(true);
    expect(same(["Yusuf and Omar are coming for lunch."], "what should I cook for Yusuf", "what should I cook for him")).toBe(false);
    expect(same(["The waiter brought Ines the wrong soup."], "how should Ines complain", "how should she complain")).toBe(false);
    // An animal is "he" or "she" too: "a cat called Miso" is one, beside a hamster two.
    expect(same(["I have a cat called Miso."], "how do I bathe Miso", "how do I bathe her")).toBe(true);
    expect(same(["I have a cat called Miso and a hamster."], "how do I bathe Miso", "how do I bathe her")).toBe(false);
  });

  it("reads 'there' as the only place, and 'the two' as the only two names", () => {
    expect(same(["We're spending a week in Kraków."], "where can we hire bikes in Kraków", "where can we hire bikes there")).toBe(true);
    expect(
      same(["We're spending a week in Kraków and Gdańsk."], "where can we hire bikes in Kraków", "where can we hire bikes there"),
    ).toBe(false);
    expect(same(["Should I learn Kotlin or Swift first?"], "which of Kotlin and Swift pays better", "which of the two pays better")).toBe(
      true,
    );
    expect(
      same(["Should I learn Kotlin, Swift or Dart first?"], "which of Kotlin and Swift pays better", "which of the two pays better"),
    ).toBe(false);
  });

  it("reads 'that N' as the N the turns name with its value, while they name no other", () => {
    expect(same(["The lift stops at floor 12 only."], "is floor 12 accessible by stairs", "is that floor accessible by stairs")).toBe(true);
    expect(
      same(["The lift stops at floor 12 and floor 14."], "is floor 12 accessible by stairs", "is that floor accessible by stairs"),
    ).toBe(false);
    expect(same(["The lift stops at floor 12 after 9 pm."], "is floor 12 accessible by stairs", "is that floor accessible by stairs")).toBe(
      false,
    );
  });

  it("reads 'the N' as the only name, when the turns say it is an N", () => {
    expect(same(["I'm watching Casablanca.", "It's a classic film."], "who directed Casablanca", "who directed the film")).toBe(true);
    expect(same(["I'm watching a film in Casablanca tonight."], "who directed Casablanca", "who directed the film")).toBe(false);
    expect(
      same(["I'm watching Casablanca and Vertigo.", "Each is a classic film."], "who directed Casablanca", "who directed the film"),
    ).toBe(false);
    expect(
      same(
        ["I'm watching Casablanca.", "It's a classic film, like the film you saw last week."],
        "who directed Casablanca",
        "who directed the film",
      ),
    ).toBe(false);
  });

  it("reads 'it' as the one thing of the turns, never as one of two", () => {
    expect(same(["I own a Vespa."], "how do I winterise the Vespa", "how do I winterise it")).toBe(true);
    expect(same(["I own a Vespa and a Honda."], "how do I winterise the Vespa", "how do I winterise it")).toBe(false);
    expect(same(["I own a Vespa."], "how do I winterise the Honda", "how do I winterise it")).toBe(false);
    // After a verb of event, "it" may be the event: the refund, the crash, the sale.
    expect(same(["The shop refunded my kettle."], "was the kettle fair", "was it fair")).toBe(false);
    expect(same(["My tablet crashed twice today."], "is the tablet normal", "is it normal")).toBe(false);
  });

  it("reads 'there' only when no other word of the turns is a place something is in, at or near", () => {
    expect(same(["We're staying near the harbour in Bergen."], "where can we swim in Bergen", "where can we swim there")).toBe(false);
    expect(same(["We're driving to Bergen for a week."], "where can we swim in Bergen", "where can we swim there")).toBe(true);
  });

  it("keeps every other word as written, code and all", () => {
    expect(same(["I have a Vespa."], "why is a==b false for the Vespa", "why is a===b false for it")).toBe(false);
    expect(same(["I have a Vespa."], "why does the Vespa overheat on hills", "why does it overheat on hills")).toBe(true);
    expect(same(["I have a Vespa."], "why does the Vespa overheat on hills", "why does it overheat on a hill")).toBe(false);
  });

  it("resolves nothing without turns, past its bound, or when more than the pointer differs", () => {
    expect(corefSame(readContext([]), "how do I winterise the Vespa", "how do I winterise it")).toBe(false);
    expect(
      corefSame(said(`I own a Vespa. ${"x ".repeat(MAX_CONTEXT_CHARS)}`), "how do I winterise the Vespa", "how do I winterise it"),
    ).toBe(false);
    expect(same(["I own a Vespa."], "how do I sell the Vespa", "how do I winterise it")).toBe(false);
    expect(same(["I own a Vespa."], "how do I winterise the Vespa", "how do I winterise it quickly")).toBe(false);
  });

  it("is given the scope's earlier turns by the index at lookup, and never resolves without them", async () => {
    const index = createSemanticIndex({ embedder: createLexicalEmbedder(), threshold: -1, maxEntries: 10, clock: systemClock });
    await index.add("t", "s", "how do I winterise the Vespa", "k", 60_000);
    const one = [{ role: "user", content: "I own a Vespa." }];
    const two = [{ role: "user", content: "I own a Vespa and a Honda." }];
    expect((await index.find("t", "s", "how do I winterise it", one))?.key).toBe("k");
    expect(await index.find("t", "s", "how do I winterise it", two)).toBeUndefined();
    expect(await index.find("t", "s", "how do I winterise it")).toBeUndefined();
  });
});
