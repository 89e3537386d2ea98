import type { CallReport } from "../core/call.js";
import { isGatewayError } from "../core/errors.js";
import type { RequestAttempt, RequestRecord } from "../request-log/store.js";
import type { RequestLogWriter } from "../request-log/writer.js";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import type { AccessEntry } from "./access-log.js";
import { toConnectError } from "./error-mapper.js";

// The calls the request log keeps: completions and embeddings, whichever face they came by.
const LOGGED = new Set([
  "llmgateway.v1.CompletionService/Complete",
  "llmgateway.v1.CompletionService/StreamComplete",
  "llmgateway.v1.EmbeddingService/Embed",
  "openai.rest/chat.completions",
  "openai.rest/embeddings",
  "openai.rest/messages",
  "openai.rest/responses.create",
]);

/** The face of an RPC, by its content type: grpc, grpc-web or connect (grpc-js keeps no content type: grpc). */
export function rpcFace(contentType: string | null): string {
  if (contentType === null || contentType.startsWith("application/grpc-web")) return contentType === null ? "grpc" : "grpc-web";
  return contentType.startsWith("application/grpc") ? "grpc" : "connect";
}

/** The REST faces, by route: Anthropic's Messages, OpenAI's Responses, or OpenAI's chat and embeddings. */
function restFace(method: string): string {
  if (method.startsWith("messages")) return "rest-anthropic";
  if (method.startsWith("responses")) return "responses";
  return "rest-openai";
}

/**
 * Turns each finished completion or embedding call's access entry into a
 * request log record and hands it to the writer (which never blocks). The
 * content is kept only when the pipeline put it in the report (log.prompts),
 * cut to maxContentChars.
 */
export function createRequestRecorder(writer: RequestLogWriter, maxContentChars: number): (e: AccessEntry, code: string) => void {
  return (e, code) => {
    if (!LOGGED.has(`${e.service}/${e.method}`)) return;
    try {
      writer.write(recordOf(e, code, maxContentChars));
    } catch (err) {
      // The log is bookkeeping: a record that cannot be built (content that will not serialise) is not the call's failure.
      writer.discard(err instanceof Error ? err.message : String(err));
    }
  };
}

function recordOf(e: AccessEntry, code: string, maxContentChars: number): RequestRecord {
  const report: CallReport = e.report ?? {};
  const rest = e.service === "openai.rest";
  const endedAt = e.endedAt ?? Date.now();
  const latencyMs = Math.round(e.seconds * 10_000) / 10;
  const record: RequestRecord = {
    time: Math.round(endedAt - latencyMs),
    face: rest ? restFace(e.method) : (e.face ?? "grpc"),
    method: rest ? e.method : `${e.service.replace(/^llmgateway\.v1\./, "")}/${e.method}`,
    tenant: e.tenant,
    keyId: report.key_id,
    user: report.user,
    model: report.model,
    provider: report.provider,
    attempts: attemptsOf(report, e.error),
    inputTokens: report.input_tokens ?? 0,
    outputTokens: report.output_tokens ?? 0,
    cachedInputTokens: report.cached_input_tokens ?? 0,
    reasoningTokens: report.reasoning_tokens ?? 0,
    costUsd: report.cost_usd ?? 0,
    latencyMs,
    code,
    reason: e.error === undefined ? undefined : reasonOf(e.error),
    httpStatus: e.status,
    cache: report.cache,
    requestId: e.requestId ?? "",
    traceId: e.traceId,
    metadata: report.metadata,
    prompt: cut(report.detail?.prompt, maxContentChars),
    answer: cut(report.detail?.answer, maxContentChars),
  };
  return record;
}

function reasonOf(error: unknown): string | undefined {
  if (isGatewayError(error)) return error.reason;
  return toConnectError(error).findDetails(ErrorInfoSchema)[0]?.reason;
}

/** The attempts the answer's result listed; for a call that failed, those its error names ("provider:REASON,..."). */
function attemptsOf(report: CallReport, error: unknown): RequestAttempt[] {
  const listed = report.detail?.attempts;
  if (listed && error === undefined)
    return listed.map((a) => ({
      provider: a.provider,
      model: a.model,
      outcome: a.errorReason ?? "ok",
      latencyMs: Math.round(a.latencyMs),
    }));
  const named = isGatewayError(error) ? error.metadata["attempts"] : undefined;
  if (named) {
    return named.split(",").map((pair) => {
      const [provider = "", outcome = ""] = pair.split(":");
      return { provider, model: "", outcome, latencyMs: 0 };
    });
  }
  if (isGatewayError(error) && error.metadata["provider"])
    return [{ provider: error.metadata["provider"], model: "", outcome: error.reason, latencyMs: 0 }];
  return [];
}

/** Content as text, at most max characters (an answer's message as its text when it has only text). */
function cut(value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
