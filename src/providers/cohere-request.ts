import type { Cohere } from "cohere-ai";
import { invalidRequest } from "../core/errors.js";
import type { ChatMessage, ContentPart, ReasoningEffort } from "../core/types.js";
import type { ProviderRequest } from "./provider.js";

/*
 * A provider request as one call of Cohere's v2 Chat API (POST /v2/chat), in the cohere-ai SDK's
 * camelCase (its serializer writes Cohere's snake_case wire). Every field is sent, or refused naming
 * it: a field Cohere cannot take is never dropped unsaid. Cohere's own request fields that the
 * gateway's contract has no name for (documents, citation_options, safety_mode, priority) come by
 * extra_body, checked here. `user` and prompt_cache_key are identifiers for the caller's and OpenAI's
 * records with no Cohere counterpart and no effect on the answer: they stay in the gateway's own logs.
 */

/** The body of a chat call; `stream` is added by the SDK's chatStream. */
export type CohereChatBody = Cohere.V2ChatRequest;

/**
 * Thinking budgets for an effort. Cohere has no effort, only a budget: high is thinking without one
 * (Cohere's own recommendation, and what its Compatibility API sends for "high"); none turns thinking off.
 */
const BUDGET_OF: Record<Exclude<ReasoningEffort, "none" | "high">, number> = { minimal: 1024, low: 4096, medium: 16384 };

/** Cohere's documented bound on stop sequences. */
const MAX_STOP_SEQUENCES = 5;

const SAFETY_MODES = new Set(["CONTEXTUAL", "STRICT", "OFF"]);
const CITATION_MODES = new Set(["ENABLED", "DISABLED", "FAST", "ACCURATE", "OFF"]);

function refuseUnsupported(r: ProviderRequest): void {
  const notTaken = (field: string, why = "Cohere's Chat API does not take it"): never => {
    throw invalidRequest(field, why);
  };
  if (r.topLogprobs !== undefined)
    notTaken("top_logprobs", "Cohere gives the log probability of each token it chose, without alternatives");
  if (r.serviceTier !== undefined) notTaken("service_tier");
  if (r.parallelToolCalls === false) notTaken("parallel_tool_calls", "Cohere has no switch to stop parallel tool calls");
  if (r.stop.length > MAX_STOP_SEQUENCES) notTaken("stop", `Cohere takes at most ${MAX_STOP_SEQUENCES} stop sequences`);
  // Cohere's penalties run from 0 to 1 (OpenAI's from -2 to 2): a value outside would be refused upstream.
  for (const [field, value] of [
    ["presence_penalty", r.presencePenalty],
    ["frequency_penalty", r.frequencyPenalty],
  ] as const) {
    if (value !== undefined && (value < 0 || value > 1)) notTaken(field, `Cohere takes a penalty from 0 to 1, got ${value}`);
  }
  if (r.responseFormat && r.tools?.length) notTaken("response_format", "Cohere does not take response_format together with tools");
}

/** An image as Cohere's image_url block: a web URL as it is, bytes as a data: URL. */
function imageBlock(p: Extract<ContentPart, { type: "image" }>, field: string): Cohere.Content {
  let url = p.url;
  if (p.data !== undefined) {
    if (!p.mediaType) throw invalidRequest(`${field}.media_type`, "Cohere needs the media type of inline image bytes");
    url = `data:${p.mediaType};base64,${p.data}`;
  }
  if (!url) throw invalidRequest(field, "needs a url or data");
  return { type: "image_url", imageUrl: p.detail ? { url, detail: p.detail } : { url } };
}

function userContent(m: ChatMessage, i: number): string | Cohere.Content[] {
  if (!m.parts) return m.content;
  return m.parts.map((p, j): Cohere.Content => {
    const field = `messages[${i}].parts[${j}]`;
    if (p.type === "text") return { type: "text", text: p.text };
    if (p.type === "image") return imageBlock(p, field);
    // A document goes to Cohere as extra_body.documents, which its answers cite; audio it does not take.
    throw invalidRequest(
      field,
      `Cohere's Chat API takes text and images in messages, not ${p.type} parts (documents: extra_body.documents)`,
    );
  });
}

