import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  CompleteRequestSchema,
  CompletionService,
  type CompleteResponse,
  StreamCompleteRequestSchema,
} from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { ServerReflectionRequestSchema } from "../../gen/ts/grpc/reflection/v1/reflection_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { errorDetails, grpcClient, unary } from "../support/grpc-client.js";
import { startHarness, type Harness } from "../support/harness.js";
import { envelope, h2 } from "../support/raw-clients.js";

/**
 * The native gRPC listener is @grpc/grpc-js. Some requests it answers by
 * itself, before any handler of ours runs; those answers get the gateway's
 * shape too (the right code, an ErrorInfo reason), as every answer of the
 * browser listener does. The behaviour both listeners share is proved by the
 * end-to-end tests that run against both faces (vitest.config.ts).
 */
let h: Harness;
const lines: Record<string, unknown>[] = [];
beforeAll(async () => {
  h = await startHarness({ server: { maxMessageBytes: 64 * 1024 }, logSink: (l) => lines.push(JSON.parse(l)) });
});
afterAll(() => h.close());

const COMPLETE = "/llmgateway.v1.CompletionService/Complete";
const LIST = "/llmgateway.v1.CompletionService/ListModels";
const REFLECTION = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
const LIST_SERVICES = envelope(
  toBinary(ServerReflectionRequestSchema, create(ServerReflectionRequestSchema, { messageRequest: { case: "listServices", value: "" } })),
);
const ask = (content: string) =>
  Buffer.from(
    toBinary(CompleteRequestSchema, create(CompleteRequestSchema, { model: "local-echo", messages: [{ role: Role.USER, content }] })),
  );

describe("grpc-js's own refusals carry the gateway's ErrorInfo", () => {
  it.each([
    ["an unknown method", { path: "/llmgateway.v1.CompletionService/Nope", body: envelope(new Uint8Array()) }, 12, "UNSUPPORTED"],
    [
      "an unreadable grpc-timeout",
      { path: LIST, headers: { "grpc-timeout": "soon" }, body: envelope(new Uint8Array()) },
      3,
      "INVALID_REQUEST",
    ],
    ["a message over the size limit", { path: COMPLETE, body: envelope(ask("x".repeat(100_000))) }, 8, "REQUEST_TOO_LARGE"],
    [
      "two messages to a unary method",
      { path: LIST, body: Buffer.concat([envelope(new Uint8Array()), envelope(new Uint8Array())]) },
      3,
      "INVALID_REQUEST",
    ],
    ["no message to a unary method", { path: LIST, body: Buffer.alloc(0) }, 3, "INVALID_REQUEST"],
    ["a compressed message with no encoding named", { path: COMPLETE, body: envelope(gzipSync(ask("hi")), 1) }, 3, "INVALID_REQUEST"],
    [
      "a message in an encoding the gateway does not read",
      { path: COMPLETE, headers: { "grpc-encoding": "br" }, body: envelope(ask("hi"), 1) },
      12,
      "UNSUPPORTED",
    ],
    [
      "a gzip message that is not gzip",
      { path: COMPLETE, headers: { "grpc-encoding": "gzip" }, body: envelope(Buffer.from("not gzip at all"), 1) },
      3,
      "INVALID_REQUEST",
    ],
  ] as const)("%s", async (_what, request, code, reason) => {
    const out = await h2(h.grpcUrl, request as Parameters<typeof h2>[1]);
    expect(out).toMatchObject({ status: 200, code, reason });
  });
});

