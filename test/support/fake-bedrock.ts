import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash, createHmac } from "node:crypto";
import { crc32 } from "node:zlib";
import { answerInvoke, EMBEDDING_MODEL } from "./fake-bedrock-embed.js";
import type { FakeBehaviour, RecordedRequest } from "./fake-upstream.js";

/*
 * Amazon Bedrock's Converse API as the fake upstream speaks it (and InvokeModel of the embedding models,
 * /model/{modelId}/invoke, in fake-bedrock-embed.ts): POST /model/{modelId}/converse answers
 * JSON, /model/{modelId}/converse-stream answers in AWS's binary event-stream framing, errors carry the
 * exception's name in x-amzn-errortype, and a request without a valid SigV4 signature is refused as Bedrock does.
 */

/** What the fake upstream saw of a Bedrock request. */
export interface BedrockCall {
  /** The model id from the path, unescaped. */
  modelId: string;
  stream: boolean;
  /** From the SigV4 Authorization header's credential scope. */
  accessKeyId: string;
  region: string;
  service: string;
  signedHeaders: string[];
  amzDate: string;
}

const PATH = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/;
const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;

/** Bedrock's exception names for the statuses a test scripts; FakeBehaviour.errorCode names another. */
const EXCEPTION_OF: Record<number, string> = {
  400: "ValidationException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

/** The secret key of every access key the fake upstream knows: tests sign with it, and a wrong one is refused. */
export const FAKE_AWS_SECRET = "fake-aws-secret";

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
/** SigV4's URI encoding: RFC 3986's unreserved characters stay, everything else is %XX. */
const uriEscape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The SigV4 signature of the request as AWS computes it, with FAKE_AWS_SECRET: the canonical request (each
 * path segment escaped once more, as services other than S3 sign it; the signed headers, trimmed; the body's
 * hash), the string to sign over its hash, and the key derived from the date, region and service.
 */
function signature(
  req: IncomingMessage,
  raw: Buffer,
  s: { amzDate: string; region: string; service: string; signedHeaders: string },
): string {
  const [path = "", query = ""] = (req.url ?? "").split("?");
  const canonicalQuery = [...new URLSearchParams(query)]
    .map(([k, v]) => `${uriEscape(k)}=${uriEscape(v)}`)
    .sort()
    .join("&");
  const names = s.signedHeaders.split(";");
  const headers = names
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const payload = String(req.headers["x-amz-content-sha256"] ?? sha256(raw));
  const canonical = [req.method, path.split("/").map(uriEscape).join("/"), canonicalQuery, headers, s.signedHeaders, payload].join("\n");
  const date = s.amzDate.slice(0, 8);
  const scope = `${date}/${s.region}/${s.service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", s.amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${FAKE_AWS_SECRET}`, date), s.region), s.service), "aws4_request");
  return createHmac("sha256", key).update(toSign).digest("hex");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const words = (text: string): string[] => text.match(/\S+\s*/g) ?? [];