/** Text only: system and tool messages take no images at Cohere. */
function textOf(m: ChatMessage, i: number): string {
  const other = m.parts?.findIndex((p) => p.type !== "text") ?? -1;
  if (other >= 0) throw invalidRequest(`messages[${i}].parts[${other}]`, `Cohere takes only text in a ${m.role} message`);
  return m.parts ? m.parts.map((p) => (p.type === "text" ? p.text : "")).join("") : m.content;
}

/**
 * The assistant's turn. Its reasoning goes back where Cohere put it: with tool calls as the tool
 * plan (Cohere's multi-step tool use sends the plan back with its calls), otherwise as a thinking block.
 */
function assistantMessage(m: ChatMessage, i: number): Cohere.ChatMessageV2 {
  const out: Cohere.ChatMessageV2.Assistant = { role: "assistant" };
  const text = textOf(m, i);
  const calls = m.toolCalls ?? [];
  if (calls.length > 0) {
    out.toolCalls = calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.argumentsJson || "{}" } }));
    if (m.reasoning) out.toolPlan = m.reasoning;
    if (text) out.content = text;
  } else if (m.reasoning) {
    out.content = [{ type: "thinking", thinking: m.reasoning }, ...(text ? [{ type: "text" as const, text }] : [])];
  } else {
    out.content = text;
  }
  return out;
}

/** The core's messages as Cohere's: one for one, in order, every role Cohere's own. */
export function toCohereMessages(input: readonly ChatMessage[]): Cohere.ChatMessageV2[] {
  return input.map((m, i): Cohere.ChatMessageV2 => {
    switch (m.role) {
      case "system":
        return { role: "system", content: textOf(m, i) };
      case "user":
        return { role: "user", content: userContent(m, i) };
      case "assistant":
        return assistantMessage(m, i);
      default: {
        // A tool result: the one role left.
        if (!m.toolCallId) throw invalidRequest(`messages[${i}].tool_call_id`, "Cohere needs the id of the call a tool result answers");
        // Cohere has no error flag on a tool result: a failure is said in its content, as JSON the model reads.
        const text = textOf(m, i);
        return { role: "tool", toolCallId: m.toolCallId, content: m.isError ? JSON.stringify({ error: text }) : text };
      }
    }
  });
}

function thinkingOf(r: ProviderRequest): Cohere.Thinking | undefined {
  const reasoning = r.reasoning;
  if (!reasoning) return undefined;
  if (reasoning.effort === "none") return { type: "disabled" };
  if (reasoning.adaptive || (reasoning.budgetTokens === undefined && reasoning.effort === "high")) return { type: "enabled" };
  if (reasoning.budgetTokens === undefined && reasoning.effort === undefined) return undefined;
  const budget = reasoning.budgetTokens ?? BUDGET_OF[reasoning.effort as keyof typeof BUDGET_OF];
  const field = reasoning.budgetTokens !== undefined ? "reasoning.budget_tokens" : "reasoning.effort";
  if (budget < 1) throw invalidRequest(field, "Cohere's thinking budget is a positive number of tokens");
  if (budget >= r.maxTokens)
    throw invalidRequest(field, `a thinking budget of ${budget} tokens must be less than max_tokens (${r.maxTokens})`);
  return { type: "enabled", tokenBudget: budget };
}

