import { createHash } from "node:crypto";
import type {
  ChatCompletionStreamRequest,
  ContentChunk,
  ReasoningEffort as MistralEffort,
  ResponseFormat as MistralResponseFormat,
  ToolCall as MistralToolCall,
} from "@mistralai/mistralai/models/components";
import { invalidRequest } from "../core/errors.js";
import type { ChatMessage, ContentPart, ReasoningOptions } from "../core/types.js";
import type { ProviderRequest } from "./provider.js";

/*
 * A provider request as one call of Mistral's chat completions API, in the shape of
 * @mistralai/mistralai's request types. Mistral refuses any field it does not know (a 422
 * extra_forbidden), so a field is sent under Mistral's own name (random_seed, not seed) or refused
 * here naming it; never sent in OpenAI's name and never dropped unsaid, except `user`, an end-user
 * id for abuse monitoring that Mistral's API has no place for and that changes no answer.
 */

type MistralMessage = ChatCompletionStreamRequest["messages"][number];

/** Mistral's two service tiers; OpenAI's other names (default, flex, priority) mean nothing to it. */
const SERVICE_TIERS: ReadonlySet<string> = new Set(["auto", "standard_only"]);

const TOOL_CALL_ID = /^[a-zA-Z0-9]{9}$/;
const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A tool call id as Mistral takes it: nine letters or digits, or the request is refused with a 400.
 * Ids Mistral gave pass unchanged; another provider's (call_..., toolu_...) are replaced by nine
 * characters of their hash, the same for the call and its result, so that a conversation begun on
 * OpenAI or Anthropic can fail over to Mistral and keep its pairs matched.
 */
export function mistralToolCallId(id: string): string {
  if (TOOL_CALL_ID.test(id)) return id;
  const digest = createHash("sha256").update(id).digest();
  let out = "";
  for (let i = 0; i < 9; i++) out += ID_ALPHABET[(digest[i] ?? 0) % ID_ALPHABET.length];
  return out;
}

function refuseUnsupported(r: ProviderRequest): void {
  if (r.logprobs || r.topLogprobs !== undefined) {
    throw invalidRequest(r.logprobs ? "logprobs" : "top_logprobs", "Mistral's chat API does not return log probabilities");
  }
  if (r.topK !== undefined) throw invalidRequest("top_k", "Mistral's chat API does not take it");
  if (r.serviceTier !== undefined && !SERVICE_TIERS.has(r.serviceTier)) {
    throw invalidRequest("service_tier", "Mistral's tiers are auto and standard_only");
  }
  if (r.extraBody && Object.keys(r.extraBody).length > 0)
    throw invalidRequest("extra_body", "is passed only to openai-compatible providers");
}

/** A data: URL for bytes given as base64 with their media type. */
const dataUrl = (mediaType: string | undefined, data: string) => `data:${mediaType ?? "application/octet-stream"};base64,${data}`;

function chunkOf(p: ContentPart, field: string): ContentChunk {
  switch (p.type) {
    case "text":
      return { type: "text", text: p.text };
    case "image": {
      // Mistral fetches https images and reads data: URLs alike.
      const url = p.url ?? dataUrl(p.mediaType, p.data ?? "");
      return { type: "image_url", imageUrl: p.detail ? { url, detail: p.detail } : url };
    }
    case "file":
      // Documents are read by URL (document_url) or as files uploaded to Mistral (their id); bytes in the
      // request have no chunk in Mistral's chat API.
      if (p.fileId !== undefined) return { type: "file", fileId: p.fileId };
      if (p.url && !p.url.startsWith("data:")) {
        return { type: "document_url", documentUrl: p.url, ...(p.filename ? { documentName: p.filename } : {}) };
      }
      throw invalidRequest(`${field}.file`, "Mistral reads documents by URL or by an uploaded file's id, not as bytes in the request");
    case "audio":
      return { type: "input_audio", inputAudio: p.data };
  }
}

function contentOf(m: ChatMessage, i: number): string | ContentChunk[] {
  return m.parts ? m.parts.map((p, j) => chunkOf(p, `messages[${i}].parts[${j}]`)) : m.content;
}

/**
 * The assistant's turn: its reasoning goes back as a thinking chunk before its text (Mistral's
 * reasoning models take their earlier thinking that way), its calls with Mistral's ids.
 */