function sendError(res: ServerResponse, status: number, name: string, headers: Record<string, string> = {}): void {
  const message = `fake upstream says ${status}`;
  res
    .writeHead(status, {
      "content-type": "application/json",
      "x-amzn-errortype": `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      ...headers,
    })
    .end(JSON.stringify({ message }));
}

/** One event-stream message: prelude (total and headers lengths, their CRC32), string headers, payload, message CRC32. */
export function eventStreamMessage(headers: Record<string, string>, payload: Uint8Array): Buffer {
  const encoded = Object.entries(headers).map(([name, value]) => {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length); // 7: a string value
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    return h;
  });
  const headerBytes = Buffer.concat(encoded);
  const total = 12 + headerBytes.length + payload.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, 12);
  Buffer.from(payload).copy(message, 12 + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

const event = (type: string, data: unknown) =>
  eventStreamMessage(
    { ":event-type": type, ":content-type": "application/json", ":message-type": "event" },
    Buffer.from(JSON.stringify(data)),
  );

/** An error inside the stream, as Bedrock sends one after its 200: its member name (throttlingException) as the type. */
const exceptionMessage = (type: string, data: unknown) =>
  eventStreamMessage(
    { ":exception-type": type, ":content-type": "application/json", ":message-type": "exception" },
    Buffer.from(JSON.stringify(data)),
  );

function usage(text: string) {
  const output = words(text).length;
  return { inputTokens: 13, outputTokens: output, totalTokens: 13 + output + 5, cacheReadInputTokens: 3, cacheWriteInputTokens: 2 };
}

function* streamEvents(text: string, b: FakeBehaviour): Generator<{ bytes: Buffer; text?: boolean; finish?: boolean }> {
  if (b.rawEvents) {
    for (const e of b.rawEvents) {
      const { event: type, exception, data } = e as { event?: string; exception?: string; data: unknown };
      yield { bytes: exception ? exceptionMessage(exception, data) : event(type ?? "", data) };
    }
    return;
  }
  yield { bytes: event("messageStart", { role: "assistant" }) };
  for (const w of words(text)) yield { bytes: event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: w } }), text: true };
  yield { bytes: event("contentBlockStop", { contentBlockIndex: 0 }) };
  for (const [i, c] of (b.toolCalls ?? []).entries()) {
    const index = i + 1;
    const half = Math.ceil(c.arguments.length / 2);
    yield { bytes: event("contentBlockStart", { contentBlockIndex: index, start: { toolUse: { toolUseId: c.id, name: c.name } } }) };
    for (const input of [c.arguments.slice(0, half), c.arguments.slice(half)])
      yield { bytes: event("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input } } }) };
    yield { bytes: event("contentBlockStop", { contentBlockIndex: index }) };
  }
  yield { bytes: event("messageStop", { stopReason: b.finishReason ?? (b.toolCalls ? "tool_use" : "end_turn") }), finish: true };
  if (!b.omitUsage) yield { bytes: event("metadata", { usage: usage(text), metrics: { latencyMs: 42 } }) };
}

function unaryAnswer(text: string, b: FakeBehaviour) {
  const content: unknown[] = text ? [{ text }] : [];
  for (const c of b.toolCalls ?? []) content.push({ toolUse: { toolUseId: c.id, name: c.name, input: JSON.parse(c.arguments) } });
  return {
    output: { message: { role: "assistant", content } },
    stopReason: b.finishReason ?? (b.toolCalls ? "tool_use" : "end_turn"),
    ...(b.omitUsage ? {} : { usage: usage(text) }),
    metrics: { latencyMs: 42 },
  };
}

/**
 * Answers the request if it is Bedrock's (returning true), as scripted by the behaviour `next` gives:
 * the same FakeBehaviour fields as the other formats, errorCode naming the exception; rawEvents items
 * are { event: <event type>, data: <payload> }, or { exception: <member name>, data } for an error mid-stream.
 */
export async function answerBedrock(call: {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  /** The request's body as it came, whose hash the signature covers. */
  raw: Buffer;
  next: () => FakeBehaviour;
  defaultText: string;
}): Promise<boolean> {
  const { req, res, record, next, defaultText } = call;
  const path = PATH.exec(req.url ?? "");
  // InvokeModel is Bedrock's for the embedding models only: Claude's is fake-anthropic-cloud.ts's.
  if (!path || (path[2] === "invoke" && !EMBEDDING_MODEL.test(decodeURIComponent(path[1] ?? "")))) return false;
  const auth = SIGV4.exec(String(req.headers.authorization ?? ""));
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  if (!auth || !AMZ_DATE.test(amzDate) || auth[2] !== amzDate.slice(0, 8)) {
    sendError(res, 403, "UnrecognizedClientException");
    return true;
  }
  if (auth[6] !== signature(req, call.raw, { amzDate, region: auth[3] ?? "", service: auth[4] ?? "", signedHeaders: auth[5] ?? "" })) {
    sendError(res, 403, "InvalidSignatureException");
    return true;
  }
  const stream = path[2] === "converse-stream";
  record.bedrock = {
    modelId: decodeURIComponent(path[1] ?? ""),
    stream,
    accessKeyId: auth[1] ?? "",
    region: auth[3] ?? "",
    service: auth[4] ?? "",
    signedHeaders: (auth[5] ?? "").split(";"),
    amzDate,
  };
  const b = next();
  if (b.reset) {
    req.socket.destroy();
    return true;
  }
  if (b.hang) return true;
  if (b.firstByteDelayMs) await sleep(b.firstByteDelayMs);
  if (res.destroyed) return true;
  if (b.status && b.status >= 400) {
    sendError(
      res,
      b.status,
      b.errorCode ?? EXCEPTION_OF[b.status] ?? "InternalServerException",
      b.retryAfter ? { "retry-after": b.retryAfter } : {},
    );
    return true;
  }
  if (path[2] === "invoke") {
    const answer = await answerInvoke(record.bedrock.modelId, call.raw);
    if ("exception" in answer) {
      res
        .writeHead(400, { "content-type": "application/json", "x-amzn-errortype": answer.exception })
        .end(JSON.stringify({ message: answer.message }));
    } else {
      const headers = { "content-type": "application/json", "x-amzn-bedrock-input-token-count": String(answer.tokens) };
      res.writeHead(200, headers).end(JSON.stringify(b.rawBody ?? answer.body));
    }
    return true;
  }
  const text = b.text ?? defaultText;
  if (!stream) {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(b.rawBody ?? unaryAnswer(text, b)));
    return true;
  }
  res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": "fake-request" });
  let textChunks = 0;
  for (const e of streamEvents(text, b)) {
    if (res.destroyed) return true;
    if (e.text && b.abortAfterChunks !== undefined && textChunks++ >= b.abortAfterChunks) {
      req.socket.destroy();
      return true;
    }
    if (e.finish && b.endWithoutFinish) break;
    await new Promise<void>((resolve) => res.write(e.bytes, () => resolve()));
    if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
  }
  res.end();
  return true;
}
