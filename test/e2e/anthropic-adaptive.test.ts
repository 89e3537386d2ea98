import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.js";

/*
 * Review findings on the Anthropic Messages face and the core under it, through the official SDK.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const sdk = () =>
  new Anthropic({ apiKey: "unused", baseURL: h.httpUrl, maxRetries: 0, defaultHeaders: { "anthropic-version": "2023-06-01" } });
const last = () => h.upstream.requests.at(-1)!;

describe("Anthropic face, review", () => {
  // Claude Code asks current models for adaptive thinking. Routed to a model that does not reason, that is
  // the model deciding not to think: honoured by sending nothing, not refused (an explicit budget still is).
  it("adaptive thinking to a model that does not reason is honoured by not thinking; a thinking budget is refused", async () => {
    const ask = { model: "tiny", max_tokens: 50, messages: [{ role: "user" as const, content: "hi" }] };
    h.upstream.enqueue({ text: "hello" });
    const adaptive = await sdk().messages.create({ ...ask, thinking: { type: "adaptive" } } as Anthropic.MessageCreateParamsNonStreaming);
    expect(adaptive.content).toEqual([{ type: "text", text: "hello" }]);
    expect(last().body).not.toHaveProperty("reasoning_effort");
    h.upstream.enqueue({ text: "hello" });
    await sdk().messages.create({
      ...ask,
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
    } as Anthropic.MessageCreateParamsNonStreaming);
    expect(last().body).not.toHaveProperty("reasoning_effort");
    const before = h.upstream.requests.length;
    const budget = await sdk()
      .messages.create({ ...ask, thinking: { type: "enabled", budget_tokens: 20 } })
      .catch((e: unknown) => e);
    expect(budget).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String((budget as Error).message)).toMatch(/thinking/);
    expect(h.upstream.requests.length).toBe(before);
  });
});
