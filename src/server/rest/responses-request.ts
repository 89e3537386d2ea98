import { z } from "zod";
import { echo, invalidRequest } from "../../core/errors.js";
import type { ChatMessage, ChatRequest, ReasoningEffort, ResponseFormat, ToolChoice } from "../../core/types.js";
import { refusal } from "./refusal.js";
import { COMPACTION_PROMPT } from "./responses-compaction.js";
import { inputOf } from "./responses-input.js";
import { type NamespacedNames, toolsOf } from "./responses-tools.js";

/**
 * The Responses fields the gateway does not carry. Each is accepted only with the value that asks
 * for nothing (null, or the API's own default), so that clients that send defaults explicitly keep
 * working; any other value is refused with 400 naming it.
 */
/** The most items one request's `input` may hold. */
export const MAX_INPUT_ITEMS = 4096;

const unsupported = {
  // Runs the response after the call returns, to be polled: the gateway answers in the call.
  background: (v: unknown) => v === null || v === false,
  context_management: (v: unknown) => v === null || (Array.isArray(v) && v.length === 0),
  // OpenAI's Conversations API (stored on OpenAI's side); previous_response_id is served instead.
  conversation: (v: unknown) => v === null,
  moderation: (v: unknown) => v === null,
  // Prompt templates stored on OpenAI's platform.
  prompt: (v: unknown) => v === null,
  prompt_cache_options: (v: unknown) => v === null,
  prompt_cache_retention: (v: unknown) => v === null,
} satisfies Record<string, (v: unknown) => boolean>;

const textFormat = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("text") }),
  z.strictObject({ type: z.literal("json_object") }),
  z.strictObject({
    type: z.literal("json_schema"),
    name: z.string().min(1).max(64),
    description: z.string().nullish(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
  }),
]);

const EFFORTS: readonly ReasoningEffort[] = ["none", "minimal", "low", "medium", "high"];

const toolChoice = z.union([
  z.enum(["auto", "none", "required"]),
  z.strictObject({ type: z.literal("function"), name: z.string().min(1) }),
]);

const INCLUDABLE = ["message.output_text.logprobs", "reasoning.encrypted_content"] as const;

