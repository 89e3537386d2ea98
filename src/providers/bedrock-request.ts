import type {
  ContentBlock,
  ConverseStreamRequest,
  DocumentFormat,
  ImageFormat,
  Message,
  SystemContentBlock,
  Tool,
  ToolChoice as BedrockToolChoice,
  ToolResultContentBlock,
  ToolUseBlock,
} from "@aws-sdk/client-bedrock-runtime";
import { invalidRequest } from "../core/errors.js";
import { parseDataUrl } from "../core/media.js";
import type { CacheControl, ChatMessage, ContentPart, ReasoningEffort } from "../core/types.js";
import type { ProviderRequest } from "./provider.js";
import { argumentsObject } from "./tool-arguments.js";

/*
 * A provider request as one Converse (or ConverseStream) call. Converse has no field for some of what
 * callers send; those are refused naming the field, never dropped unsaid. top_k and Claude's thinking
 * go in additionalModelRequestFields, the model's own body, which is how Bedrock passes what Converse lacks.
 */

/** The request body of Converse and ConverseStream (they take the same fields). */
export type ConverseBody = ConverseStreamRequest;

const IMAGE_FORMATS: Record<string, ImageFormat> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

const DOCUMENT_FORMATS: Record<string, DocumentFormat> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
};

/** Claude's thinking budgets by effort, as the Anthropic provider uses them (1,024 is Claude's least). */
const BUDGET_OF: Record<Exclude<ReasoningEffort, "none">, number> = { minimal: 1024, low: 1024, medium: 4096, high: 16384 };

function refuseUnsupported(r: ProviderRequest): void {
  const notTaken = (field: string): never => {
    throw invalidRequest(field, "Bedrock's Converse API does not take it");
  };
  // A penalty of 0 changes nothing, and many clients send it by default.
  if (r.presencePenalty !== undefined && r.presencePenalty !== 0) notTaken("presence_penalty");
  if (r.frequencyPenalty !== undefined && r.frequencyPenalty !== 0) notTaken("frequency_penalty");
  if (r.seed !== undefined) notTaken("seed");
  if (r.logprobs) notTaken("logprobs");
  if (r.topLogprobs !== undefined) notTaken("top_logprobs");
  if (r.serviceTier !== undefined) notTaken("service_tier");
  if (r.parallelToolCalls === false) notTaken("parallel_tool_calls");
  if (r.reasoning?.adaptive) notTaken("reasoning.adaptive");
  if (r.extraBody && Object.keys(r.extraBody).length > 0)
    throw invalidRequest("extra_body", "is passed only to openai-compatible providers");
}

/** Inline bytes of a part: its data, or a data: URL's. Bedrock fetches nothing by URL except from S3. */
function bytesOf(p: { data?: string; url?: string; mediaType?: string }, field: string): { bytes: Uint8Array; mediaType: string } {
  if (p.data !== undefined) return { bytes: Buffer.from(p.data, "base64"), mediaType: p.mediaType ?? "" };
  if (p.url?.startsWith("data:")) {
    const parsed = parseDataUrl(p.url);
    if (!parsed) throw invalidRequest(`${field}.url`, "a data: URL must be data:<media type>;base64,<data>");
    return { bytes: Buffer.from(parsed.data, "base64"), mediaType: parsed.mediaType };
  }
  throw invalidRequest(`${field}.url`, "Bedrock takes images and documents as bytes (data or a data: URL), not by URL");
}

function partBlock(p: ContentPart, field: string): ContentBlock & ToolResultContentBlock {
  switch (p.type) {
    case "text":
      return { text: p.text };
    case "image": {
      if (p.detail && p.detail !== "auto") throw invalidRequest(`${field}.detail`, `Bedrock does not take an image detail (${p.detail})`);
      const { bytes, mediaType } = bytesOf(p, field);
      const format = IMAGE_FORMATS[mediaType];
      if (!format) throw invalidRequest(`${field}.media_type`, "Bedrock takes images as png, jpeg, gif or webp");
      return { image: { format, source: { bytes } } };
    }
    case "file": {
      if (p.fileId !== undefined) throw invalidRequest(`${field}.file_id`, "Bedrock has no file store: send the bytes");
      const { bytes, mediaType } = bytesOf(p, field);
      const format = DOCUMENT_FORMATS[mediaType];
      if (!format) throw invalidRequest(`${field}.media_type`, `Bedrock takes documents as ${Object.keys(DOCUMENT_FORMATS).join(", ")}`);
      // Bedrock requires a name: letters, digits, spaces, hyphens, parentheses and brackets only.
      const name = (p.filename ?? "document").replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9 ()[\]-]/g, "-") || "document";
      return { document: { format, name, source: { bytes } } };
    }
    case "audio":
      throw invalidRequest(field, "Bedrock's Converse API takes no audio");
  }
}

/** Cache control as a cache point, placed after the marked content: Bedrock caches the prompt up to it. */
const cachePoint = (c: CacheControl): ContentBlock => ({ cachePoint: c.ttl ? { type: "default", ttl: c.ttl } : { type: "default" } });

function blocksOf(m: ChatMessage, i: number): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  if (m.parts) {
    m.parts.forEach((p, j) => {
      blocks.push(partBlock(p, `messages[${i}].parts[${j}]`));
      if (p.cacheControl) blocks.push(cachePoint(p.cacheControl));
    });
  } else if (m.content) blocks.push({ text: m.content });
  if (m.cacheControl) blocks.push(cachePoint(m.cacheControl));
  return blocks;
}

/** Consecutive messages of one role merge: Converse wants the roles to alternate (tool results are the user's). */
function push(messages: Message[], role: "user" | "assistant", content: ContentBlock[]): void {
  const last = messages.at(-1);
  if (last?.role === role) last.content = [...(last.content ?? []), ...content];
  else messages.push({ role, content });
}

