import { readFileSync, readdirSync } from "node:fs";
import { countTokens as wholeO200k } from "gpt-tokenizer/encoding/o200k_base";
import { countTokens as wholeCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { describe, expect, it } from "vitest";
import { piecesOf } from "./token-pieces.js";
import { countMessageTokens, countTextTokens, encodeText, leadingTokens, ranksOf } from "./tokens.js";

const PLAIN = { disallowedSpecial: new Set<string>() };

/** Real text of several kinds from this repository: prose, code, protos, configuration. */
function corpus(): string[] {
  const root = new URL("../../", import.meta.url).pathname;
  const files = [
    "README.md",
    "docs/caching.md",
    "src/pipeline/pipeline.ts",
    "proto/llmgateway/v1/types.proto",
    "package-lock.json",
    "examples/tools.yaml",
  ];
  for (const f of readdirSync(`${root}docs`)) if (f.endsWith(".md")) files.push(`docs/${f}`);
  return files.map((f) => readFileSync(`${root}${f}`, "utf8"));
}

describe("token counting", () => {
  it.each(["o200k_base", "cl100k_base"])(
    "reads the %s ranks from the shipped .tiktoken file exactly as gpt-tokenizer bundles them",
    async (name) => {
      const bundled: (string | number[])[] = (await import(`gpt-tokenizer/bpeRanks/${name}`)).default;
      const read = await ranksOf(readFileSync(new URL(import.meta.resolve(`gpt-tokenizer/data/${name}.tiktoken`)), "latin1"));
      expect(read.length).toBe(bundled.length);
      let differ = 0;
      for (let rank = 0; rank < bundled.length; rank++) {
        const a = bundled[rank];
        const b = read[rank];
        if (typeof a === "string" ? a !== b : typeof b === "string" || b === undefined || a === undefined || a.join() !== b.join())
          differ++;
      }
      expect(differ).toBe(0);
      // Both kinds of token occur: text, and bytes that are not UTF-8 on their own.
      expect(read.some((t) => typeof t !== "string")).toBe(true);
    },
  );

  it("counts ordinary text exactly: the pieces are cut where the tokenizer splits anyway", async () => {
    const texts = [...corpus(), "Hello, world!\n\nfoo  bar\t\tbaz\r\nqux /path\n/slash", "x".repeat(10) + " y\n\n\n z"];
    for (const text of texts) {
      const { pieces, exact } = piecesOf(text);
      if (!exact) continue;
      expect(pieces.join("")).toBe(text);
      expect(await countTextTokens(text, "o200k_base")).toBe(wholeO200k(text, PLAIN));
      expect(await countTextTokens(text, "cl100k_base")).toBe(wholeCl100k(text, PLAIN));
    }
    // Most of the corpus needs no hard cut at all.
    expect(texts.filter((t) => piecesOf(t).exact).length).toBeGreaterThanOrEqual(texts.length - 2);
  });

  it("counts special-token text as plain text instead of throwing", async () => {
    expect(await countTextTokens("a <|endoftext|> b <|im_start|>", "o200k_base")).toBe(wholeO200k("a <|endoftext|> b <|im_start|>", PLAIN));
    const encoded = await encodeText("<|endoftext|>", "o200k_base");
    expect(encoded.length).toBeGreaterThan(1);
  });

  it("never splits a surrogate pair, and keeps every character", () => {
    const text = "😀".repeat(5000) + "漢".repeat(3000);
    const { pieces, exact } = piecesOf(text);
    expect(exact).toBe(false);
    expect(pieces.join("")).toBe(text);
    for (const p of pieces) expect((p.charCodeAt(p.length - 1) & 0xfc00) === 0xd800).toBe(false);
  });

  // Each of these took seconds to minutes when counted whole (quadratic BPE on one long pre-token).
  const hostile: [string, string][] = [
    ["a run of one letter", "y".repeat(1_000_000)],
    ["spaces", " ".repeat(1_000_000)],
    ["CJK without punctuation", "漢".repeat(500_000)],
    ["emoji", "😀".repeat(250_000)],
    ["alternating letters", "ab".repeat(500_000)],
    ["base64-like", Buffer.alloc(700_000, 7).toString("base64")],
  ];

  it.each(hostile)("counts a megabyte of %s in linear time, yielding the event loop as it goes", async (_kind, text) => {
    // Measured in this process's CPU time, not wall time: on a loaded machine a descheduled process
    // stalls in wall time whatever it does, while the work done between two turns of the loop is its own.
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    let done = false;
    let turns = 0;
    let last = cpu();
    let longest = 0;
    const tick = () => {
      const now = cpu();
      longest = Math.max(longest, now - last);
      last = now;
      turns++;
      if (!done) setImmediate(tick);
    };
    const started = cpu();
    setImmediate(tick);
    const count = await countMessageTokens([{ role: "user", content: text }], "o200k_base");
    done = true;
    const took = cpu() - started;
    expect(count.tokens).toBeGreaterThan(0);
    expect(count.estimated).toBe(true);
    // A loose sanity bound (the whole megabyte took minutes before); the stated bound is the longest
    // stretch of work between two turns of the event loop, which is what other callers feel.
    expect(turns).toBeGreaterThan(1);
    expect(took).toBeLessThan(10_000);
    expect(longest).toBeLessThan(100);
  });

  it("stops counting once a limit is passed", async () => {
    const counted = await countMessageTokens([{ role: "user", content: "word ".repeat(400_000) }], "o200k_base", 1000);
    expect(counted.tokens).toBeGreaterThan(1000);
    expect(counted.tokens).toBeLessThan(10_000);
  });
});

describe("leadingTokens", () => {
  it("keeps whole tokens from the start, all of a text that has no more, none for zero", async () => {
    expect(await leadingTokens(" hello world again and", 2, "o200k_base")).toBe(" hello world");
    expect(await leadingTokens("short", 10, "o200k_base")).toBe("short");
    expect(await leadingTokens("short", 0, "o200k_base")).toBe("");
  });

  it("never splits a character: a token that ends inside one is left out with it", async () => {
    const text = "ok 🦜🦜🦜 ok";
    for (let k = 1; k <= (await countTextTokens(text, "o200k_base")); k++) {
      const head = await leadingTokens(text, k, "o200k_base");
      expect(text.startsWith(head)).toBe(true);
      expect(head).not.toMatch(/\uFFFD/);
      expect(await countTextTokens(head, "o200k_base")).toBeLessThanOrEqual(k);
    }
  });
});
