import type * as http from "node:http";
import { answerGoogleEmbed } from "./fake-gemini-embed.js";
import type { FakeBehaviour } from "./fake-upstream.js";

/*
 * The fake upstream's Gemini API and Vertex AI face, as Google answers them: generateContent and
 * streamGenerateContent (?alt=sse), and the embedding calls (fake-gemini-embed.ts), on the Gemini API's models/{model} and Vertex's
 * projects/{p}/locations/{l}/publishers/google/models/{model} (express mode: publishers/google/models/{model}); errors in Google's format, with the
 * retry delay in the body (RetryInfo) as Google sends it; a call without credentials refused (403),
 * and an API key starting "invalid" refused as Google refuses a wrong key (400 API_KEY_INVALID).
 */

const PATH =
  /^\/(v1(?:beta1?)?)\/(?:projects\/([^/]+)\/locations\/([^/]+)\/)?(?:publishers\/google\/)?models\/([^/:?]+):(generateContent|streamGenerateContent|batchEmbedContents|predict|embedContent)(?:\?(.*))?$/;

/** A Gemini call as the fake upstream saw its path. */
export interface GeminiCall {
  apiVersion: string;
  model: string;
  stream: boolean;
  /** The method after the model's name: generateContent, streamGenerateContent, or an embedding call's. */
  method: string;
  /** Vertex AI's project and location; absent on the Gemini API. */
  vertex?: { project: string; location: string };
}

/** The Gemini call a path stands for, or undefined for another API's path. */
export function geminiRoute(url: string): GeminiCall | undefined {
  const m = PATH.exec(url);
  if (!m) return undefined;
  const call: GeminiCall = {
    apiVersion: m[1] ?? "",
    model: decodeURIComponent(m[4] ?? ""),
    stream: m[5] === "streamGenerateContent",
    method: m[5] ?? "",
  };
  if (m[2] && m[3]) call.vertex = { project: m[2], location: m[3] };
  return call;
}

const STATUS_OF: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

function googleError(status: number, message: string, details: object[] = []) {
  return { error: { code: status, message, status: STATUS_OF[status] ?? "UNKNOWN", details } };
}

function words(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

/** Usage as Gemini counts it: the cached tokens inside promptTokenCount, thoughts beside the answer's tokens. */
function usage(text: string) {
  const answer = words(text).length;
  return {
    promptTokenCount: 13,
    candidatesTokenCount: answer,
    cachedContentTokenCount: 3,
    thoughtsTokenCount: 4,
    totalTokenCount: 17 + answer,
  };
}

function candidate(parts: object[], finishReason?: string) {
  return { content: { role: "model", parts }, index: 0, ...(finishReason ? { finishReason } : {}) };
}

const send = (res: http.ServerResponse, data: string) => new Promise<void>((resolve) => res.write(data, () => resolve()));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers one Gemini call as the behaviour scripts it (its reset, hang and first-byte delay already applied). */
export async function answerGemini(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  call: GeminiCall,
  b: FakeBehaviour,
  body: Record<string, unknown>,
): Promise<void> {
  const json = (status: number, body: unknown) =>
    void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  const key = req.headers["x-goog-api-key"];
  if (!key && !req.headers.authorization) return json(403, googleError(403, "Method doesn't allow unregistered callers."));
  if (typeof key === "string" && key.startsWith("invalid")) {
    const info = { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" };
    return json(400, googleError(400, "API key not valid. Please pass a valid API key.", [info]));
  }
  if (b.status && b.status >= 400) {
    const retry = b.retryAfter ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${b.retryAfter}s` }] : [];
    return json(b.status, googleError(b.status, `fake upstream says ${b.status}`, retry));
  }
  if (call.method !== "generateContent" && !call.stream) {
    const answer = await answerGoogleEmbed(call.method, call.model, body);
    return json(answer.status, b.rawBody ?? answer.body);
  }
  const text = b.text ?? "Hello from the fake upstream, streaming word by word.";
  const calls = (b.toolCalls ?? []).map((c) => ({ functionCall: { name: c.name, args: JSON.parse(c.arguments) as object } }));
  const finish = b.finishReason ?? "STOP";
  if (!call.stream) {
    const parts = [...(text ? [{ text }] : []), ...calls];
    return json(200, b.rawBody ?? { candidates: [candidate(parts, finish)], usageMetadata: usage(text), modelVersion: call.model });
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  const events: { data: unknown; text?: boolean; finish?: boolean }[] = b.rawEvents
    ? b.rawEvents.map((data) => ({ data }))
    : [
        ...words(text).map((w) => ({ data: { candidates: [candidate([{ text: w }])], modelVersion: call.model }, text: true })),
        { data: { candidates: [candidate(calls, finish)], usageMetadata: usage(text), modelVersion: call.model }, finish: true },
      ];
  let textChunks = 0;
  for (const e of events) {
    if (res.destroyed) return;
    if (e.text && b.abortAfterChunks !== undefined && textChunks++ >= b.abortAfterChunks) return void req.socket.destroy();
    if (e.finish && b.endWithoutFinish) break;
    await send(res, `data: ${typeof e.data === "string" ? e.data : JSON.stringify(e.data)}\r\n\r\n`);
    if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
  }
  res.end();
}