/** The core's messages as Converse's system blocks and alternating messages. */
export function toConverseMessages(input: readonly ChatMessage[]): { system: SystemContentBlock[]; messages: Message[] } {
  const system: SystemContentBlock[] = [];
  const messages: Message[] = [];
  input.forEach((m, i) => {
    switch (m.role) {
      case "system":
        if (messages.length > 0) throw invalidRequest(`messages[${i}]`, "Bedrock takes system messages only before the conversation");
        system.push(...(blocksOf(m, i) as SystemContentBlock[]));
        break;
      case "user":
        push(messages, "user", blocksOf(m, i));
        break;
      case "assistant": {
        const blocks: ContentBlock[] = [];
        // Reasoning goes back only signed: Claude rejects thinking it cannot verify.
        if (m.reasoningSignature)
          blocks.push({ reasoningContent: { reasoningText: { text: m.reasoning ?? "", signature: m.reasoningSignature } } });
        blocks.push(...blocksOf(m, i));
        for (const c of m.toolCalls ?? [])
          blocks.push({ toolUse: { toolUseId: c.id, name: c.name, input: argumentsObject(c.argumentsJson) as ToolUseBlock["input"] } });
        push(messages, "assistant", blocks);
        break;
      }
      case "tool": {
        const content = (
          m.parts ? m.parts.map((p, j) => partBlock(p, `messages[${i}].parts[${j}]`)) : [{ text: m.content }]
        ) as ToolResultContentBlock[];
        const result: ContentBlock = { toolResult: { toolUseId: m.toolCallId ?? "", content, status: m.isError ? "error" : "success" } };
        push(messages, "user", m.cacheControl ? [result, cachePoint(m.cacheControl)] : [result]);
        break;
      }
    }
  });
  return { system, messages };
}

function toolChoiceOf(r: ProviderRequest): BedrockToolChoice | undefined {
  const choice = r.toolChoice;
  if (choice === undefined || choice === "auto") return choice === "auto" ? { auto: {} } : undefined;
  if (choice === "required") return { any: {} };
  if (choice === "none") return undefined;
  return { tool: { name: choice.name } };
}

/** Claude's thinking, in the model's own body: a budget below max_tokens, as Anthropic requires. */
function thinkingOf(r: ProviderRequest): { type: "enabled"; budget_tokens: number } | undefined {
  const reasoning = r.reasoning;
  if (!reasoning || reasoning.effort === "none" || (reasoning.budgetTokens === undefined && reasoning.effort === undefined))
    return undefined;
  const field = reasoning.budgetTokens !== undefined ? "reasoning.budget_tokens" : "reasoning.effort";
  const budget = reasoning.budgetTokens ?? BUDGET_OF[reasoning.effort as Exclude<ReasoningEffort, "none">];
  if (budget < 1024) throw invalidRequest(field, `Claude's thinking budget is at least 1024 tokens, got ${budget}`);
  if (budget >= r.maxTokens)
    throw invalidRequest(field, `a thinking budget of ${budget} tokens must be less than max_tokens (${r.maxTokens})`);
  return { type: "enabled", budget_tokens: budget };
}

/** The body of a Converse call. */
export function converseParams(r: ProviderRequest): ConverseBody {
  refuseUnsupported(r);
  const { system, messages } = toConverseMessages(r.messages);
  const body: ConverseBody = { modelId: r.model, messages, inferenceConfig: { maxTokens: r.maxTokens } };
  const inference = body.inferenceConfig ?? {};
  if (r.temperature !== undefined) inference.temperature = r.temperature;
  if (r.topP !== undefined) inference.topP = r.topP;
  if (r.stop.length > 0) inference.stopSequences = [...r.stop];
  if (system.length > 0) body.system = system;
  // Converse has no tool choice "none": the tools are left out, which Bedrock refuses only when the
  // conversation already holds tool traffic (it then needs the tools declared).
  const toolTraffic = r.messages.some((m) => m.role === "tool" || (m.toolCalls?.length ?? 0) > 0);
  if (r.toolChoice === "none" && toolTraffic)
    throw invalidRequest("tool_choice", "Bedrock's Converse API has no tool choice none once tools were called");
  if (r.tools?.length && r.toolChoice !== "none") {
    const tools: Tool[] = r.tools.map((t) => ({
      toolSpec: { name: t.name, description: t.description || undefined, inputSchema: { json: JSON.parse(t.parametersJson) } },
    }));
    const toolChoice = toolChoiceOf(r);
    body.toolConfig = toolChoice ? { tools, toolChoice } : { tools };
  }
  const extra: Record<string, unknown> = {};
  if (r.topK !== undefined) extra["top_k"] = r.topK;
  const thinking = thinkingOf(r);
  // Claude refuses a forced tool call while thinking; said here, before the call, as the Anthropic provider does.
  if (thinking && (r.toolChoice === "required" || typeof r.toolChoice === "object"))
    throw invalidRequest("tool_choice", "with Claude's thinking Bedrock takes only auto");
  if (thinking) extra["thinking"] = thinking;
  if (Object.keys(extra).length > 0) body.additionalModelRequestFields = extra as never;
  if (r.responseFormat) {
    const f = r.responseFormat;
    const schema = f.type === "json_schema" ? f.schemaJson : JSON.stringify({ type: "object" });
    const name = f.type === "json_schema" ? f.name : "answer";
    const description = f.type === "json_schema" ? f.description : undefined;
    body.outputConfig = {
      textFormat: { type: "json_schema", structure: { jsonSchema: { schema, name, ...(description ? { description } : {}) } } },
    };
  }
  if (r.user) body.requestMetadata = { user: r.user };
  return body;
}
