import { describe, expect, it } from "vitest";
import { GatewayError } from "../core/errors.js";
import type { RequestRecord } from "../request-log/store.js";
import type { RequestLogWriter } from "../request-log/writer.js";
import type { AccessEntry } from "./access-log.js";
import { createRequestRecorder, rpcFace } from "./request-record.js";

function recorder(maxContentChars = 20) {
  const written: RequestRecord[] = [];
  const discarded: string[] = [];
  const writer: RequestLogWriter = {
    write: (r) => written.push(r),
    discard: (why) => discarded.push(why),
    flush: async () => {},
    dropped: 0,
  };
  return { record: createRequestRecorder(writer, maxContentChars), written, discarded };
}

const entry = (over: Partial<AccessEntry>): AccessEntry => ({
  service: "openai.rest",
  method: "chat.completions",
  error: undefined,
  seconds: 0.25,
  requestId: "r1",
  traceId: undefined,
  tenant: "acme",
  endedAt: 10_000,
  ...over,
});

describe("request records", () => {
  it.each([
    [null, "grpc"],
    ["application/grpc", "grpc"],
    ["application/grpc+proto", "grpc"],
    ["application/grpc-web+proto", "grpc-web"],
    ["application/json", "connect"],
    ["application/proto", "connect"],
  ])("names the face of content type %s: %s", (type, face) => expect(rpcFace(type)).toBe(face));

  it.each([
    ["chat.completions", "rest-openai"],
    ["embeddings", "rest-openai"],
    ["messages", "rest-anthropic"],
    ["responses.create", "responses"],
  ])("names the REST face of route %s: %s", (method, face) => {
    const { record, written } = recorder();
    record(entry({ method }), "ok");
    expect(written[0]?.face).toBe(face);
  });

  it("keeps only completions and embeddings", () => {
    const { record, written } = recorder();
    record(entry({ method: "models" }), "ok");
    record(entry({ service: "llmgateway.v1.AdminService", method: "GetSummary" }), "ok");
    record(entry({ service: "llmgateway.v1.CompletionService", method: "CountTokens" }), "ok");
    record(entry({ service: "llmgateway.v1.EmbeddingService", method: "Embed", face: "grpc-web" }), "ok");
    expect(written.map((r) => [r.face, r.method])).toEqual([["grpc-web", "EmbeddingService/Embed"]]);
  });

  it("takes the report's fields, the start time, and cuts content to its bound", () => {
    const { record, written } = recorder(10);
    const report = {
      model: "gpt-test",
      provider: "fake-openai",
      cache: "miss",
      input_tokens: 7,
      output_tokens: 3,
      cached_input_tokens: 2,
      reasoning_tokens: 1,
      cost_usd: 0.5,
      user: "ann",
      key_id: "k1",
      metadata: { team: "blue" },
      detail: {
        attempts: [{ provider: "fake-openai", model: "gpt-4o-mini", latencyMs: 12.4 }],
        prompt: [{ role: "user", content: "a long prompt indeed" }],
        answer: "short",
      },
    };
    record(entry({ report, status: 200 }), "ok");
    expect(written[0]).toEqual({
      time: 9_750,
      face: "rest-openai",
      method: "chat.completions",
      tenant: "acme",
      keyId: "k1",
      user: "ann",
      model: "gpt-test",
      provider: "fake-openai",
      attempts: [{ provider: "fake-openai", model: "gpt-4o-mini", outcome: "ok", latencyMs: 12 }],
      inputTokens: 7,
      outputTokens: 3,
      cachedInputTokens: 2,
      reasoningTokens: 1,
      costUsd: 0.5,
      latencyMs: 250,
      code: "ok",
      reason: undefined,
      httpStatus: 200,
      cache: "miss",
      requestId: "r1",
      traceId: undefined,
      metadata: { team: "blue" },
      prompt: '[{"role":"…',
      answer: "short",
    });
  });

  it("names a failure's reason and the attempts its error lists", () => {
    const { record, written } = recorder();
    const error = new GatewayError("UPSTREAM_UNAVAILABLE", "all failed", {
      metadata: { attempts: "fake-openai:UPSTREAM_TIMEOUT,fake-anthropic:UPSTREAM_UNAVAILABLE" },
    });
    record(entry({ error, report: { model: "dual" } }), "unavailable");
    expect(written[0]).toMatchObject({ code: "unavailable", reason: "UPSTREAM_UNAVAILABLE", model: "dual" });
    expect(written[0]?.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ["fake-openai", "UPSTREAM_TIMEOUT"],
      ["fake-anthropic", "UPSTREAM_UNAVAILABLE"],
    ]);
  });

  it("counts a record it cannot make as dropped, and never throws into the call", () => {
    const { record, written, discarded } = recorder();
    expect(() => record(entry({ report: { detail: { prompt: { tokens: 1n } } } }), "ok")).not.toThrow();
    expect(written).toEqual([]);
    expect(discarded).toHaveLength(1);
  });
});