/** Tools, and Cohere's tool choice: it names no single tool, so a named choice declares that tool alone and requires a call. */
function toolsOf(r: ProviderRequest, body: CohereChatBody): void {
  if (!r.tools?.length) {
    if (r.toolChoice !== undefined && r.toolChoice !== "auto" && r.toolChoice !== "none")
      throw invalidRequest("tool_choice", "requires tools");
    return;
  }
  const choice = r.toolChoice;
  const named = typeof choice === "object" ? choice.name : undefined;
  const tools = named ? r.tools.filter((t) => t.name === named) : r.tools;
  if (named && tools.length === 0) throw invalidRequest("tool_choice", `names ${named}, which is not among the tools`);
  body.tools = tools.map((t) => ({
    type: "function",
    function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: JSON.parse(t.parametersJson) },
  }));
  if (choice === "none") body.toolChoice = "NONE";
  else if (choice === "required" || named) body.toolChoice = "REQUIRED";
  // Cohere's strict mode holds every tool to its schema: asked for one, the others gain a guarantee, none lose one.
  if (tools.some((t) => t.strict)) body.strictTools = true;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Cohere's own request fields, as extra_body names them (Cohere's snake_case), checked and put in the body. */
function cohereFields(extra: Readonly<Record<string, unknown>>, body: CohereChatBody): void {
  for (const [key, value] of Object.entries(extra)) {
    const field = `extra_body.${key}`;
    if (key === "documents") {
      const ok = Array.isArray(value) && value.every((d) => typeof d === "string" || (isObject(d) && isObject(d["data"])));
      if (!ok) throw invalidRequest(field, "must be a list of texts or of { id?, data: { ... } } objects");
      body.documents = (value as (string | Record<string, unknown>)[]).map((d) =>
        typeof d === "string" ? d : { data: d["data"] as Record<string, unknown>, ...(typeof d["id"] === "string" ? { id: d["id"] } : {}) },
      );
    } else if (key === "citation_options") {
      const mode = isObject(value) ? value["mode"] : undefined;
      if (typeof mode !== "string" || !CITATION_MODES.has(mode))
        throw invalidRequest(field, `mode must be one of ${[...CITATION_MODES].join(", ")}`);
      body.citationOptions = { mode: mode as Cohere.CitationOptionsMode };
    } else if (key === "safety_mode") {
      if (typeof value !== "string" || !SAFETY_MODES.has(value))
        throw invalidRequest(field, `must be one of ${[...SAFETY_MODES].join(", ")}`);
      body.safetyMode = value as Cohere.V2ChatRequestSafetyMode;
    } else if (key === "priority") {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
        throw invalidRequest(field, "must be a whole number, 0 the highest");
      body.priority = value;
    } else {
      throw invalidRequest(field, "is not one of Cohere's fields the gateway passes (documents, citation_options, safety_mode, priority)");
    }
  }
}

/** The body of one Cohere chat call. */
export function chatBody(r: ProviderRequest): CohereChatBody {
  refuseUnsupported(r);
  const body: CohereChatBody = { model: r.model, messages: toCohereMessages(r.messages), maxTokens: r.maxTokens };
  if (r.temperature !== undefined) body.temperature = r.temperature;
  if (r.topP !== undefined) body.p = r.topP;
  if (r.topK !== undefined) body.k = r.topK;
  if (r.stop.length > 0) body.stopSequences = [...r.stop];
  if (r.seed !== undefined) body.seed = r.seed;
  if (r.presencePenalty !== undefined) body.presencePenalty = r.presencePenalty;
  if (r.frequencyPenalty !== undefined) body.frequencyPenalty = r.frequencyPenalty;
  if (r.logprobs) body.logprobs = true;
  toolsOf(r, body);
  const thinking = thinkingOf(r);
  if (thinking) body.thinking = thinking;
  const format = r.responseFormat;
  if (format) {
    body.responseFormat =
      format.type === "json_schema"
        ? { type: "json_object", jsonSchema: JSON.parse(format.schemaJson) as Record<string, unknown> }
        : { type: "json_object" };
  }
  if (r.extraBody) cohereFields(r.extraBody, body);
  if (body.documents && body.responseFormat)
    throw invalidRequest("response_format", "Cohere does not take response_format together with documents");
  return body;
}
