import { describe, expect, it } from "vitest";
import { manualClock } from "../../../test/support/manual-clock.js";
import type { ChatRequest, ChatResult } from "../../core/types.js";
import { createLexicalEmbedder } from "./lexical.js";
import { createEmbeddingComparator, createExactComparator, createJudgeComparator, normaliseAnswer } from "./verify-compare.js";

const verdict = (content: string): ChatResult => ({
  id: "j",
  message: { role: "assistant", content },
  finishReason: "stop",
  usage: { inputTokens: 90, outputTokens: 1, estimated: false },
  costUsd: 0,
  provider: "p",
  model: "judge-model",
  cacheStatus: "miss",
  latencyMs: 1,
  gatewayOverheadMs: 0,
  attempts: [],
});

const pair = (cached: string, fresh: string) => ({ query: "q", cachedQuery: "c", cached, fresh });

describe("answer comparators", () => {
  it("exact: the same text once case, Unicode forms and spacing are set aside, nothing more", async () => {
    const exact = createExactComparator();
    expect(normaliseAnswer("  The  capital is\nPARIS. ")).toBe("the capital is paris.");
    expect(await exact.same(pair("The capital is Paris.", "the capital  is PARIS.\n"))).toBe(true);
    expect(await exact.same(pair("ﬁne", "fine"))).toBe(true);
    expect(await exact.same(pair("Paris is the capital.", "The capital is Paris."))).toBe(false);
    expect(await exact.same(pair("Open at 9 am.", "Open at 9 pm."))).toBe(false);
  });

  it("embedding: close answers pass, and the guard refuses close answers with other numbers", async () => {
    const lenient = createEmbeddingComparator(createLexicalEmbedder(), 0.5);
    expect(await lenient.same(pair("The capital of France is Paris.", "the capital of france is paris"))).toBe(true);
    // The structural guard reads answers as strictly as prompts: a word more is another answer.
    expect(await lenient.same(pair("The capital of France is Paris.", "The capital city of France is Paris."))).toBe(false);
    expect(await lenient.same(pair("The shop opens at 9 and closes at 17.", "The shop opens at 10 and closes at 17."))).toBe(false);
    const strict = createEmbeddingComparator(createLexicalEmbedder(), 0.999);
    expect(await lenient.same(pair("The shop doesn't open on Sundays.", "The shop does not open on Sundays."))).toBe(true);
    expect(await strict.same(pair("The shop doesn't open on Sundays.", "The shop does not open on Sundays."))).toBe(false);
  });

  it("judge: asks a model through the gateway at temperature 0 and reads only a SAME as the same", async () => {
    const seen: ChatRequest[] = [];
    let reply = "SAME";
    const judge = createJudgeComparator({
      model: "judge-model",
      clock: manualClock(),
      timeoutMs: 5_000,
      complete: () => async (request, call) => {
        seen.push(request);
        expect(call.tenant?.name).toBe("(semantic-cache)");
        return verdict(reply);
      },
    });
    expect(await judge.same(pair("Paris is the capital.", "The capital is Paris."))).toBe(true);
    expect(seen[0]).toMatchObject({ model: "judge-model", temperature: 0, cache: { noSemantic: true } });
    expect(seen[0]!.messages[1]!.content).toContain("The capital is Paris.");
    reply = "DIFFERENT: the cached one names another city";
    expect(await judge.same(pair("Lyon.", "Paris."))).toBe(false);
    reply = "I think they are the same";
    expect(await judge.same(pair("Lyon.", "Paris."))).toBe(false);
    // Identical answers need no call.
    expect(await judge.same(pair("Paris.", "paris."))).toBe(true);
    expect(seen).toHaveLength(3);
  });
});
