/**
 * The least a gRPC pass-through must do, shared by the two gRPC floors: turn
 * the gateway's CompleteRequest into an OpenAI chat body, call the upstream
 * with undici, and turn its answer (whole, or streamed deltas) back into the
 * gateway's messages. No routing, limits, cache, usage or logging: the floor.
 */
import { create } from "@bufbuild/protobuf";
import { request } from "undici";
import {
  type CompleteRequest,
  type CompleteResponse,
  CompleteResponseSchema,
  type StreamCompleteRequest,
  type StreamCompleteResponse,
  StreamCompleteResponseSchema,
} from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { type Completion, CompletionSchema, FinishReason, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { contentOf, type OpenAiChunk, sseData } from "../lib/sse.js";

const roles: Record<number, string> = { [Role.SYSTEM]: "system", [Role.USER]: "user", [Role.ASSISTANT]: "assistant", [Role.TOOL]: "tool" };
const finishReasons: Record<string, FinishReason> = {
  stop: FinishReason.STOP,
  length: FinishReason.LENGTH,
  tool_calls: FinishReason.TOOL_CALLS,
  content_filter: FinishReason.CONTENT_FILTER,
};

/** The OpenAI chat body for a request. */
function chatBody(req: CompleteRequest | StreamCompleteRequest, stream: boolean): string {
  const body: Record<string, unknown> = {
    model: req.model,
    messages: req.messages.map((m) => ({ role: roles[m.role] ?? "user", content: m.content })),
  };
  if (req.maxTokens !== undefined) body["max_tokens"] = req.maxTokens;
  if (req.temperature !== undefined) body["temperature"] = req.temperature;
  if (stream) {
    body["stream"] = true;
    body["stream_options"] = { include_usage: true };
  }
  return JSON.stringify(body);
}

async function post(baseUrl: string, body: string, signal?: AbortSignal) {
  const res = await request(`${baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
    body,
    ...(signal ? { signal } : {}),
  });
  if (res.statusCode !== 200) {
    const text = await res.body.text();
    throw new Error(`upstream answered ${res.statusCode}: ${text.slice(0, 200)}`);
  }
  return res.body;
}

function completion(text: string, model: string, finish: string | null | undefined, usage: OpenAiChunk["usage"]): Completion {
  return create(CompletionSchema, {
    message: { role: Role.ASSISTANT, content: text },
    finishReason: finishReasons[finish ?? ""] ?? FinishReason.UNSPECIFIED,
    model,
    provider: "upstream",
    ...(usage
      ? {
          usage: {
            inputTokens: BigInt(usage.prompt_tokens),
            outputTokens: BigInt(usage.completion_tokens),
            totalTokens: BigInt(usage.prompt_tokens + usage.completion_tokens),
          },
        }
      : {}),
  });
}

/** Complete: one upstream call without streaming. */
export async function completeViaUpstream(baseUrl: string, req: CompleteRequest, signal?: AbortSignal): Promise<CompleteResponse> {
  const body = await post(baseUrl, chatBody(req, false), signal);
  const json = (await body.json()) as {
    model: string;
    choices: { message: { content: string | null }; finish_reason: string | null }[];
    usage?: OpenAiChunk["usage"];
  };
  const choice = json.choices[0];
  return create(CompleteResponseSchema, {
    completion: completion(choice?.message.content ?? "", json.model, choice?.finish_reason, json.usage),
  });
}

/** StreamComplete: each upstream delta as it arrives, then the whole completion. */
export async function* streamViaUpstream(
  baseUrl: string,
  req: StreamCompleteRequest,
  signal?: AbortSignal,
): AsyncGenerator<StreamCompleteResponse> {
  const body = await post(baseUrl, chatBody(req, true), signal);
  let text = "";
  let model = req.model;
  let finish: string | null | undefined;
  let usage: OpenAiChunk["usage"];
  for await (const data of sseData(body)) {
    if (data === "[DONE]") break;
    const chunk = JSON.parse(data) as OpenAiChunk;
    model = chunk.model ?? model;
    usage = chunk.usage ?? usage;
    finish = chunk.choices?.[0]?.finish_reason ?? finish;
    const delta = contentOf(chunk);
    if (delta) {
      text += delta;
      yield create(StreamCompleteResponseSchema, { event: { case: "delta", value: { text: delta } } });
    }
  }
  yield create(StreamCompleteResponseSchema, { event: { case: "completion", value: completion(text, model, finish, usage) } });
}
