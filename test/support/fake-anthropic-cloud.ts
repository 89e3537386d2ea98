import type { IncomingMessage, ServerResponse } from "node:http";
import { EMBEDDING_MODEL } from "./fake-bedrock-embed.js";
import { Sha256 } from "@aws-crypto/sha256-js";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { SignatureV4 } from "@smithy/signature-v4";

/*
 * Claude on Vertex AI and on Bedrock, as the platforms speak it: the model in the path, the API version
 * in the body, Google OAuth bearer tokens or AWS SigV4 signatures (checked against the keys below), and
 * on Bedrock streams in AWS's binary event-stream framing, each frame's payload the base64 of one of
 * Anthropic's events. Errors come in the platform's own shape (Google's error object; Bedrock's message
 * with the x-amzn-errortype header). The answers themselves are the fake's Anthropic answers.
 */

/** The AWS keys the fake Bedrock knows: a signature by any other secret is refused with 403. */
export const BEDROCK_KEYS: Readonly<Record<string, string>> = { AKIDFAKEGATEWAY: "fake-secret-key-for-tests" };
/** The Bedrock API key the fake knows (sent as a bearer token in place of a signature). */
export const BEDROCK_API_KEY = "ABSKfakebedrockapikey";
/** Google access tokens start so; any other is refused with 401 (an expired or foreign token). */
export const GOOGLE_TOKEN_PREFIX = "ya29.";

/** What the fake upstream saw of a Vertex AI or Bedrock request. */
export interface AnthropicCloudCall {
  platform: "vertex" | "bedrock";
  model: string;
  stream: boolean;
  /** Vertex's project and region, from the path. */
  project?: string;
  region?: string;
  /** Bedrock's signing region and access key id, from the signature's scope. */
  signingRegion?: string;
  accessKeyId?: string;
}

/** How the fake upstream answers one such request: as Anthropic's /v1/messages with `body`, or refused. */
export interface AnthropicCloudRoute {
  path: string;
  cloud: AnthropicCloudCall;
  /** The body to answer as Anthropic would: the wire body with its model and stream put back. */
  body: Record<string, unknown>;
  refusal?: { status: number; body: unknown; headers?: Record<string, string> };
}

const VERTEX = /^(?:\/v1)?\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/;
const BEDROCK = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/;

const googleError = (status: number, code: string, message: string) => ({ error: { code: status, message, status: code } });

/** Routes a Vertex AI or Bedrock request, and reframes its answer on `res` as the platform does; undefined for others. */
export async function anthropicCloudRoute(
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  wire: Record<string, unknown>,
): Promise<AnthropicCloudRoute | undefined> {
  const url = req.url ?? "";
  const v = VERTEX.exec(url);
  if (v) {
    const stream = v[4] === "streamRawPredict";
    const [project = "", region = ""] = [v[1], v[2]];
    const cloud: AnthropicCloudCall = { platform: "vertex", model: decodeURIComponent(v[3] ?? ""), stream, project, region };
    const route: AnthropicCloudRoute = { path: "/v1/messages", cloud, body: { ...wire, model: cloud.model, stream } };
    reframeErrors(res, (status, body) => ({ body: googleError(status, status === 429 ? "RESOURCE_EXHAUSTED" : "ERROR", messageOf(body)) }));
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith(`Bearer ${GOOGLE_TOKEN_PREFIX}`))
      route.refusal = { status: 401, body: googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.") };
    else if (wire["anthropic_version"] !== "vertex-2023-10-16")
      route.refusal = { status: 400, body: googleError(400, "INVALID_ARGUMENT", "anthropic_version: must be vertex-2023-10-16") };
    else if ("model" in wire)
      route.refusal = { status: 400, body: googleError(400, "INVALID_ARGUMENT", "model: Extra inputs are not permitted") };
    return route;
  }
  const b = BEDROCK.exec(url.split("?")[0] ?? "");
  // InvokeModel of the embedding models is answered in Bedrock's own fake (fake-bedrock-embed.ts).
  if (!b || EMBEDDING_MODEL.test(decodeURIComponent(b[1] ?? ""))) return undefined;
  const stream = b[2] === "invoke-with-response-stream";
  const cloud: AnthropicCloudCall = { platform: "bedrock", model: decodeURIComponent(b[1] ?? ""), stream };
  const route: AnthropicCloudRoute = { path: "/v1/messages", cloud, body: { ...wire, model: cloud.model, stream } };
  reframeErrors(res, (status, body) => ({
    body: { message: messageOf(body) },
    headers: {
      "x-amzn-errortype": status === 429 ? "ThrottlingException" : status >= 500 ? "InternalServerException" : "ValidationException",
    },
  }));
  if (stream) reframeStream(res);
  const refuse = (status: number, type: string, message: string) => {
    route.refusal = { status, body: { message }, headers: { "x-amzn-errortype": type } };
  };
  const auth = req.headers.authorization ?? "";
  if (auth.startsWith("Bearer ")) {
    if (auth !== `Bearer ${BEDROCK_API_KEY}`)
      refuse(403, "UnrecognizedClientException", "Invalid API Key format: Must start with pre-defined prefix");
  } else {
    const checked = await verify(req, raw);
    if (typeof checked === "string") refuse(403, "InvalidSignatureException", checked);
    else Object.assign(cloud, checked);
  }
  if (route.refusal) return route;
  if (wire["anthropic_version"] !== "bedrock-2023-05-31") refuse(400, "ValidationException", "invalid anthropic_version");
  else if ("model" in wire || "stream" in wire) refuse(400, "ValidationException", "extraneous key [model or stream] is not permitted");
  return route;
}

