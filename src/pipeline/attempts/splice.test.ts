import { describe, expect, it } from "vitest";
import { createSplice, OVERLAP_WINDOW, splice } from "./splice.js";

const FULL = "The quick brown fox jumps over the lazy dog.";

describe("splice", () => {
  it.each([
    ["no overlap, the continuation starts where the text stopped", "The quick brown ", "fox jumps over the lazy dog."],
    ["the last word repeated", "The quick brown ", "brown fox jumps over the lazy dog."],
    ["the last words repeated", "The quick brown ", "quick brown fox jumps over the lazy dog."],
    ["a word cut in half, repeated whole", "The quick bro", "brown fox jumps over the lazy dog."],
    ["a word cut in half, continued", "The quick bro", "wn fox jumps over the lazy dog."],
    ["the space an Anthropic prefill dropped, re-sent", "The quick brown ", " fox jumps over the lazy dog."],
    ["a space both sides of the join", "The quick brown ", "  fox jumps over the lazy dog."],
    ["the space before the continuation's first word", "The quick brown", " fox jumps over the lazy dog."],
  ])("%s", (_name, delivered, continuation) => {
    expect(delivered + splice(delivered, continuation)).toBe(FULL);
  });

  it("never trims inside a word: a number's second digit is not an overlap", () => {
    expect(splice("There are 21", "1 items")).toBe("1 items");
    expect(splice("an apple", "le pie")).toBe("le pie");
  });

  it("a repeat that begins a word is trimmed, even a short one (the documented risk)", () => {
    expect(splice("There are 1", "1 items")).toBe(" items");
  });

  it("keeps a line break at the join", () => {
    expect(splice("First paragraph. ", "\n\nSecond.")).toBe("\n\nSecond.");
  });

  it("gives the same text whatever the continuation's chunking", () => {
    const delivered = "The quick brown ";
    const continuation = "quick brown fox jumps over the lazy dog.";
    for (let size = 1; size <= 6; size++) {
      const s = createSplice(delivered);
      let out = "";
      for (let i = 0; i < continuation.length; i += size) out += s.push(continuation.slice(i, i + size));
      out += s.flush();
      expect(delivered + out).toBe(FULL);
    }
  });

  it("holds only while a longer overlap is possible, then passes text through at once", () => {
    const s = createSplice("The quick brown ");
    expect(s.push("bro")).toBe("");
    expect(s.push("wn f")).toBe("f");
    expect(s.push("ox")).toBe("ox");
    expect(s.flush()).toBe("");
  });

  it("a continuation shorter than the overlap it began is released by flush", () => {
    const s = createSplice("The quick brown ");
    expect(s.push("qui")).toBe("");
    expect(s.flush()).toBe("qui");
  });

  it("never splits a surrogate pair or a combining sequence at the join", () => {
    const delivered = "Hi 👋🏽 and 🎉 ";
    const out = splice(delivered, "🎉 party 😀!");
    expect(out).toBe("party 😀!");
    expect(delivered + out).toBe("Hi 👋🏽 and 🎉 party 😀!");
    // Chunked a code unit at a time, halves of pairs arrive apart: the result is the same, every pair whole.
    const s = createSplice(delivered);
    let chunked = "";
    for (const unit of "🎉 party 😀!".split("")) chunked += s.push(unit);
    chunked += s.flush();
    expect(chunked).toBe(out);
    expect(chunked.isWellFormed()).toBe(true);
  });

  it("a delivered text ending on a lone high half never has an overlap end inside a pair", () => {
    const delivered = "smile \ud83d";
    const out = splice(delivered, "\ud83d\ude00 ok");
    // The low half must stay with its high half: nothing is trimmed.
    expect(out).toBe("\ud83d\ude00 ok");
  });

  it("multi-byte letters and CJK overlap like any other text", () => {
    expect(splice("Привет, как де", "как дела?")).toBe("ла?");
    expect(splice("日本語の文章を", "文章を続けます。")).toBe("続けます。");
  });

  it("looks back only so far: a repeat longer than the window is passed on", () => {
    const long = "word ".repeat(OVERLAP_WINDOW);
    expect(splice(long, long + "end").endsWith("end")).toBe(true);
    expect(splice(long, long + "end").length).toBeGreaterThan(OVERLAP_WINDOW);
  });
});
