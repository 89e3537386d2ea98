import { z } from "zod";
import { echo, GatewayError, type GatewayErrorOptions, invalidRequest, isGatewayError } from "../../core/errors.js";
import type { ChatMessage, ChatRequest, ReasoningOptions, ToolChoice, ToolDefinition } from "../../core/types.js";
import { cacheControl, type Located, message, messagesOf, systemMessage, toCacheControl } from "./anthropic-blocks.js";
import { refusal } from "./refusal.js";

/*
 * An Anthropic Messages request (POST /v1/messages, /v1/messages/count_tokens) as the core's
 * ChatRequest: a strict schema, where every field is honoured, or accepted only with the value
 * that asks for nothing, or refused with 400 naming it.
 */

/** The API versions this face speaks (the anthropic-version header). */
export type AnthropicVersion = "2023-06-01" | "2026-10-21";

/** Fields the gateway does not carry; each is accepted only with the value that asks for nothing. */
const unsupported = {
  container: (v: unknown) => v === null,
  diagnostics: (v: unknown) => v === null,
  inference_geo: (v: unknown) => v === null,
  mcp_servers: (v: unknown) => Array.isArray(v) && v.length === 0,
  compaction: (v: unknown) => v === null,
  fallbacks: (v: unknown) => v === null,
  thread: (v: unknown) => v === null,
  billing_policy: (v: unknown) => v === null,
  fallback_credit_token: (v: unknown) => v === null,
  // Standard speed is what no speed means; fast mode is a provider capacity the gateway cannot ask for.
  speed: (v: unknown) => v === null || v === "standard",
} satisfies Record<string, (v: unknown) => boolean>;

/**
 * The gateway holds no Threads (server-held conversations). Refused with Anthropic's own code for a
 * request that cannot be threaded, on which the SDKs' tool runners (Python's by default) send the
 * whole conversation again without `thread`, instead of failing.
 */
const threadRefused = (): GatewayError =>
  new GatewayError("INVALID_REQUEST", "thread: is not carried by this gateway; send the whole conversation without it", {
    metadata: { field: "thread", error_code: "thread_unsupported_request" },
  });

/** A custom tool: the only kind the core carries (server tools run at Anthropic, out of the gateway's sight). */
const tool = z.strictObject({
  type: z.literal("custom").nullish(),
  name: z.string().min(1).max(128),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal("object") }),
  strict: z.boolean().optional(),
  cache_control: cacheControl.nullish(),
  // A deferred tool is not shown to the model until a tool search finds it (advanced tool use); the
  // gateway carries no tool search, so a deferred tool is one the model is not offered.
  defer_loading: z.boolean().optional(),
  // Defaults only: callers other than the model itself belong to Anthropic's server tools.
  allowed_callers: z.tuple([z.literal("direct")]).optional(),
  // Fine-grained streaming of this tool's input (the AI SDK asks for it on every tool): it changes only
  // how the input is chunked, and the gateway streams each tool's input whole, as valid JSON, either way.
  eager_input_streaming: z.boolean().nullish(),
  input_examples: z.array(z.unknown()).max(0).optional(),
});

const toolChoice = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal("tool"), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal("none") }),
]);

// Summarized thinking is what Anthropic returns unless told otherwise; "omitted" keeps the blocks and
// their signatures but not their text (the model thinks all the same); "updates" (Claude Code's
// stream-json) asks to be shown the thinking as it goes, which is what the gateway shows.
const display = z.enum(["summarized", "omitted", "updates"]).nullish();
const thinking = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("enabled"), budget_tokens: z.number().int(), display }),
  z.strictObject({ type: z.literal("disabled") }),
  z.strictObject({ type: z.literal("adaptive"), display }),
  z.strictObject({ type: z.literal("between_tools") }),
]);

const outputFormat = z.strictObject({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) });

const body = z.strictObject({
  model: z.string().min(1),
  max_tokens: z.number().int().optional(),
  messages: z.array(message).min(1),
  system: z.union([z.string(), z.array(z.unknown())]).optional(),
  metadata: z.strictObject({ user_id: z.string().max(256).nullish() }).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().optional(),
  top_k: z.number().int().optional(),
  tools: z.array(z.unknown()).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
  output_config: z
    .strictObject({ effort: z.enum(["low", "medium", "high", "xhigh", "max"]).nullish(), format: outputFormat.nullish() })
    .optional(),
  // The beta's older name for output_config.format.
  output_format: outputFormat.nullish(),
  service_tier: z.enum(["auto", "standard_only"]).optional(),
  // Automatic caching: the marker goes on the request's last block.
  cache_control: cacheControl.nullish(),
  context_management: z.unknown().optional(),
  // The gateway's own: the most this call may cost, in USD (see docs/request-fields.md).
  max_cost_usd: z.number().optional(),
  ...(Object.fromEntries(Object.keys(unsupported).map((k) => [k, z.unknown().optional()])) as Record<
    keyof typeof unsupported,
    z.ZodOptional<z.ZodUnknown>
  >),
});

