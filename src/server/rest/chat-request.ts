import { z } from "zod";
import { echo, invalidRequest } from "../../core/errors.js";
import type { ChatRequest, ReasoningEffort, ReasoningOptions, ResponseFormat, ToolChoice, ToolDefinition } from "../../core/types.js";
import { cacheControl, message, messageOf, toCacheControl } from "./chat-content.js";
import { refusal } from "./refusal.js";

/**
 * The OpenAI chat completions fields the gateway does not carry. Each is accepted only with the
 * value that asks for nothing (null, or the API's own default), so that clients that send
 * defaults explicitly keep working; any other value is refused with 400 naming it.
 */
const unsupported = {
  audio: (v: unknown) => v === null,
  function_call: (v: unknown) => v === null,
  functions: (v: unknown) => v === null,
  logit_bias: (v: unknown) => v === null || (isObject(v) && Object.keys(v).length === 0),
  modalities: (v: unknown) => v === null || (Array.isArray(v) && v.length === 1 && v[0] === "text"),
  moderation: (v: unknown) => v === null,
  n: (v: unknown) => v === null || v === 1,
  prediction: (v: unknown) => v === null,
  prompt_cache_options: (v: unknown) => v === null,
  prompt_cache_retention: (v: unknown) => v === null,
  safety_identifier: (v: unknown) => v === null,
  store: (v: unknown) => v === null || v === false,
  verbosity: (v: unknown) => v === null,
  web_search_options: (v: unknown) => v === null,
} satisfies Record<string, (v: unknown) => boolean>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const tool = z.strictObject({
  type: z.literal("function"),
  function: z.strictObject({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
  // Prompt caching up to the end of the tools (LiteLLM's convention for Anthropic).
  cache_control: cacheControl.nullish(),
});

const responseFormat = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("text") }),
  z.strictObject({ type: z.literal("json_object") }),
  z.strictObject({
    type: z.literal("json_schema"),
    json_schema: z.strictObject({
      name: z.string(),
      description: z.string().nullish(),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const toolChoice = z.union([
  z.enum(["auto", "none", "required"]),
  z.strictObject({ type: z.literal("function"), function: z.strictObject({ name: z.string().min(1) }) }),
]);

const EFFORTS: readonly ReasoningEffort[] = ["none", "minimal", "low", "medium", "high"];

const body = z.strictObject({
  model: z.string(),
  messages: z.array(message).min(1),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  max_tokens: z.number().int().nullish(),
  max_completion_tokens: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  seed: z.number().int().nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional(), include_obfuscation: z.literal(false).optional() }).nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormat.nullish(),
  reasoning_effort: z.string().nullish(),
  presence_penalty: z.number().nullish(),
  frequency_penalty: z.number().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().nullish(),
  /** The gateway's own: the most this call may cost, in USD (see docs/request-fields.md). */
  max_cost_usd: z.number().nullish(),
  service_tier: z.string().nullish(),
  prompt_cache_key: z.string().nullish(),
  // The gateway's own extensions: continue a session it keeps; a thinking budget (Anthropic's
  // extended thinking) beside the effort; provider-specific fields for openai-compatible servers.
  session_id: z.string().nullish(),
  reasoning: z.strictObject({ effort: z.enum(EFFORTS).nullish(), budget_tokens: z.number().int().nullish() }).nullish(),
  extra_body: z.record(z.string(), z.unknown()).nullish(),
  ...(Object.fromEntries(Object.keys(unsupported).map((k) => [k, z.unknown().optional()])) as Record<
    keyof typeof unsupported,
    z.ZodOptional<z.ZodUnknown>
  >),
});

type Body = z.infer<typeof body>;

function responseFormatOf(f: NonNullable<Body["response_format"]>): ResponseFormat | undefined {
  if (f.type === "text") return undefined;
  if (f.type === "json_object") return { type: "json_object" };
  const { name, description, schema, strict } = f.json_schema;
  // No schema is OpenAI's "any JSON": the empty schema, which every value conforms to.
  const out: ResponseFormat = { type: "json_schema", name, schemaJson: JSON.stringify(schema ?? {}), strict: strict === true };
  if (description) out.description = description;
  return out;
}

/** reasoning_effort, and the gateway's `reasoning` object beside it; "none" asks for no reasoning (passed on). */
function reasoningOf(b: Body): ReasoningOptions | undefined {
  const effort = b.reasoning_effort;
  if (effort != null && !(EFFORTS as readonly string[]).includes(effort))
    throw invalidRequest("reasoning_effort", `${echo(effort)} is not carried; send ${EFFORTS.join(", ")}`);
  const out: ReasoningOptions = {};
  if (effort != null) out.effort = effort as ReasoningEffort;
  const extra = b.reasoning;
  if (extra?.effort) {
    if (effort != null && effort !== extra.effort) throw invalidRequest("reasoning.effort", "differs from reasoning_effort; send one");
    out.effort = extra.effort;
  }
  if (extra?.budget_tokens != null) out.budgetTokens = extra.budget_tokens;
  return out.effort || out.budgetTokens !== undefined ? out : undefined;
}

function toolChoiceOf(c: NonNullable<Body["tool_choice"]>): ToolChoice {
  return typeof c === "string" ? c : { name: c.function.name };
}

/** What the REST face does with a request: the core's request, and how to answer. */
export interface RestChat {
  request: ChatRequest;
  stream: boolean;
  includeUsage: boolean;
}

/** Converts an OpenAI chat completion request to the core's, naming the field of any fault. */
export function fromOpenAi(raw: Record<string, unknown>): RestChat {
  const parsed = body.safeParse(raw);
  if (!parsed.success) throw refusal(parsed.error.issues);
  const b = parsed.data;
  for (const [field, accepts] of Object.entries(unsupported)) {
    const v = (b as Record<string, unknown>)[field];
    if (v !== undefined && !accepts(v)) throw invalidRequest(field, "is not carried by this gateway; leave it out (or send its default)");
  }
  if (b.stream_options && b.stream !== true) throw invalidRequest("stream_options", "only applies when stream is true");
  const stop = b.stop ?? [];
  const request: ChatRequest = {
    model: b.model,
    messages: b.messages.map(messageOf),
    stop: typeof stop === "string" ? [stop] : stop,
    user: b.user ?? "",
    metadata: b.metadata ?? {},
    routing: { preferredProviders: [], excludedProviders: [] },
  };
  if (b.temperature != null) request.temperature = b.temperature;
  if (b.top_p != null) request.topP = b.top_p;
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (b.seed != null) request.seed = b.seed;
  if (b.max_cost_usd != null) request.maxCostUsd = b.max_cost_usd;
  if (b.session_id) request.sessionId = b.session_id;
  if (b.tools?.length) {
    const definitions = b.tools.map((t): ToolDefinition => {
      const d: ToolDefinition = {
        name: t.function.name,
        description: t.function.description ?? "",
        parametersJson: JSON.stringify(t.function.parameters ?? { type: "object" }),
      };
      if (t.function.strict) d.strict = true;
      const cache = toCacheControl(t.cache_control);
      if (cache) d.cacheControl = cache;
      return d;
    });
    // The caller's own tools: their calls come back to it, as from OpenAI.
    request.tools = { names: [], all: false, definitions, execution: "client" };
    // Without tools there is nothing to call: parallel_tool_calls asks for nothing then.
    if (b.parallel_tool_calls != null) request.parallelToolCalls = b.parallel_tool_calls;
  }
  // As OpenAI: a tool choice needs tools to choose from.
  if (b.tool_choice != null) {
    if (!request.tools) throw invalidRequest("tool_choice", "needs tools");
    request.toolChoice = toolChoiceOf(b.tool_choice);
  }
  const format = b.response_format ? responseFormatOf(b.response_format) : undefined;
  if (format) request.responseFormat = format;
  const reasoning = reasoningOf(b);
  if (reasoning) request.reasoning = reasoning;
  // A penalty of 0 is the API's default: it asks for nothing, and providers without penalties take it.
  if (b.presence_penalty) request.presencePenalty = b.presence_penalty;
  if (b.frequency_penalty) request.frequencyPenalty = b.frequency_penalty;
  if (b.logprobs) request.logprobs = true;
  if (b.top_logprobs != null) request.topLogprobs = b.top_logprobs;
  if (b.service_tier != null) request.serviceTier = b.service_tier;
  if (b.prompt_cache_key != null) request.promptCacheKey = b.prompt_cache_key;
  // The caller's own object, not zod's copy: its keys go upstream exactly as sent.
  if (b.extra_body && Object.keys(b.extra_body).length > 0) request.extraBody = raw["extra_body"] as Record<string, unknown>;
  return { request, stream: b.stream === true, includeUsage: b.stream_options?.include_usage === true };
}

/** The request fields the REST face knows, honoured or refused by value (for tests and docs). */
export const knownFields: readonly string[] = Object.keys(body.shape);
