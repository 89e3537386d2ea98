/**
 * The benchmark's own callers, for what wrk and ghz cannot measure: time to
 * first content, i.e. to the first non-empty text delta, not the first byte
 * (a role chunk or headers sent before the upstream answered do not count).
 * Each call reads its answer to the end, so that servers finish every call
 * normally and no cancellation path is measured by accident.
 */
import { create } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import { Agent, request } from "undici";
import {
  type CompleteResponse,
  CompleteRequestSchema,
  CompletionService,
  type StreamCompleteResponse,
  StreamCompleteRequestSchema,
} from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { grpcClient } from "../../test/support/grpc-client.js";
import type { TimedCall } from "./load.js";
import { contentOf, type OpenAiChunk, sseData } from "./sse.js";

/** The model every server is asked for: the gateway's catalogue name (the upstream and the floors echo it). */
export const MODEL = "bench-model";
const messages = [{ role: "user", content: "ping" }];

/** The REST request bodies (OpenAI chat completions). */
export const restBodies = {
  unary: JSON.stringify({ model: MODEL, messages, max_tokens: 64 }),
  stream: JSON.stringify({ model: MODEL, messages, max_tokens: 64, stream: true, stream_options: { include_usage: true } }),
  /** Deterministic, so that the gateway caches it. */
  cached: JSON.stringify({ model: MODEL, messages, max_tokens: 64, temperature: 0 }),
};

/** The gRPC requests as protobuf JSON, for ghz. */
export const grpcJson = {
  unary: { model: MODEL, messages: [{ role: "ROLE_USER", content: "ping" }], maxTokens: 64 },
  cached: { model: MODEL, messages: [{ role: "ROLE_USER", content: "ping" }], maxTokens: 64, temperature: 0 },
};

// Connections are kept alive and reused, as a real client's pool would.
const dispatcher = new Agent({ keepAliveTimeout: 60_000 });

/** POSTs a chat body to `url` (ending in /chat/completions); resolves with the status, headers and body text. */
export async function postJson(url: string, body: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const res = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
    body,
    dispatcher,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** A streamed REST call, timed to its first non-empty delta.content. */
export function restFirstContent(url: string): TimedCall {
  return async (startedAt) => {
    const res = await request(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
      body: restBodies.stream,
      dispatcher,
    });
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${await res.body.text()}`);
    let first: number | undefined;
    for await (const data of sseData(res.body)) {
      if (first !== undefined || data === "[DONE]") continue;
      if (contentOf(JSON.parse(data) as OpenAiChunk)) first = performance.now() - startedAt;
    }
    if (first === undefined) throw new Error("the stream carried no content");
    return first;
  };
}

/** A grpc-js client of CompletionService: one HTTP/2 connection, reused by every call. */
export function completionClient(address: string): grpc.Client & Record<string, (...args: unknown[]) => unknown> {
  return grpcClient(CompletionService, address);
}

const streamRequest = create(StreamCompleteRequestSchema, {
  model: MODEL,
  messages: [{ role: Role.USER, content: "ping" }],
  maxTokens: 64,
});
const unaryRequest = create(CompleteRequestSchema, { model: MODEL, messages: [{ role: Role.USER, content: "ping" }], maxTokens: 64 });

/** A StreamComplete call, timed to the first message carrying a non-empty delta text. */
export function grpcFirstContent(client: ReturnType<typeof completionClient>): TimedCall {
  return (startedAt) =>
    new Promise((resolve, reject) => {
      const call = client["streamComplete"]!(streamRequest) as grpc.ClientReadableStream<StreamCompleteResponse>;
      let first: number | undefined;
      call.on("data", (m: StreamCompleteResponse) => {
        if (first === undefined && m.event.case === "delta" && m.event.value.text !== "") first = performance.now() - startedAt;
      });
      call.on("error", reject);
      call.on("status", (s: grpc.StatusObject) => {
        if (s.code !== 0) return;
        if (first === undefined) reject(new Error("the stream carried no content"));
        else resolve(first);
      });
    });
}

const cachedRequest = create(CompleteRequestSchema, {
  model: MODEL,
  messages: [{ role: Role.USER, content: "ping" }],
  maxTokens: 64,
  temperature: 0,
});

/** The cache status of a deterministic Complete call (2 is an exact hit). */
export function grpcCacheStatus(client: ReturnType<typeof completionClient>): Promise<number> {
  return new Promise((resolve, reject) => {
    client["complete"]!(cachedRequest, (err: grpc.ServiceError | null, res: CompleteResponse) =>
      err ? reject(err) : resolve(res.completion?.cacheStatus ?? 0),
    );
  });
}

/** A Complete call (for warming a server up), timed to its answer. */
export function grpcComplete(client: ReturnType<typeof completionClient>): TimedCall {
  return (startedAt) =>
    new Promise((resolve, reject) => {
      client["complete"]!(unaryRequest, (err: grpc.ServiceError | null) => (err ? reject(err) : resolve(performance.now() - startedAt)));
    });
}