type Body = z.infer<typeof body>;

/** Fields of the Messages API that only count_tokens lacks; it refuses them by name. */
const MESSAGES_ONLY = [
  "max_tokens",
  "metadata",
  "stop_sequences",
  "stream",
  "temperature",
  "top_p",
  "top_k",
  "service_tier",
  "max_cost_usd",
] as const;

/** Fields the 2026-10-21 API version refuses (even at their defaults), as Anthropic does. */
const SAMPLING = ["temperature", "top_p", "top_k"] as const;

/** What the face does with a request: the core's request, and how to answer. */
export interface AnthropicCall {
  request: ChatRequest;
  stream: boolean;
  /** The tools' definitions as text, for count_tokens. */
  toolsText: string;
  /** Where the caller wrote each of the core's messages, for errors (see inCallerTerms). */
  located: Located[];
  /** thinking.display "omitted": thinking blocks go back with their signatures and no text. */
  omitThinking: boolean;
}

/** context_management: only clearing that clears nothing is carried (the gateway cannot edit the prompt upstream). */
function checkContextManagement(v: unknown): void {
  if (v === undefined || v === null) return;
  const edits = (v as { edits?: unknown }).edits;
  const keys = typeof v === "object" && !Array.isArray(v) ? Object.keys(v) : ["?"];
  const noop = (e: unknown) => {
    const x = e as { type?: unknown; keep?: unknown };
    return typeof e === "object" && e !== null && x.type === "clear_thinking_20251015" && x.keep === "all" && Object.keys(e).length === 2;
  };
  if (keys.every((k) => k === "edits") && (edits === undefined || (Array.isArray(edits) && edits.every(noop)))) return;
  throw invalidRequest(
    "context_management",
    'is not carried: the gateway does not edit the prompt upstream; send only clear_thinking_20251015 with keep "all", or leave it out',
  );
}

function toolsOf(raw: unknown[]): ToolDefinition[] {
  return raw.flatMap((t, i) => {
    const type = typeof t === "object" && t !== null ? (t as { type?: unknown }).type : undefined;
    if (type != null && type !== "custom")
      throw invalidRequest(
        `tools[${i}].type`,
        `${echo(String(type))} is one of Anthropic's server or client-defined tools, which this gateway does not carry; define a custom tool (name, description, input_schema)`,
      );
    const parsed = tool.safeParse(t);
    if (!parsed.success) throw refusal(parsed.error.issues, `tools[${i}]`);
    if (parsed.data.defer_loading) return [];
    const d: ToolDefinition = {
      name: parsed.data.name,
      description: parsed.data.description ?? "",
      parametersJson: JSON.stringify(parsed.data.input_schema),
    };
    if (parsed.data.strict) d.strict = true;
    const cache = toCacheControl(parsed.data.cache_control);
    if (cache) d.cacheControl = cache;
    return [d];
  });
}

function reasoningOf(b: Body): ReasoningOptions | undefined {
  const t = b.thinking;
  const out: ReasoningOptions = {};
  if (t?.type === "enabled") out.budgetTokens = t.budget_tokens;
  else if (t?.type === "adaptive") out.adaptive = true;
  else if (t?.type === "between_tools")
    throw invalidRequest("thinking.type", "between_tools thinking is not carried; send enabled with budget_tokens, adaptive, or disabled");
  // Per-turn control: the last message's own effort is this turn's (earlier messages' were their turns').
  const effort = b.messages.at(-1)?.output_config?.effort ?? b.output_config?.effort;
  if (effort === "xhigh" || effort === "max")
    throw invalidRequest("output_config.effort", `${effort} is not carried; send low, medium or high`);
  if (effort) out.effort = effort;
  // The core's effort is how much to think: without thinking asked for, it would turn thinking on.
  if (effort && t?.type !== "enabled" && t?.type !== "adaptive")
    throw invalidRequest("output_config.effort", "is carried with thinking enabled or adaptive only");
  return out.effort || out.adaptive || out.budgetTokens !== undefined ? out : undefined;
}

function toolChoiceOf(c: NonNullable<Body["tool_choice"]>): ToolChoice {
  if (c.type === "tool") return { name: c.name };
  return c.type === "any" ? "required" : c.type;
}

/**
 * Converts an Anthropic Messages request to the core's, naming the field of any fault. `count` is
 * count_tokens' body (no max_tokens, nothing about the answer).
 */