function messageOf(body: unknown): string {
  const b = body as { error?: { message?: string }; message?: string } | undefined;
  return b?.error?.message ?? b?.message ?? "error";
}

/** Rewrites the fake's Anthropic-format error bodies (status >= 400) into the platform's. */
function reframeErrors(res: ServerResponse, shape: (status: number, body: unknown) => { body: unknown; headers?: Record<string, string> }) {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    if (res.statusCode < 400 || typeof chunk !== "string") return end(chunk);
    const parsed = JSON.parse(chunk) as unknown;
    // A refusal of the platform's own is already in its shape.
    if (typeof parsed === "object" && parsed !== null && !("type" in parsed)) return end(chunk);
    return end(JSON.stringify(shape(res.statusCode, parsed).body));
  }) as typeof res.end;
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, string>) => ServerResponse;
  res.writeHead = ((status: number, headers?: Record<string, string>) =>
    writeHead(status, status >= 400 ? { ...headers, ...shape(status, undefined).headers } : headers)) as typeof res.writeHead;
}

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString("utf8"),
  (text) => Buffer.from(text, "utf8"),
);

/** Bedrock's stream framing: each SSE event the fake writes becomes one event-stream `chunk` frame. */
function reframeStream(res: ServerResponse) {
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, string>) => ServerResponse;
  res.writeHead = ((status: number, headers?: Record<string, string>) =>
    writeHead(
      status,
      status === 200 ? { ...headers, "content-type": "application/vnd.amazon.eventstream" } : headers,
    )) as typeof res.writeHead;
  const write = res.write.bind(res) as (chunk: unknown, cb?: () => void) => boolean;
  res.write = ((chunk: unknown, cb?: () => void) => {
    const data = /^data: (.*)$/m.exec(String(chunk))?.[1];
    if (data === undefined) return write(chunk, cb);
    // An Anthropic error event stands for Bedrock's exception frame of that type (throttlingException...).
    const failure = (JSON.parse(data) as { type?: string; error?: { type?: string; message?: string } }).error;
    if (failure?.type) {
      const exception = codec.encode({
        headers: {
          ":exception-type": { type: "string", value: failure.type },
          ":content-type": { type: "string", value: "application/json" },
          ":message-type": { type: "string", value: "exception" },
        },
        body: Buffer.from(JSON.stringify({ message: failure.message ?? "" })),
      });
      return write(Buffer.from(exception), cb);
    }
    const payload = JSON.stringify({ bytes: Buffer.from(data).toString("base64") });
    const frame = codec.encode({
      headers: {
        ":event-type": { type: "string", value: "chunk" },
        ":content-type": { type: "string", value: "application/json" },
        ":message-type": { type: "string", value: "event" },
      },
      body: Buffer.from(payload),
    });
    return write(Buffer.from(frame), cb);
  }) as typeof res.write;
}

const SCOPE =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/bedrock\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

/** Checks a SigV4 signature by signing the same request again with the key's secret; a refusal's message if wrong. */
async function verify(req: IncomingMessage, raw: Buffer) {
  const auth = req.headers.authorization ?? "";
  const m = SCOPE.exec(auth);
  if (!m) return "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' for bedrock";
  const [, keyId = "", , region = "", signedHeaders = "", signature] = m;
  const secret = BEDROCK_KEYS[keyId];
  if (!secret) return "The security token included in the request is invalid.";
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(";")) headers[name] = String(req.headers[name] ?? "");
  const date = headers["x-amz-date"] ?? "";
  const when = new Date(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
  );
  const url = new URL(req.url ?? "", `http://${req.headers.host}`);
  const signer = new SignatureV4({
    service: "bedrock",
    region,
    credentials: {
      accessKeyId: keyId,
      secretAccessKey: secret,
      ...(headers["x-amz-security-token"] ? { sessionToken: headers["x-amz-security-token"] } : {}),
    },
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: req.method ?? "POST",
      protocol: "http:",
      hostname: url.hostname,
      path: url.pathname,
      query: {},
      headers,
      body: raw.toString("utf8"),
    },
    { signingDate: when },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers["authorization"]))?.[1];
  if (expected !== signature) return "The request signature we calculated does not match the signature you provided.";
  return { accessKeyId: keyId, signingRegion: region };
}
