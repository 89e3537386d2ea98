import { mediaTokens } from "./media.js";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { Pieces } from "./token-pieces.js";
import type { ChatMessage } from "./types.js";

/** A tokenizer the gateway can count with; "estimate" counts with o200k_base and says so. */
export type TokenizerName = "o200k_base" | "cl100k_base" | "estimate";

/** A token count and how much to trust it. */
export interface TokenCount {
  tokens: number;
  estimated: boolean;
  tokenizer: string;
}

/** The part of a gpt-tokenizer encoding the gateway uses. */
export interface Encoding {
  setMergeCacheSize(size: number): void;
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
  encode(text: string, options: { disallowedSpecial: Set<string> }): number[];
  decodeGenerator(tokens: Iterable<number>): Generator<string, void, void>;
}

/**
 * Picks the tokenizer for an upstream model name when the catalogue does not
 * name one: OpenAI's current families use o200k_base, GPT-4 and GPT-3.5 use
 * cl100k_base; every other model (Claude, Llama, Mistral...) gets an estimate,
 * because no exact offline tokenizer exists for it.
 */
export function tokenizerFor(upstreamModel: string): TokenizerName {
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/.test(upstreamModel)) return "o200k_base";
  if (/^(gpt-4|gpt-3\.5)/.test(upstreamModel)) return "cl100k_base";
  return "estimate";
}

// A caller's text is only ever text: "<|endoftext|>" in a prompt is counted as the characters it is,
// never as a special token (gpt-tokenizer would otherwise refuse it by throwing).
const PLAIN = { disallowedSpecial: new Set<string>() };

const loading = new Map<"o200k_base" | "cl100k_base", Promise<Encoding>>();

/**
 * The encoding of a tokenizer, loaded on first use: the ranks cost tens of
 * megabytes, and a gateway that never counts never pays for them.
 */
export function encodingOf(tokenizer: TokenizerName): Promise<Encoding> {
  const name = tokenizer === "cl100k_base" ? "cl100k_base" : "o200k_base";
  let p = loading.get(name);
  if (!p) {
    p = loadEncoding(name);
    loading.set(name, p);
  }
  return p;
}

const MERGE_CACHE_ENTRIES = 10_000;
const require = createRequire(import.meta.url);

/**
 * Builds an encoding from the `.tiktoken` file gpt-tokenizer ships rather
 * than by importing its module of the same ranks: compiling that module (a
 * 2.4 MB array literal for o200k_base) leaves about 25 MB more resident than
 * reading the file does (docs/benchmarks.md, Memory). The ranks are the same.
 */
async function loadEncoding(name: "o200k_base" | "cl100k_base"): Promise<Encoding> {
  const [{ GptEncoding }, file] = await Promise.all([
    import("gpt-tokenizer/GptEncoding"),
    readFile(require.resolve(`gpt-tokenizer/data/${name}.tiktoken`), "latin1"),
  ]);
  const ranks = await ranksOf(file);
  const encoding: Encoding = GptEncoding.getEncodingApi(name, () => ranks);
  // The tokenizer remembers merges of pre-tokens it has seen, 100,000 by default; callers choose
  // the text, so keep it to what common words need (a few megabytes at most).
  encoding.setMergeCacheSize(MERGE_CACHE_ENTRIES);
  return encoding;
}

/**
 * The token of each rank from a `.tiktoken` file (a line per token: its bytes
 * in base64, a space, its rank), as gpt-tokenizer takes them: a string when
 * the bytes are UTF-8 text that encodes back to them, the bytes themselves
 * otherwise. Yields to the event loop as it goes, like counting does.
 */