const body = z.strictObject({
  model: z.string().max(256).optional(),
  input: z.union([z.string(), z.array(z.unknown()).max(MAX_INPUT_ITEMS)]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(z.unknown()).max(512).optional(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  // Bounds every built-in tool call of a response: with no built-in tools, any bound holds.
  max_tool_calls: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  text: z.strictObject({ format: textFormat.optional(), verbosity: z.literal("medium").nullish() }).optional(),
  reasoning: z
    .strictObject({
      effort: z.string().nullish(),
      summary: z.enum(["auto", "concise", "detailed"]).nullish(),
      generate_summary: z.enum(["auto", "concise", "detailed"]).nullish(),
      context: z.null().optional(),
      mode: z.literal("standard").optional(),
    })
    .nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).max(256).nullish(),
  metadata: z
    .record(z.string().min(1).max(64), z.string().max(512))
    .refine((m) => Object.keys(m).length <= 16, "at most 16 entries")
    .nullish(),
  // Codex CLI's description of itself and its turn (one JSON string), which OpenAI keeps for its own
  // analytics and no model sees: checked for shape, and not passed on (no provider takes it).
  client_metadata: z
    .record(z.string().min(1).max(64), z.string().max(16_384))
    .refine((m) => Object.keys(m).length <= 16, "at most 16 entries")
    .nullish(),
  user: z.string().max(256).optional(),
  safety_identifier: z.string().max(256).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.strictObject({ include_obfuscation: z.literal(false).optional() }).nullish(),
  service_tier: z.enum(["auto", "default", "flex", "scale", "priority"]).nullish(),
  prompt_cache_key: z.string().max(1024).nullish(),
  include: z.array(z.string()).max(16).nullish(),
  truncation: z.enum(["auto", "disabled"]).nullish(),
  ...(Object.fromEntries(Object.keys(unsupported).map((k) => [k, z.unknown().optional()])) as Record<
    keyof typeof unsupported,
    z.ZodOptional<z.ZodUnknown>
  >),
});

type Body = z.infer<typeof body>;

/** The request's settings as the Response object echoes them. */
export interface ResponseSettings {
  instructions: string | null;
  tools: object[];
  tool_choice: unknown;
  parallel_tool_calls: boolean;
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  previous_response_id: string | null;
  store: boolean;
  metadata: Record<string, string>;
  text: { format: object; verbosity: "medium" };
  reasoning: { effort: string | null; summary: string | null };
  truncation: "auto" | "disabled";
  top_logprobs: number | null;
  service_tier: string;
  prompt_cache_key: string | null;
  safety_identifier: string | null;
  user?: string;
  background: false;
}

/** What the Responses route does with a request. */
export interface ResponsesCall {
  /** The core's request: instructions, then the new input (the chain's history is put before it later). */
  request: ChatRequest;
  /** The new input alone: what a stored response adds to its chain (instructions are not carried on). */
  input: ChatMessage[];
  settings: ResponseSettings;
  stream: boolean;
  /** Give the answer's reasoning as a summary (reasoning.summary asked for) rather than as reasoning text. */
  summary: boolean;
  /** Return reasoning signatures as encrypted_content. */
  encryptedReasoning: boolean;
  /** The input ended with compaction_trigger: the answer is a compaction item (responses-compaction.ts). */
  compact: boolean;
  /** The flat names of namespaced functions, to give the model's calls of them back under their namespace. */
  namespaced: NamespacedNames;
}

function formatOf(f: NonNullable<NonNullable<Body["text"]>["format"]>): ResponseFormat | undefined {
  if (f.type === "text") return undefined;
  if (f.type === "json_object") return { type: "json_object" };
  const out: ResponseFormat = { type: "json_schema", name: f.name, schemaJson: JSON.stringify(f.schema), strict: f.strict === true };
  if (f.description) out.description = f.description;
  return out;
}

function unsupportedValues(raw: Record<string, unknown>): void {
  for (const [field, accepts] of Object.entries(unsupported)) {
    const v = raw[field];
    if (v !== undefined && !accepts(v)) throw invalidRequest(field, "is not carried by this gateway; leave it out (or send its default)");
  }
}

/** Converts an OpenAI Responses request to the core's, naming the field of any fault. */
export function fromResponses(raw: Record<string, unknown>): ResponsesCall {
  const parsed = body.safeParse(raw);
  if (!parsed.success) throw refusal(parsed.error.issues);
  const b = parsed.data;
  unsupportedValues(raw);
  if (b.input === undefined && !b.previous_response_id) throw invalidRequest("input", "is required (or previous_response_id)");
  // A compaction asked for (the last item): the conversation is summed up instead of answered.
  const last = Array.isArray(b.input) ? b.input.at(-1) : undefined;
  const compact = typeof last === "object" && last !== null && (last as { type?: unknown }).type === "compaction_trigger";
  const items = compact ? (b.input as unknown[]).slice(0, -1) : b.input;
  const input = items === undefined ? [] : inputOf(items);
  if (compact) input.push({ role: "user", content: COMPACTION_PROMPT });
  if (b.input !== undefined && input.length === 0) throw invalidRequest("input", "must hold at least one item");
  if (b.stream_options && b.stream !== true) throw invalidRequest("stream_options", "only applies when stream is true");
  if (b.user !== undefined && b.safety_identifier != null && b.user !== b.safety_identifier)
    throw invalidRequest("safety_identifier", "differs from user; send one");
  const include = b.include ?? [];
  include.forEach((x, i) => {
    if (!(INCLUDABLE as readonly string[]).includes(x))
      throw invalidRequest(`include[${i}]`, `${echo(x)} is not carried; this gateway includes ${INCLUDABLE.join(" and ")}`);
  });
  const instructions = b.instructions ?? null;
  const request: ChatRequest = {
    model: b.model ?? "",
    messages: instructions ? [{ role: "system", content: instructions }, ...input] : [...input],
    stop: [],
    user: b.user ?? b.safety_identifier ?? "",
    metadata: b.metadata ?? {},
    routing: { preferredProviders: [], excludedProviders: [] },
  };
  if (b.temperature != null) request.temperature = b.temperature;
  if (b.top_p != null) request.topP = b.top_p;
  if (b.max_output_tokens != null) request.maxTokens = b.max_output_tokens;
  const { definitions, echoed, namespaced } = toolsOf(b.tools ?? []);
  // A summary calls no tool: the model is not offered them.
  if (definitions.length > 0 && !compact) {
    // The caller's own tools: their calls come back to it, as from OpenAI.
    request.tools = { names: [], all: false, definitions, execution: "client" };
    if (b.parallel_tool_calls != null) request.parallelToolCalls = b.parallel_tool_calls;
  }
  let choice: unknown = "auto";
  if (b.tool_choice !== undefined && b.tool_choice !== null) {
    const c = toolChoice.safeParse(b.tool_choice);
    if (!c.success) throw invalidRequest("tool_choice", "this gateway takes auto, none, required or a function by name");
    if (!request.tools && c.data !== "none" && c.data !== "auto") throw invalidRequest("tool_choice", "needs function tools");
    const core: ToolChoice = typeof c.data === "string" ? c.data : { name: c.data.name };
    if (request.tools) request.toolChoice = core;
    choice = c.data;
  }
  const format = b.text?.format ? formatOf(b.text.format) : undefined;
  if (format) request.responseFormat = format;
  const effort = b.reasoning?.effort ?? null;
  if (effort !== null) {
    if (!(EFFORTS as readonly string[]).includes(effort))
      throw invalidRequest("reasoning.effort", `${echo(effort)} is not carried; send ${EFFORTS.join(", ")}`);
    request.reasoning = { effort: effort as ReasoningEffort };
  }
  const summary = b.reasoning?.summary ?? b.reasoning?.generate_summary ?? null;
  const logprobs = include.includes("message.output_text.logprobs") || (b.top_logprobs ?? 0) > 0;
  if (logprobs) request.logprobs = true;
  if (b.top_logprobs) request.topLogprobs = b.top_logprobs;
  if (b.service_tier != null) request.serviceTier = b.service_tier;
  if (b.prompt_cache_key != null) request.promptCacheKey = b.prompt_cache_key;
  const settings: ResponseSettings = {
    instructions,
    tools: echoed,
    tool_choice: choice,
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    temperature: b.temperature ?? null,
    top_p: b.top_p ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    max_tool_calls: b.max_tool_calls ?? null,
    previous_response_id: b.previous_response_id ?? null,
    store: b.store ?? true,
    metadata: b.metadata ?? {},
    text: { format: b.text?.format ?? { type: "text" }, verbosity: "medium" },
    reasoning: { effort, summary },
    truncation: b.truncation ?? "disabled",
    top_logprobs: b.top_logprobs ?? null,
    service_tier: b.service_tier ?? "auto",
    prompt_cache_key: b.prompt_cache_key ?? null,
    safety_identifier: b.safety_identifier ?? null,
    background: false,
  };
  if (b.user !== undefined) settings.user = b.user;
  return {
    request,
    input,
    settings,
    stream: b.stream === true,
    summary: summary !== null,
    compact,
    encryptedReasoning: include.includes("reasoning.encrypted_content"),
    namespaced,
  };
}

/** The request fields the Responses face knows, honoured or refused by value (for tests and docs). */
export const knownResponseFields: readonly string[] = Object.keys(body.shape);
