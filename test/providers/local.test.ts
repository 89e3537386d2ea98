import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { createLocalProvider } from "../../src/providers/local.js";
import type { ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { collectChunks } from "../../src/providers/collect.js";

/** A whole answer from a provider, as the gateway collects one for a unary call. */
const completeVia = async (
  p: { stream: import("../../src/providers/provider.js").Provider["stream"] },
  r: import("../../src/providers/provider.js").ProviderRequest,
  s: AbortSignal,
) => {
  const result = await collectChunks(p.stream(r, s));
  if (!result) throw new Error("the stream ended without its end");
  return result;
};

const provider = createLocalProvider({ name: "local", tokenDelayMs: 0 });
const base: ProviderRequest = {
  model: "local-echo",
  messages: [{ role: "user", content: "Tell me about gateways" }],
  maxTokens: 500,
  stop: [],
};

describe("local provider", () => {
  it("answers offline, labels itself, and counts tokens with a real tokenizer", async () => {
    const result = await completeVia(provider, base, new AbortController().signal);
    expect(result.message.content).toContain("local model");
    expect(result.message.content).toContain("Tell me about gateways");
    expect(result.finishReason).toBe("stop");
    expect(result.usage!.outputTokens).toBe(encode(result.message.content).length);
    expect(result.usage!.inputTokens).toBeGreaterThan(encode("Tell me about gateways").length);
  });

  it("honours max_tokens like a real model: cut output, finish reason length", async () => {
    const result = await completeVia(provider, { ...base, maxTokens: 3 }, new AbortController().signal);
    expect(result.usage!.outputTokens).toBe(3);
    expect(result.finishReason).toBe("length");
  });

  it("refuses by name what an echo cannot give: token probabilities, a pass-through body", async () => {
    for (const [field, request] of [
      ["logprobs", { ...base, logprobs: true }],
      ["extra_body", { ...base, extraBody: { top_k: 1 } }],
    ] as const) {
      const error = await completeVia(provider, request, new AbortController().signal).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: "INVALID_REQUEST", metadata: { field } });
    }
  });

  it("honours stop sequences", async () => {
    const result = await completeVia(provider, { ...base, stop: ["You said"] }, new AbortController().signal);
    expect(result.message.content).not.toContain("You said");
    expect(result.finishReason).toBe("stop");
  });

  it("streams one token per delta and ends with usage", async () => {
    const chunks: ProviderChunk[] = [];
    for await (const c of provider.stream({ ...base, maxTokens: 5 }, new AbortController().signal)) chunks.push(c);
    expect(chunks.filter((c) => c.type === "delta")).toHaveLength(5);
    expect(chunks.at(-1)).toMatchObject({ type: "end", finishReason: "length", usage: { outputTokens: 5 } });
  });

  it("stops streaming when the signal aborts", async () => {
    const slow = createLocalProvider({ name: "local", tokenDelayMs: 20 });
    const controller = new AbortController();
    const seen: string[] = [];
    const run = (async () => {
      for await (const c of slow.stream(base, controller.signal)) if (c.type === "delta") seen.push(c.text);
    })();
    await new Promise((r) => setTimeout(r, 70));
    controller.abort();
    await expect(run).rejects.toThrow();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(10);
  });
});
