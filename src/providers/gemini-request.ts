import type {
  Content,
  FunctionCallingConfig,
  FunctionCallingConfigMode,
  GenerateContentConfig,
  GenerateContentParameters,
  Part,
  ThinkingConfig,
} from "@google/genai";
import { invalidRequest } from "../core/errors.js";
import { parseDataUrl } from "../core/media.js";
import type { ChatMessage, ContentPart, ReasoningEffort } from "../core/types.js";
import type { ProviderRequest } from "./provider.js";

/*
 * A provider request as one generateContent call of the Gemini API or Vertex AI (the same body on
 * both). Every field is sent, or refused naming it: a field Gemini cannot take is never dropped unsaid.
 */

/**
 * Thinking budgets for an effort: Gemini 2.5 Pro thinks at least 128 tokens, Flash up to 24,576.
 * Effort none is a budget of 0 (Flash and Flash-Lite stop thinking; Pro refuses it, and says so).
 */
const BUDGET_OF: Record<ReasoningEffort, number> = { none: 0, minimal: 128, low: 1024, medium: 8192, high: 24576 };

/** Gemini's media types for a URL's extension, for a part fetched by URL without one. */
const MEDIA_OF_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
  txt: "text/plain",
};

function refuseUnsupported(r: ProviderRequest): void {
  const notTaken = (field: string, why = "Gemini's generateContent does not take it"): never => {
    throw invalidRequest(field, why);
  };
  if (r.logprobs) notTaken("logprobs", "the gateway's Gemini provider does not carry log probabilities");
  if (r.topLogprobs !== undefined) notTaken("top_logprobs", "the gateway's Gemini provider does not carry log probabilities");
  if (r.serviceTier !== undefined) notTaken("service_tier");
  if (r.parallelToolCalls === false) notTaken("parallel_tool_calls", "Gemini has no switch to stop parallel function calls");
  if (r.extraBody && Object.keys(r.extraBody).length > 0)
    throw invalidRequest("extra_body", "is passed only to openai-compatible providers");
}

function mediaTypeOf(url: string, given: string | undefined, field: string): string {
  if (given) return given;
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  const known = ext ? MEDIA_OF_EXTENSION[ext] : undefined;
  if (!known) throw invalidRequest(`${field}.media_type`, "Gemini needs the media type of a part it fetches by URL");
  return known;
}

/** Bytes inline, a data: URL as inline bytes, or a URL (a Files API URI, gs:// on Vertex, https) as fileData. */
function mediaPart(url: string | undefined, data: string | undefined, mediaType: string | undefined, field: string): Part {
  if (data !== undefined) {
    if (!mediaType) throw invalidRequest(`${field}.media_type`, "Gemini needs the media type of inline bytes");
    return { inlineData: { mimeType: mediaType, data } };
  }
  if (url?.startsWith("data:")) {
    const parsed = parseDataUrl(url);
    if (!parsed) throw invalidRequest(`${field}.url`, "a data: URL must be data:<media type>;base64,<data>");
    return { inlineData: { mimeType: parsed.mediaType, data: parsed.data } };
  }
  if (url) return { fileData: { fileUri: url, mimeType: mediaTypeOf(url, mediaType, field) } };
  throw invalidRequest(field, "needs a url or data");
}

function partOf(p: ContentPart, field: string): Part {
  switch (p.type) {
    case "text":
      return { text: p.text };
    case "image":
      // Gemini sets resolution per request (media_resolution), not per image; "auto" is no detail.
      if (p.detail && p.detail !== "auto") throw invalidRequest(`${field}.detail`, `Gemini does not take an image detail (${p.detail})`);
      return mediaPart(p.url, p.data, p.mediaType, field);
    case "file":
      // Gemini's uploaded files are named by their URI (the Files API's, or gs:// on Vertex).
      return p.fileId !== undefined
        ? { fileData: { fileUri: p.fileId, mimeType: mediaTypeOf(p.fileId, p.mediaType, field) } }
        : mediaPart(p.url, p.data, p.mediaType, field);
    case "audio":
      return { inlineData: { mimeType: p.format === "wav" ? "audio/wav" : "audio/mp3", data: p.data } };
  }
}

function partsOf(m: ChatMessage, i: number): Part[] {
  if (m.parts) return m.parts.map((p, j) => partOf(p, `messages[${i}].parts[${j}]`));
  return m.content ? [{ text: m.content }] : [];
}

