import { create, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompleteRequestSchema } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { envelope, h2, http1 } from "../support/raw-clients.js";
import { startHarness, type Harness } from "../support/harness.js";

/**
 * Input that is not what the contract says gets INVALID_ARGUMENT with an
 * ErrorInfo, on every protocol, for unary and streaming methods alike, and is
 * logged below error level: INTERNAL is for the gateway's own bugs.
 */
let h: Harness;
const lines: string[] = [];
beforeAll(async () => {
  h = await startHarness({ logSink: (l) => lines.push(l) });
});
afterAll(() => h.close());

// A field tag with wire type 7, which does not exist: no protobuf parser accepts it.
const garbage = Buffer.from([0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
const COMPLETE = "/llmgateway.v1.CompletionService/Complete";
const STREAM = "/llmgateway.v1.CompletionService/StreamComplete";
const valid = (init: Parameters<typeof create<typeof CompleteRequestSchema>>[1]) =>
  Buffer.from(toBinary(CompleteRequestSchema, create(CompleteRequestSchema, init)));

describe("malformed protobuf", () => {
  it.each([COMPLETE, STREAM])("gRPC %s: INVALID_ARGUMENT with INVALID_REQUEST, not INTERNAL", async (path) => {
    const out = await h2(h.grpcUrl, { path, body: envelope(garbage) });
    expect(out).toMatchObject({ code: 3, reason: "INVALID_REQUEST" });
  });

  it.each([COMPLETE, STREAM])("gRPC-Web %s: INVALID_ARGUMENT with INVALID_REQUEST", async (path) => {
    const out = await http1(h.httpUrl, {
      method: "POST",
      path,
      headers: { "content-type": "application/grpc-web+proto" },
      body: envelope(garbage),
    });
    expect(out).toMatchObject({ status: 200, code: 3, reason: "INVALID_REQUEST" });
  });

  it("Connect unary: HTTP 400, invalid_argument with INVALID_REQUEST", async () => {
    const out = await http1(h.httpUrl, { method: "POST", path: COMPLETE, headers: { "content-type": "application/proto" }, body: garbage });
    expect(out).toMatchObject({ status: 400, code: 3, reason: "INVALID_REQUEST" });
  });

  it("Connect streaming: the end-of-stream error is invalid_argument with INVALID_REQUEST", async () => {
    const out = await http1(h.httpUrl, {
      method: "POST",
      path: STREAM,
      headers: { "content-type": "application/connect+proto" },
      body: envelope(garbage),
    });
    expect(out).toMatchObject({ status: 200, code: 3, reason: "INVALID_REQUEST" });
  });

  it("a broken envelope (length promises more than is sent) is INVALID_ARGUMENT", async () => {
    const broken = Buffer.concat([Buffer.from([0, 0, 0, 1, 0]), Buffer.from("abc")]);
    const out = await h2(h.grpcUrl, { path: COMPLETE, body: broken });
    expect(out).toMatchObject({ code: 3, reason: "INVALID_REQUEST" });
  });

  it("logs none of it at error level", () => {
    expect(lines.filter((l) => JSON.parse(l).level === "error")).toEqual([]);
  });
});

describe("Connect JSON is strict", () => {
  it("refuses a misspelt field by name instead of ignoring it", async () => {
    const body = JSON.stringify({ model: "gpt-test", messages: [{ role: "ROLE_USER", content: "hi" }], maxToken: 5 });
    const out = await http1(h.httpUrl, { method: "POST", path: COMPLETE, headers: { "content-type": "application/json" }, body });
    expect(out).toMatchObject({ status: 400, code: 3, reason: "INVALID_REQUEST" });
    expect(out.message).toContain("maxToken");
    expect(h.upstream.requests.filter((r) => r.body["max_tokens"] === 5)).toEqual([]);
  });

  it("still accepts the proto's own JSON names", async () => {
    const body = JSON.stringify({ model: "gpt-test", messages: [{ role: "ROLE_USER", content: "hi" }], maxTokens: 5 });
    const out = await http1(h.httpUrl, { method: "POST", path: COMPLETE, headers: { "content-type": "application/json" }, body });
    expect(out.status).toBe(200);
  });
});

describe("nesting", () => {
  const deep = (n: number) => "[".repeat(n) + "]".repeat(n);

  it("refuses a 5,000-deep tool parameters_json naming the field", async () => {
    const body = valid({
      model: "gpt-test",
      messages: [{ role: Role.USER, content: "hi" }],
      tools: { definitions: [{ name: "deep", description: "x", parametersJson: `{"type":"object","properties":${deep(5000)}}` }] },
    });
    const out = await h2(h.grpcUrl, { path: COMPLETE, body: envelope(body) });
    expect(out).toMatchObject({ code: 3, reason: "INVALID_REQUEST" });
    expect(out.message).toContain("tools.definitions[0].parameters_json");
  });

  it("refuses deeply nested tool-call arguments in a message", async () => {
    const body = valid({
      model: "claude-test",
      messages: [
        { role: Role.USER, content: "hi" },
        { role: Role.ASSISTANT, content: "", toolCalls: [{ id: "c1", name: "f", argumentsJson: deep(5000) }] },
        { role: Role.TOOL, content: "ok", toolCallId: "c1" },
      ],
    });
    const out = await h2(h.grpcUrl, { path: COMPLETE, body: envelope(body) });
    expect(out).toMatchObject({ code: 3, reason: "INVALID_REQUEST" });
    expect(out.message).toContain("messages[1].tool_calls[0].arguments_json");
  });

  it("refuses a REST body nested beyond the limit before parsing it", async () => {
    const body = `{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"stop":${deep(200_000)}}`;
    const out = await http1(h.httpUrl, {
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(out.status).toBe(400);
    expect(JSON.parse(out.body.toString()).error).toMatchObject({ param: "body", type: "invalid_request_error" });
  });
});

describe("echoed input is bounded", () => {
  const huge = "m".repeat(1 << 20);

  it("a 1 MiB model name over gRPC is NOT_FOUND with a short message, not a reset", async () => {
    const out = await h2(h.grpcUrl, {
      path: COMPLETE,
      body: envelope(valid({ model: huge, messages: [{ role: Role.USER, content: "hi" }] })),
    });
    expect(out).toMatchObject({ code: 5, reason: "MODEL_NOT_FOUND" });
    expect(out.message.length).toBeLessThan(1200);
  });

  it("a 32 KB model name over gRPC-Web and REST gives small error bodies", async () => {
    const name = "m".repeat(32 * 1024);
    const web = await http1(h.httpUrl, {
      method: "POST",
      path: COMPLETE,
      headers: { "content-type": "application/grpc-web+proto" },
      body: envelope(valid({ model: name, messages: [{ role: Role.USER, content: "hi" }] })),
    });
    expect(web).toMatchObject({ code: 5, reason: "MODEL_NOT_FOUND" });
    expect(web.body.length).toBeLessThan(4096);
    const rest = await http1(h.httpUrl, {
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: huge, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(rest.status).toBe(404);
    expect(rest.body.length).toBeLessThan(4096);
  });

  it("log lines stay small too", () => {
    for (const l of lines) expect(l.length).toBeLessThan(8192);
  });
});
