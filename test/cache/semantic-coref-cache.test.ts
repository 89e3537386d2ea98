import { describe, expect, it } from "vitest";
import { createMemoryCacheStore } from "../../src/cache/memory-store.js";
import { createResponseCache } from "../../src/cache/response-cache.js";
import { createLexicalEmbedder } from "../../src/cache/semantic/lexical.js";
import type { SemanticIndex } from "../../src/cache/semantic/index.js";
import { createSemanticIndex } from "../../src/cache/semantic/memory-index.js";
import { silentLogger } from "../../src/log.js";
import { cacheTestModel, cacheTestRequest, freshAnswer } from "../support/cache-fixtures.js";
import { manualClock } from "../support/manual-clock.js";

const model = cacheTestModel;
const request = (earlier: string[], content: string) =>
  cacheTestRequest([
    ...earlier.map((c, i) => ({ role: i % 2 ? ("assistant" as const) : ("user" as const), content: c })),
    { role: "user", content },
  ]);
const answer = freshAnswer;

describe("the response cache gives the semantic index the request's earlier turns", () => {
  it("serves 'it' for the one thing the conversation named, and not where it named two", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    // Indexing runs after the answer is stored, unawaited: the test awaits it before the next lookup.
    const index = createSemanticIndex({ embedder: createLexicalEmbedder(), threshold: 0.3, maxEntries: 100, clock });
    const adding: Promise<void>[] = [];
    const semantic: SemanticIndex = { ...index, add: (...a) => adding[adding.push(index.add(...a)) - 1]! };
    const cache = createResponseCache({
      settings: { enabled: true, ttlSeconds: 3600, maxTtlSeconds: 86_400, cacheWhen: "deterministic" },
      store: createMemoryCacheStore(clock, { maxEntries: 100, maxBytes: 1_000_000 }),
      semantic,
      clock,
      logger: silentLogger,
    });
    for (const earlier of [
      ["I own a Vespa.", "OK."],
      ["I own a Vespa and a Honda.", "OK."],
    ]) {
      const first = cache.plan(request(earlier, "how do I winterise the Vespa"), model, "acme", 500);
      expect(await cache.lookup(first)).toBeUndefined();
      await cache.store(first, answer("Drain the fuel."));
    }
    await Promise.all(adding);
    const one = await cache.lookup(cache.plan(request(["I own a Vespa.", "OK."], "how do I winterise it"), model, "acme", 500));
    expect(one?.kind).toBe("hit_semantic");
    const two = await cache.lookup(cache.plan(request(["I own a Vespa and a Honda.", "OK."], "how do I winterise it"), model, "acme", 500));
    expect(two).toBeUndefined();
  });
});