/** A tool's result as Gemini's functionResponse: JSON text as its value, other text as a string. */
function resultValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The assistant's turn: its text, then its function calls. A thought signature goes back on the
 * part it came with: the first function call, else the last text part (Gemini's rule for returning them).
 */
function modelContent(m: ChatMessage, i: number): Content {
  const parts = partsOf(m, i);
  for (const c of m.toolCalls ?? []) {
    const args = resultValue(c.argumentsJson || "{}");
    const call: Part = {
      functionCall: {
        id: c.id,
        name: c.name,
        args: typeof args === "object" && args !== null ? (args as Record<string, unknown>) : { value: args },
      },
    };
    parts.push(call);
  }
  if (m.reasoningSignature) {
    const target = parts.find((p) => p.functionCall) ?? parts.at(-1);
    if (target) target.thoughtSignature = m.reasoningSignature;
    else parts.push({ text: "", thoughtSignature: m.reasoningSignature });
  }
  return { role: "model", parts };
}

/** The core's messages as Gemini contents: system messages become the system instruction, tool results user turns. */
export function toGeminiContents(input: readonly ChatMessage[]): { system: Part[]; contents: Content[] } {
  const system: Part[] = [];
  const contents: Content[] = [];
  // A function response names its function; the core's tool message names the call, so the name comes from the call.
  const callNames = new Map<string, string>();
  input.forEach((m, i) => {
    if (m.role === "system") {
      if (contents.length > 0) throw invalidRequest(`messages[${i}]`, "Gemini takes system instructions only before the conversation");
      system.push(...partsOf(m, i));
    } else if (m.role === "user") {
      contents.push({ role: "user", parts: partsOf(m, i) });
    } else if (m.role === "assistant") {
      for (const c of m.toolCalls ?? []) callNames.set(c.id, c.name);
      contents.push(modelContent(m, i));
    } else {
      const name = callNames.get(m.toolCallId ?? "") ?? m.name;
      if (!name) throw invalidRequest(`messages[${i}].tool_call_id`, "names no function call of an earlier assistant message");
      const value = resultValue(m.content);
      const part: Part = { functionResponse: { id: m.toolCallId ?? "", name, response: m.isError ? { error: value } : { output: value } } };
      // Consecutive tool results answer one turn's calls: Gemini wants them in one user turn.
      const last = contents.at(-1);
      if (last?.role === "user" && last.parts?.every((p) => p.functionResponse)) last.parts.push(part);
      else contents.push({ role: "user", parts: [part] });
    }
  });
  return { system, contents };
}

function thinkingOf(r: ProviderRequest): ThinkingConfig | undefined {
  const reasoning = r.reasoning;
  if (!reasoning) return undefined;
  // Adaptive thinking is Gemini's dynamic budget (-1): the model decides how much to think.
  if (reasoning.adaptive) return { thinkingBudget: -1, includeThoughts: true };
  if (reasoning.budgetTokens === undefined && reasoning.effort === undefined) return undefined;
  const budget = reasoning.budgetTokens ?? BUDGET_OF[reasoning.effort ?? "low"];
  if (budget >= r.maxTokens && budget > 0) {
    const field = reasoning.budgetTokens !== undefined ? "reasoning.budget_tokens" : "reasoning.effort";
    throw invalidRequest(field, `a thinking budget of ${budget} tokens must be less than max_tokens (${r.maxTokens})`);
  }
  return budget === 0 ? { thinkingBudget: 0 } : { thinkingBudget: budget, includeThoughts: true };
}

function functionCallingOf(r: ProviderRequest): FunctionCallingConfig | undefined {
  const choice = r.toolChoice;
  const strict = r.tools?.some((t) => t.strict) ?? false;
  if (choice === "none") return { mode: "NONE" as FunctionCallingConfigMode };
  if (choice === "required") return { mode: "ANY" as FunctionCallingConfigMode };
  if (typeof choice === "object") return { mode: "ANY" as FunctionCallingConfigMode, allowedFunctionNames: [choice.name] };
  // Strict tools: Gemini's VALIDATED mode holds calls to their declarations' schemas, and lets the model answer in text.
  if (strict) return { mode: "VALIDATED" as FunctionCallingConfigMode };
  return choice === "auto" ? { mode: "AUTO" as FunctionCallingConfigMode } : undefined;
}

/** The parameters of one generateContent call; abortSignal is added by the caller. */
export function generateParams(r: ProviderRequest): GenerateContentParameters & { config: GenerateContentConfig } {
  refuseUnsupported(r);
  const { system, contents } = toGeminiContents(r.messages);
  const config: GenerateContentConfig = { maxOutputTokens: r.maxTokens };
  if (system.length > 0) config.systemInstruction = { role: "user", parts: system };
  if (r.temperature !== undefined) config.temperature = r.temperature;
  if (r.topP !== undefined) config.topP = r.topP;
  if (r.topK !== undefined) config.topK = r.topK;
  if (r.stop.length > 0) config.stopSequences = [...r.stop];
  if (r.seed !== undefined) config.seed = r.seed;
  if (r.presencePenalty !== undefined) config.presencePenalty = r.presencePenalty;
  if (r.frequencyPenalty !== undefined) config.frequencyPenalty = r.frequencyPenalty;
  const thinking = thinkingOf(r);
  if (thinking) config.thinkingConfig = thinking;
  if (r.tools?.length) {
    // parametersJsonSchema takes JSON Schema as it is, where `parameters` takes only OpenAPI's subset.
    config.tools = [
      {
        functionDeclarations: r.tools.map((t) => ({
          name: t.name,
          description: t.description,
          parametersJsonSchema: JSON.parse(t.parametersJson),
        })),
      },
    ];
    const calling = functionCallingOf(r);
    if (calling) config.toolConfig = { functionCallingConfig: calling };
  }
  const format = r.responseFormat;
  if (format) {
    config.responseMimeType = "application/json";
    if (format.type === "json_schema") {
      const schema = JSON.parse(format.schemaJson) as Record<string, unknown>;
      // Gemini's schema has no name (an identifier with no effect on the answer); the description goes where the model reads it.
      if (format.description && schema["description"] === undefined) schema["description"] = format.description;
      config.responseJsonSchema = schema;
    }
  }
  return { model: r.model, contents, config };
}
