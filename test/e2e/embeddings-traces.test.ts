import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingModels } from "../support/embedding-models.js";
import { startHarness, type Harness } from "../support/harness.js";

const exporter = new InMemorySpanExporter();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ extraModels: embeddingModels, spanProcessor: new SimpleSpanProcessor({ exporter }) });
});
afterAll(() => h.close());

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

describe("tracing an embedding call", () => {
  it("makes one span in the caller's trace, with children for the cache lookup and each attempt, per the GenAI conventions", async () => {
    exporter.reset();
    h.upstream.enqueue({ status: 503 });
    const sdk = new OpenAI({
      apiKey: "unused",
      baseURL: `${h.httpUrl}/v1`,
      maxRetries: 0,
      defaultHeaders: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` },
    });
    await sdk.embeddings.create({ model: "embed-dual", input: "trace this call" });
    const spans = exporter.getFinishedSpans();
    expect(spans.every((s) => s.spanContext().traceId === TRACE)).toBe(true);
    const server = spans.find(
      (s) =>
        s.attributes["gen_ai.operation.name"] === "embeddings" &&
        s.attributes["llm_gateway.provider"] !== undefined &&
        s.name.startsWith("POST"),
    );
    expect(server?.attributes).toMatchObject({
      "gen_ai.request.model": "embed-dual",
      "gen_ai.usage.input_tokens": 3,
      "llm_gateway.provider": "fake-openai-sdk",
      "llm_gateway.cache_status": "miss",
      "llm_gateway.attempts": 2,
      "llm_gateway.embedding.inputs": 1,
    });
    const attempts = spans.filter((s) => s.name.startsWith("embeddings "));
    expect(attempts.map((s) => [s.name, s.attributes["error.type"]])).toEqual([
      ["embeddings text-embedding-3-small", "UPSTREAM_UNAVAILABLE"],
      ["embeddings text-embedding-3-large", undefined],
    ]);
    expect(spans.filter((s) => s.name === "cache.lookup").map((s) => s.attributes["llm_gateway.cache.result"])).toEqual(["miss"]);
  });
});
