import { createClient } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { CacheService } from "../../gen/ts/llmgateway/v1/cache_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { CacheStatus, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * A lenient operator's settings, so that a handful of verifications decide:
 * δ 0.2, the bound at the point estimate (confidence 0.5), three observations;
 * trust none, so that every candidate waits for the bound (pure vCache).
 * Default: the default verification settings, trusting the guard, with a
 * fixed draw for the audits.
 */
async function start(settings: "lenient" | { random: number } = "lenient"): Promise<Harness> {
  h = await startHarness(
    settings === "lenient"
      ? {
          cache: {
            semantic: { enabled: true, embedder: "lexical", verify: { delta: 0.2, confidence: 0.5, minObservations: 3, trust: "none" } },
          },
        }
      : { cache: { semantic: { enabled: true, embedder: "lexical" } }, random: () => settings.random },
  );
  // The fake upstream answers by meaning, so that answers to paraphrases agree word for word.
  h.upstream.setScript((req) => {
    const messages = req.body["messages"] as { content: string }[] | undefined;
    const question = messages?.at(-1)?.content ?? "";
    // A question the guard passes (a request frame more) that gets another answer: the comparator must catch it.
    if (/^could you/i.test(question)) return { text: "Paris, on the Seine." };
    return { text: /france/i.test(question) ? "Paris." : "I do not know." };
  });
  return h;
}

const ask = (content: string, user = "ann") => ({ model: "gpt-test", temperature: 0, user, messages: [{ role: Role.USER, content }] });

async function complete(h: Harness, content: string, user?: string) {
  const res = await createClient(CompletionService, h.rpcTransport()).complete(ask(content, user));
  return { status: res.completion!.cacheStatus, content: res.completion!.message!.content };
}

const chatCalls = (h: Harness) => h.upstream.requests.filter((r) => r.path.endsWith("/chat/completions")).length;

/** Verification runs after the answer has gone out: waits until this many candidates were compared. */
async function compared(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const c = h.app.gateway.cache.verification?.().get("gpt-test");
    if (c && c.verified + c.refused >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never ${n} verifications`);
}

async function indexed(h: Harness, entries: bigint): Promise<void> {
  const cache = createClient(CacheService, h.rpcTransport());
  for (let i = 0; i < 100; i++) {
    if ((await cache.getCacheStats({})).stats!.semanticEntries >= entries) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the semantic index never reached ${entries} entries`);
}

describe("verified semantic caching through the gateway", () => {
  it("explores a paraphrase until verification allows it, then serves it; counts it all in /metrics", async () => {
    const h = await start();
    expect(await complete(h, "What is the capital of France?")).toEqual({ status: CacheStatus.MISS, content: "Paris." });
    await indexed(h, 1n);
    const paraphrases = [
      "Tell me the capital of France.",
      "Please tell me the capital of France.",
      "Tell me the capital of France, please.",
      "Can you tell me the capital of France?",
      "Tell me the capital of France please",
    ];
    const statuses: CacheStatus[] = [];
    for (const [i, q] of paraphrases.entries()) {
      const before = chatCalls(h);
      const got = await complete(h, q);
      statuses.push(got.status);
      expect(got.content).toBe("Paris.");
      // Explored means the upstream answered it; served means it did not.
      expect(chatCalls(h) - before).toBe(got.status === CacheStatus.HIT_SEMANTIC ? 0 : 1);
      if (got.status === CacheStatus.MISS) await compared(h, i + 1);
    }
    // The first three are verified (nothing is known yet); once three agree, the bound allows the rest.
    expect(statuses.slice(0, 3)).toEqual([CacheStatus.MISS, CacheStatus.MISS, CacheStatus.MISS]);
    expect(statuses.at(-1)).toBe(CacheStatus.HIT_SEMANTIC);

    const metrics = await (await fetch(`${h.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/llmgw_cache_semantic_verify_total\{model="gpt-test",result="verified"\} 3/);
    expect(metrics).toMatch(/llmgw_cache_semantic_verify_total\{model="gpt-test",result="served_verified"\} [12]/);
    expect(metrics).toMatch(/llmgw_cache_semantic_verify_total\{model="gpt-test",result="served_trusted"\} 0/);
    expect(metrics).toMatch(/llmgw_cache_semantic_verify_error_rate\{model="gpt-test"\} 0\.\d+/);

    // The same counters through CacheService, for operators without a metrics scraper.
    const { stats } = await createClient(CacheService, h.rpcTransport()).getCacheStats({});
    const counted = stats!.verification.find((v) => v.model === "gpt-test")!;
    expect(counted.verified).toBe(3n);
    expect(counted.served).toBe(counted.servedVerified);
    expect(counted.served).toBeGreaterThan(0n);
    expect(counted.estimatedErrorRate).toBeGreaterThan(0);
    expect(counted.estimatedErrorRate).toBeLessThan(1);
  });

  it("by default, serves a paraphrase seen once at once: above the threshold, passed by the guard, nothing against it", async () => {
    const h = await start({ random: 0.5 });
    expect(await complete(h, "What is the capital of France?")).toEqual({ status: CacheStatus.MISS, content: "Paris." });
    await indexed(h, 1n);
    const before = chatCalls(h);
    expect(await complete(h, "Tell me the capital of France.")).toEqual({ status: CacheStatus.HIT_SEMANTIC, content: "Paris." });
    expect(chatCalls(h)).toBe(before);
    expect(h.app.gateway.cache.verification?.().get("gpt-test")).toMatchObject({ servedTrusted: 1, servedVerified: 0, audited: 0 });
    const metrics = await (await fetch(`${h.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/llmgw_cache_semantic_verify_total\{model="gpt-test",result="served_trusted"\} 1/);
  });

  it("by default, audits a share of those hits: the caller gets the fresh answer, and the comparison is recorded", async () => {
    // A draw under the audit rate (0.05) audits every confident candidate.
    const h = await start({ random: 0.01 });
    await complete(h, "What is the capital of France?");
    await indexed(h, 1n);
    const before = chatCalls(h);
    expect(await complete(h, "Tell me the capital of France.")).toEqual({ status: CacheStatus.MISS, content: "Paris." });
    expect(chatCalls(h) - before).toBe(1);
    await compared(h, 1);
    expect(h.app.gateway.cache.verification?.().get("gpt-test")).toMatchObject({ servedTrusted: 0, audited: 1, verified: 1 });
  });

  it("refuses a candidate whose fresh answer differs", async () => {
    const h = await start();
    await complete(h, "What is the capital of France?", "bob");
    await indexed(h, 1n);
    // Close to the cached question, but the answer it gets is another one: counted as refused.
    expect(await complete(h, "Could you tell me the capital of France?", "bob")).toEqual({
      status: CacheStatus.MISS,
      content: "Paris, on the Seine.",
    });
    await compared(h, 1);
    expect(h.app.gateway.cache.verification?.().get("gpt-test")).toMatchObject({ refused: 1, verified: 0, served: 0 });
  });
});