describe("what grpc-js carries for the gateway", () => {
  it("reads gzip-compressed requests", async () => {
    const out = await h2(h.grpcUrl, { path: COMPLETE, headers: { "grpc-encoding": "gzip" }, body: envelope(gzipSync(ask("zipped")), 1) });
    expect(out).toMatchObject({ status: 200, code: 0 });
    expect(out.body.toString("latin1")).toContain("zipped");
  });

  it("answers each message of a bidi stream, and ends with OK once the caller has finished sending", async () => {
    const out = await h2(h.grpcUrl, { path: REFLECTION, body: Buffer.concat([LIST_SERVICES, LIST_SERVICES]), timeoutMs: 5000 });
    expect(out).toMatchObject({ status: 200, code: 0 });
    expect(out.body.toString("latin1").split("llmgateway.v1.CompletionService").length - 1).toBe(2);
  });

  it("ends a bidi stream with INVALID_ARGUMENT at a message it cannot read, after answering the ones before", async () => {
    const garbage = envelope(Buffer.from([0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    const out = await h2(h.grpcUrl, { path: REFLECTION, body: Buffer.concat([LIST_SERVICES, garbage]), timeoutMs: 5000 });
    expect(out).toMatchObject({ status: 200, code: 3, reason: "INVALID_REQUEST" });
    expect(out.body.toString("latin1")).toContain("llmgateway.v1.CompletionService");
  });

  it("sends response headers before the message and the provider in the trailers", async () => {
    const client = grpcClient(CompletionService, h.grpcAddress);
    try {
      const call = client["complete"]!(
        create(CompleteRequestSchema, { model: "local-echo", messages: [{ role: Role.USER, content: "hi" }] }),
        new grpc.Metadata({}),
        { deadline: Date.now() + 5000 },
        () => {},
      ) as grpc.ClientUnaryCall;
      const [headers, status] = await Promise.all([
        new Promise<grpc.Metadata>((resolve) => call.on("metadata", resolve)),
        new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve)),
      ]);
      expect(headers.get("x-request-id")[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(headers.get("x-cache-status")[0]).toBeTruthy();
      expect(status.metadata.get("x-llm-provider")).toEqual(["local"]);
    } finally {
      client.close();
    }
  });

  it("a refusal before any answer (a trailers-only response) carries the request id and RetryInfo's delay", async () => {
    const client = grpcClient(CompletionService, h.grpcAddress);
    try {
      h.upstream.enqueue({ status: 429, retryAfter: "7" });
      const err = await unary<CompleteResponse>(
        client,
        "complete",
        create(CompleteRequestSchema, { model: "gpt-test", messages: [{ role: Role.USER, content: "hi" }] }),
      ).then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      );
      expect(err?.code).toBe(grpc.status.UNAVAILABLE);
      expect(err?.metadata.get("x-request-id")[0]).toBeTruthy();
      expect(errorDetails(err!).retryDelayMs).toBe(7000);
    } finally {
      client.close();
    }
  });

  it("a stream whose caller stops reading and then goes away ends: CANCELLED in the access log, nothing left open", async () => {
    // Fill the cache with a long answer, then replay it to a caller that reads nothing.
    const long = Array.from({ length: 20_000 }, (_, i) => `word${i}`).join(" ");
    h.upstream.enqueue({ text: long });
    const question = { model: "gpt-test", temperature: 0, messages: [{ role: Role.USER, content: "long one" }] };
    await h2(h.grpcUrl, { path: COMPLETE, body: envelope(toBinary(CompleteRequestSchema, create(CompleteRequestSchema, question))) });
    const before = lines.length;
    const session = http2.connect(h.grpcUrl);
    const stream = session.request({
      ":method": "POST",
      ":path": "/llmgateway.v1.CompletionService/StreamComplete",
      "content-type": "application/grpc",
      te: "trailers",
    });
    stream.end(envelope(toBinary(StreamCompleteRequestSchema, create(StreamCompleteRequestSchema, question))));
    stream.pause();
    await new Promise((resolve) => stream.once("response", resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    stream.close(http2.constants.NGHTTP2_CANCEL);
    session.close();
    await vi.waitFor(
      () =>
        expect(
          lines.slice(before).find((l) => l["msg"] === "call" && l["method"] === "llmgateway.v1.CompletionService/StreamComplete"),
        ).toBeDefined(),
      { timeout: 5000 },
    );
    const line = lines.slice(before).find((l) => l["msg"] === "call" && l["method"] === "llmgateway.v1.CompletionService/StreamComplete")!;
    expect(line["code"]).toBe("canceled");
  });
});