export async function ranksOf(tiktoken: string): Promise<(string | number[])[]> {
  // The decoder drops a leading byte-order mark: such tokens stay bytes, as gpt-tokenizer has them.
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const ranks: (string | number[])[] = [];
  let sliceStart = performance.now();
  for (let start = 0, line = 0; start < tiktoken.length; line++) {
    const next = tiktoken.indexOf("\n", start);
    const end = next < 0 ? tiktoken.length : next;
    const space = tiktoken.indexOf(" ", start);
    if (space > start && space < end) {
      const bytes = Buffer.from(tiktoken.slice(start, space), "base64");
      let text: string | undefined;
      try {
        text = utf8.decode(bytes);
      } catch {
        // Not UTF-8 on its own (part of a character): bytes.
      }
      ranks[Number(tiktoken.slice(space + 1, end))] =
        text !== undefined && Buffer.byteLength(text) === bytes.length ? text : Array.from(bytes);
    }
    start = end + 1;
    if (line % 1024 === 0 && performance.now() - sliceStart > SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  return ranks;
}

// Counting yields to the event loop after this much work, so that no caller's text holds up the others.
const SLICE_MS = 4;

/** Resolves on the next turn of the event loop, after pending I/O. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Counts tokens of many texts in time slices: linear in the input, and never
 * more than a few milliseconds of the event loop at a stretch. With `limit`,
 * stops as soon as the count passes it (the caller only needs to know that).
 */
export class TokenTally {
  tokens = 0;
  exact = true;
  private sliceStart = performance.now();

  constructor(
    private readonly encoding: Encoding,
    private readonly limit = Infinity,
  ) {}

  /** True once the count has passed the limit; later texts are not counted. */
  get over(): boolean {
    return this.tokens > this.limit;
  }

  async add(text: string): Promise<void> {
    if (text.length === 0 || this.over) return;
    const pieces = new Pieces(text);
    try {
      for (const piece of pieces) {
        this.tokens += this.encoding.countTokens(piece, PLAIN);
        if (this.over) return;
        if (performance.now() - this.sliceStart > SLICE_MS) {
          await nextTurn();
          this.sliceStart = performance.now();
        }
      }
    } finally {
      if (!pieces.exact) this.exact = false;
    }
  }
}

/**
 * The start of a text that is at most `tokens` tokens long: whole tokens, cut back to a prefix of the
 * text where a token ends inside a character.
 */
export async function leadingTokens(text: string, tokens: number, tokenizer: TokenizerName): Promise<string> {
  if (tokens <= 0) return "";
  const encoded = (await encodingOf(tokenizer)).encode(text, PLAIN);
  if (encoded.length <= tokens) return text;
  const encoding = await encodingOf(tokenizer);
  for (let k = tokens; k > 0; k--) {
    const head = [...encoding.decodeGenerator(encoded.slice(0, k))].join("");
    if (text.startsWith(head)) return head;
  }
  return "";
}

/** Counts the tokens of a piece of text. */
export async function countTextTokens(text: string, tokenizer: TokenizerName): Promise<number> {
  if (text.length === 0) return 0;
  const tally = new TokenTally(await encodingOf(tokenizer));
  await tally.add(text);
  return tally.tokens;
}

/** Encodes text to token ids, in bounded pieces (the local model streams them). */
export async function encodeText(text: string, tokenizer: TokenizerName, maxTokens = Infinity): Promise<number[]> {
  const encoding = await encodingOf(tokenizer);
  const out: number[] = [];
  let sliceStart = performance.now();
  for (const piece of new Pieces(text)) {
    for (const t of encoding.encode(piece, PLAIN)) {
      if (out.length >= maxTokens) return out;
      out.push(t);
    }
    if (performance.now() - sliceStart > SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  return out;
}

// OpenAI's chat format wraps each message in a few special tokens and primes the reply
// with three more; the same framing is a fair estimate for other chat models.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING_TOKENS = 3;

/**
 * Counts the prompt tokens of a conversation as a chat model would see it.
 * With `limit`, counting stops once the count passes it: the result is then
 * some number above the limit, which is all a context check needs.
 */
export async function countMessageTokens(
  messages: readonly ChatMessage[],
  tokenizer: TokenizerName,
  limit = Infinity,
): Promise<TokenCount> {
  const tally = new TokenTally(await encodingOf(tokenizer), limit);
  tally.tokens = REPLY_PRIMING_TOKENS;
  for (const m of messages) {
    tally.tokens += TOKENS_PER_MESSAGE;
    await tally.add(m.content);
    if (m.parts) tally.tokens += mediaTokens([m]);
    if (m.name) {
      tally.tokens += TOKENS_PER_NAME;
      await tally.add(m.name);
    }
    for (const call of m.toolCalls ?? []) {
      await tally.add(call.name);
      await tally.add(call.argumentsJson);
    }
    if (tally.over) break;
  }
  const estimated = tokenizer === "estimate" || !tally.exact;
  return { tokens: tally.tokens, estimated, tokenizer: tokenizer === "estimate" ? "estimate:o200k_base" : tokenizer };
}

/** About four characters a token: free on the hot path, good enough for prices and limits. */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  return Math.ceil(chars / 4) + mediaTokens(messages);
}