export function fromAnthropic(raw: Record<string, unknown>, version: AnthropicVersion, count = false): AnthropicCall {
  const parsed = body.safeParse(raw);
  if (!parsed.success) throw refusal(parsed.error.issues);
  const b = parsed.data;
  for (const [field, accepts] of Object.entries(unsupported)) {
    const v = (b as Record<string, unknown>)[field];
    if (v !== undefined && !accepts(v))
      throw field === "thread" ? threadRefused() : invalidRequest(field, "is not carried by this gateway; leave it out");
  }
  if (count) {
    for (const f of MESSAGES_ONLY) if (b[f] !== undefined) throw invalidRequest(f, "is not a count_tokens field");
  } else if (b.max_tokens === undefined) throw invalidRequest("max_tokens", "is required");
  if (version !== "2023-06-01")
    for (const f of SAMPLING) if (b[f] !== undefined) throw invalidRequest(f, `is not accepted with anthropic-version ${version}`);
  checkContextManagement(b.context_management);
  const located: Located[] = [];
  // An empty system prompt says nothing: no system message.
  if (b.system !== undefined && b.system.length > 0) located.push(systemMessage(b.system, "system"));
  located.push(...b.messages.flatMap(messagesOf));
  const messages: ChatMessage[] = located.map((l) => l.message);
  const auto = toCacheControl(b.cache_control);
  if (auto) messages[messages.length - 1]!.cacheControl = auto;
  const request: ChatRequest = {
    model: b.model,
    messages,
    stop: b.stop_sequences ?? [],
    user: b.metadata?.user_id ?? "",
    metadata: {},
    routing: { preferredProviders: [], excludedProviders: [] },
  };
  if (b.max_tokens !== undefined) request.maxTokens = b.max_tokens;
  // Temperature 1 is Anthropic's default (and OpenAI's): it asks for nothing.
  if (b.temperature !== undefined && b.temperature !== 1) request.temperature = b.temperature;
  if (b.top_p !== undefined) request.topP = b.top_p;
  if (b.top_k !== undefined) request.topK = b.top_k;
  if (b.max_cost_usd !== undefined) request.maxCostUsd = b.max_cost_usd;
  const tools = b.tools?.length ? toolsOf(b.tools) : undefined;
  if (tools) request.tools = { names: [], all: false, definitions: tools, execution: "client" };
  const choice = b.tool_choice;
  // Without tools, auto and none ask for nothing; any and a named tool need tools, as the core says.
  if (choice && (tools || (choice.type !== "auto" && choice.type !== "none"))) {
    request.toolChoice = toolChoiceOf(choice);
    if (choice.type !== "none" && choice.disable_parallel_tool_use) request.parallelToolCalls = false;
  }
  const reasoning = reasoningOf(b);
  if (reasoning) request.reasoning = reasoning;
  const format = b.output_config?.format ?? b.output_format;
  if (b.output_config?.format && b.output_format) throw invalidRequest("output_format", "send output_config.format only");
  if (format) request.responseFormat = { type: "json_schema", name: "output", schemaJson: JSON.stringify(format.schema), strict: true };
  if (b.service_tier !== undefined) request.serviceTier = b.service_tier;
  const omitThinking = b.thinking !== undefined && "display" in b.thinking && b.thinking.display === "omitted";
  return { request, stream: b.stream === true, toolsText: tools ? JSON.stringify(b.tools) : "", located, omitThinking };
}

/** The core's names of fields this face's callers name otherwise. */
const RENAMED: Record<string, string> = {
  stop: "stop_sequences",
  user: "metadata.user_id",
  reasoning: "thinking",
  "reasoning.budget_tokens": "thinking.budget_tokens",
  "reasoning.effort": "output_config.effort",
  parallel_tool_calls: "tool_choice.disable_parallel_tool_use",
  response_format: "output_config.format",
  "response_format.json_schema.schema": "output_config.format.schema",
};

/** A field as the core names it, as the caller wrote it. */
function callerField(field: string, located: readonly Located[]): string {
  const m = /^messages\[(\d+)\](?:\.parts\[(\d+)\])?(.*)$/s.exec(field);
  if (!m) return RENAMED[field] ?? field.replace(/^tools\.definitions\[/, "tools[");
  const at = located[Number(m[1])];
  if (!at) return field;
  const base = m[2] === undefined ? at.path : (at.parts[Number(m[2])] ?? at.path);
  return base + m[3]!.replace(/^\.tool_calls(\[\d+\])?(\.arguments_json)?/, ".content").replace(/^\.tool_call_id$/, ".tool_use_id");
}

/**
 * An error of the core in the caller's terms: the field it names (and the message that starts with
 * it) as this face's request wrote it. The core numbers messages with the system prompt first and a
 * user turn's tool results apart, and calls some fields by OpenAI's names.
 */
export function inCallerTerms(error: unknown, located: readonly Located[]): unknown {
  if (!isGatewayError(error)) return error;
  const field = error.metadata["field"];
  if (field === undefined) return error;
  const named = callerField(field, located);
  if (named === field) return error;
  const message = error.message.startsWith(field) ? named + error.message.slice(field.length) : error.message;
  const options: GatewayErrorOptions = { metadata: { ...error.metadata, field: named }, cause: error };
  if (error.retryAfterMs !== undefined) options.retryAfterMs = error.retryAfterMs;
  return new GatewayError(error.reason, message, options);
}

/** The body fields this face knows, honoured or refused by value (for tests and docs). */
export const knownFields: readonly string[] = Object.keys(body.shape);