function assistantMessage(m: ChatMessage): MistralMessage {
  const calls: MistralToolCall[] = (m.toolCalls ?? []).map((c) => ({
    id: mistralToolCallId(c.id),
    type: "function",
    function: { name: c.name, arguments: c.argumentsJson || "{}" },
  }));
  const message: MistralMessage = { role: "assistant", content: m.content };
  if (m.reasoning) {
    const thinking: ContentChunk = { type: "thinking", thinking: [{ type: "text", text: m.reasoning }] };
    if (m.reasoningSignature) thinking.signature = m.reasoningSignature;
    message.content = [thinking, ...(m.content ? [{ type: "text" as const, text: m.content }] : [])];
  }
  if (calls.length > 0) message.toolCalls = calls;
  return message;
}

/** The core's messages as Mistral's: tool results name their call's function, as Mistral's examples do. */
export function toMistralMessages(input: readonly ChatMessage[]): MistralMessage[] {
  const callNames = new Map<string, string>();
  return input.map((m, i): MistralMessage => {
    switch (m.role) {
      case "system":
        // The gateway allows only text in system messages: their content is the text of their parts.
        return { role: "system", content: m.content };
      case "user":
        return { role: "user", content: contentOf(m, i) };
      case "assistant":
        for (const c of m.toolCalls ?? []) callNames.set(c.id, c.name);
        return assistantMessage(m);
      default: {
        // A tool result, the one role left. Mistral's tool messages have no error flag: the failure is said in the text, as on OpenAI's path.
        const content = m.isError ? `error: ${m.content}` : contentOf(m, i);
        const name = callNames.get(m.toolCallId ?? "") ?? m.name;
        return { role: "tool", content, toolCallId: mistralToolCallId(m.toolCallId ?? ""), ...(name ? { name } : {}) };
      }
    }
  });
}

/**
 * The effort asked for; a budget alone becomes the effort that spends about that many thinking
 * tokens, as on OpenAI's path: under 2,048 low, under 8,192 medium, else high.
 */
function effortOf(reasoning: ReasoningOptions): MistralEffort | undefined {
  if (reasoning.effort) return reasoning.effort;
  // Adaptive thinking with no effort leaves the effort to the model.
  if (reasoning.budgetTokens === undefined) return undefined;
  return reasoning.budgetTokens < 2048 ? "low" : reasoning.budgetTokens < 8192 ? "medium" : "high";
}

function responseFormatOf(r: ProviderRequest): MistralResponseFormat | undefined {
  const format = r.responseFormat;
  if (!format) return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  return {
    type: "json_schema",
    jsonSchema: {
      name: format.name,
      ...(format.description ? { description: format.description } : {}),
      schemaDefinition: JSON.parse(format.schemaJson) as Record<string, unknown>,
      strict: format.strict,
    },
  };
}

/** The body of one chat call; `stream` is set by the caller. */
export function chatRequest(r: ProviderRequest): ChatCompletionStreamRequest {
  refuseUnsupported(r);
  const body: ChatCompletionStreamRequest = { model: r.model, messages: toMistralMessages(r.messages), maxTokens: r.maxTokens };
  if (r.temperature !== undefined) body.temperature = r.temperature;
  if (r.topP !== undefined) body.topP = r.topP;
  if (r.stop.length > 0) body.stop = [...r.stop];
  if (r.seed !== undefined) body.randomSeed = r.seed;
  if (r.presencePenalty !== undefined) body.presencePenalty = r.presencePenalty;
  if (r.frequencyPenalty !== undefined) body.frequencyPenalty = r.frequencyPenalty;
  if (r.tools?.length) {
    body.tools = r.tools.map((t) => ({
      type: "function" as const,
      function: {
        name: t.name,
        description: t.description,
        parameters: JSON.parse(t.parametersJson) as Record<string, unknown>,
        ...(t.strict !== undefined ? { strict: t.strict } : {}),
      },
    }));
    const choice = r.toolChoice;
    // Mistral's "any" is OpenAI's "required": some tool must be called.
    if (choice)
      body.toolChoice =
        typeof choice === "object" ? { type: "function", function: { name: choice.name } } : choice === "required" ? "any" : choice;
    if (r.parallelToolCalls !== undefined) body.parallelToolCalls = r.parallelToolCalls;
  }
  const format = responseFormatOf(r);
  if (format) body.responseFormat = format;
  const effort = r.reasoning ? effortOf(r.reasoning) : undefined;
  if (effort) body.reasoningEffort = effort;
  if (r.serviceTier) body.serviceTier = r.serviceTier as NonNullable<ChatCompletionStreamRequest["serviceTier"]>;
  if (r.promptCacheKey) body.promptCacheKey = r.promptCacheKey;
  return body;
}
