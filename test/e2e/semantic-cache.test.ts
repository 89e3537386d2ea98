import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { CacheService } from "../../gen/ts/llmgateway/v1/cache_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { CacheStatus, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";
import { redisForFile } from "../support/redis.js";

const redis = redisForFile();

async function start(semantic: Record<string, unknown>, store = "memory"): Promise<Harness> {
  return redis.track(
    await startHarness({
      // The threshold-and-guard path: verification (on by default) is tested in verified-cache.test.ts.
      cache: { store, semantic: { enabled: true, verify: { enabled: false }, ...semantic } },
      ...(store === "redis" ? { redisUrl: redis.server.url } : {}),
    }),
  );
}

const ask = (content: string, system?: string) => ({
  model: "gpt-test",
  temperature: 0,
  user: "ann",
  messages: [...(system ? [{ role: Role.SYSTEM, content: system }] : []), { role: Role.USER, content }],
});

async function status(h: Harness, req: ReturnType<typeof ask>): Promise<{ status: CacheStatus; content: string; header: string | null }> {
  const client = createClient(CompletionService, h.rpcTransport());
  let header: string | null = null;
  const res = await client.complete(req, { onHeader: (hd) => (header = hd.get("x-cache-status")) });
  return { status: res.completion!.cacheStatus, content: res.completion!.message!.content, header };
}

async function indexed(h: Harness, entries: bigint): Promise<void> {
  const cache = createClient(CacheService, h.rpcTransport());
  for (let i = 0; i < 100; i++) {
    if ((await cache.getCacheStats({})).stats!.semanticEntries >= entries) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the semantic index never reached ${entries} entries`);
}

describe("semantic cache through the gateway", () => {
  it("never matches a question about an image by meaning, and an exact match needs the same image", async () => {
    const h = await start({ embedder: "lexical" });
    const client = createClient(CompletionService, h.rpcTransport());
    const about = (url: string, text = "What animal is in this picture?") => ({
      model: "gpt-test",
      temperature: 0,
      messages: [
        {
          role: Role.USER,
          parts: [{ part: { case: "text" as const, value: text } }, { part: { case: "image" as const, value: { url } } }],
        },
      ],
    });
    h.upstream.enqueue({ text: "A cat." }, { text: "A dog." }, { text: "A dog, again." });
    expect((await client.complete(about("https://example.com/cat.png"))).completion?.message?.content).toBe("A cat.");
    // A paraphrase of the same question about another picture: the text alone would match; it must not.
    const other = await client.complete(about("https://example.com/dog.png", "Which animal is in this picture?"));
    expect([other.completion?.cacheStatus, other.completion?.message?.content]).toEqual([CacheStatus.MISS, "A dog."]);
    // The same words about another picture: not an exact match either.
    const same = await client.complete(about("https://example.com/dog2.png"));
    expect([same.completion?.cacheStatus, same.completion?.message?.content]).toEqual([CacheStatus.MISS, "A dog, again."]);
    // The same words and the same picture: an exact hit.
    expect((await client.complete(about("https://example.com/cat.png"))).completion?.cacheStatus).toBe(CacheStatus.HIT_EXACT);
  });

  it.each([
    ["lexical", {}],
    ["openai (an OpenAI-compatible embeddings API)", { embedder: "openai", provider: "fake-openai", model: "embed-test" }],
    ["minilm (all-MiniLM-L6-v2 in a worker thread)", { embedder: "minilm" }],
  ])("answers a paraphrase from the cache and refuses near misses (%s embedder)", async (_name, semantic) => {
    const h = await start({ embedder: "lexical", ...semantic });
    h.upstream.enqueue({ text: "Paris." });
    expect((await status(h, ask("What is the capital of France?"))).status).toBe(CacheStatus.MISS);
    // The query is indexed after the answer has gone out (embedding it may take a while): wait for it.
    await indexed(h, 1n);
    const para = await status(h, ask("Tell me the capital of France."));
    expect(para).toEqual({ status: CacheStatus.HIT_SEMANTIC, content: "Paris.", header: "hit_semantic" });
    h.upstream.setDefault({ text: "Berlin." });
    expect((await status(h, ask("What is the capital of Germany?"))).content).toBe("Berlin.");
    expect((await status(h, ask("What is not the capital of France?"))).status).toBe(CacheStatus.MISS);
    // Another system prompt is another scope: no semantic (or exact) match across it.
    expect((await status(h, ask("Tell me the capital of France.", "Answer in French."))).status).toBe(CacheStatus.MISS);
    if ("provider" in semantic) expect(h.upstream.requests.some((r) => r.path.endsWith("/embeddings"))).toBe(true);
  });

  it("does not start with the minilm embedder when its model files are missing and cannot be fetched, and says why", async () => {
    const empty = mkdtempSync(join(tmpdir(), "gw-no-model-"));
    try {
      const started = startHarness({
        cache: { semantic: { enabled: true, embedder: "minilm" } },
        // Nothing listens on port 9 here: the fetch is refused, as it would be on a machine with no way out.
        env: { LLMGW_MODEL_DIR: empty, LLMGW_MODEL_MIRROR: "http://127.0.0.1:9" },
      });
      await expect(started).rejects.toThrow(
        new RegExp(`^cache\\.semantic\\.embedder is minilm, but its model files are not in ${empty} and could not be fetched .*Fix: `),
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("shares entries between replicas through Redis: one stores, another's index catches up and serves a paraphrase", async () => {
    const a = await start({ embedder: "lexical" }, "redis");
    a.upstream.enqueue({ text: "Au." });
    await status(a, ask("What is the chemical symbol for gold?"));
    // A replica started after the entry was written reads it from the stream.
    const b = await start({ embedder: "lexical" }, "redis");
    let got = CacheStatus.MISS;
    for (let i = 0; i < 40 && got !== CacheStatus.HIT_SEMANTIC; i++) {
      await new Promise((r) => setTimeout(r, 50));
      got = (await status(b, { ...ask("what's the chemical symbol for gold"), cache: { noStore: true } } as ReturnType<typeof ask>)).status;
    }
    expect(got).toBe(CacheStatus.HIT_SEMANTIC);
    expect(b.upstream.requests.filter((r) => r.path.endsWith("/chat/completions")).length).toBeLessThan(40);

    // Clearing on one replica clears the others' indexes too.
    await createClient(CacheService, a.rpcTransport()).clearCache({});
    const stats = createClient(CacheService, b.rpcTransport());
    let left = 1n;
    for (let i = 0; i < 40 && left > 0n; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = (await stats.getCacheStats({})).stats!.semanticEntries;
    }
    expect(left).toBe(0n);
  });
});
