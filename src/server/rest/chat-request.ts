import { z } from "zod";
import { echo, invalidRequest } from "../../core/errors.js";
import type { ChatMessage, ChatRequest, Role, ToolDefinition } from "../../core/types.js";

/**
 * The OpenAI chat completions request, field by field. Every field is
 * honoured, or refused with 400 naming it; nothing is silently dropped.
 * Fields the gateway does not carry yet are accepted only with the value that
 * asks for nothing (null, or the API's own default), so that clients that
 * send defaults explicitly keep working.
 */
const unsupported = {
  audio: (v: unknown) => v === null,
  frequency_penalty: (v: unknown) => v === null || v === 0,
  function_call: (v: unknown) => v === null,
  functions: (v: unknown) => v === null,
  logit_bias: (v: unknown) => v === null || (isObject(v) && Object.keys(v).length === 0),
  logprobs: (v: unknown) => v === null || v === false,
  modalities: (v: unknown) => v === null || (Array.isArray(v) && v.length === 1 && v[0] === "text"),
  moderation: (v: unknown) => v === null,
  n: (v: unknown) => v === null || v === 1,
  parallel_tool_calls: (v: unknown) => v === null || v === true,
  prediction: (v: unknown) => v === null,
  presence_penalty: (v: unknown) => v === null || v === 0,
  prompt_cache_key: (v: unknown) => v === null,
  prompt_cache_options: (v: unknown) => v === null,
  prompt_cache_retention: (v: unknown) => v === null,
  reasoning_effort: (v: unknown) => v === null,
  response_format: (v: unknown) => v === null || (isObject(v) && v["type"] === "text" && Object.keys(v).length === 1),
  safety_identifier: (v: unknown) => v === null,
  service_tier: (v: unknown) => v === null || v === "auto",
  store: (v: unknown) => v === null || v === false,
  top_logprobs: (v: unknown) => v === null,
  verbosity: (v: unknown) => v === null,
  web_search_options: (v: unknown) => v === null,
} satisfies Record<string, (v: unknown) => boolean>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const part = z.looseObject({ type: z.string() });
const content = z.union([z.string(), z.array(part)]).nullish();

const toolCall = z.strictObject({
  id: z.string().min(1),
  type: z.literal("function").optional(),
  function: z.strictObject({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.strictObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content,
  name: z.string().nullish(),
  tool_calls: z.array(toolCall).nullish(),
  tool_call_id: z.string().nullish(),
  // Echoed back by clients that append the assistant's message as they received it.
  refusal: z.null().optional(),
  audio: z.null().optional(),
  function_call: z.null().optional(),
  annotations: z.array(z.unknown()).max(0).optional(),
});

const tool = z.strictObject({
  type: z.literal("function"),
  function: z.strictObject({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.union([z.literal(false), z.null()]).optional(),
  }),
});

const metadataValue = z.string().max(512);

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
  metadata: z.record(z.string().max(64), metadataValue).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional(), include_obfuscation: z.literal(false).optional() }).nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: z.union([z.enum(["auto", "none"]), z.null()]).optional(),
  // The gateway's own extension: continue a session it keeps.
  session_id: z.string().nullish(),
  ...(Object.fromEntries(Object.keys(unsupported).map((k) => [k, z.unknown().optional()])) as Record<
    keyof typeof unsupported,
    z.ZodOptional<z.ZodUnknown>
  >),
});

type Body = z.infer<typeof body>;

/** A dotted path with indexes, as an OpenAI error's `param` names a field. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
}

/** The first problem zod found, as one INVALID_REQUEST naming its field; nothing the caller sent is echoed unbounded. */
function refusal(issues: readonly z.core.$ZodIssue[]) {
  const issue = issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const field = pathOf([...issue.path, key.length > 64 ? `${key.slice(0, 64)}…` : key]);
    return invalidRequest(field, `unknown field ${echo(key)}: this gateway refuses fields it would not honour`);
  }
  const hint =
    issue.code === "invalid_value" || issue.code === "invalid_union"
      ? "has a value this gateway does not accept here"
      : issue.message.replace(/^Invalid input: /, "");
  return invalidRequest(pathOf(issue.path) || "body", hint);
}

function textOf(value: Body["messages"][number]["content"], field: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return value
    .map((p, i) => {
      if (p.type !== "text") throw invalidRequest(`${field}[${i}].type`, `${echo(p.type)} parts are not supported yet; send text parts`);
      const keys = Object.keys(p).filter((k) => k !== "type" && k !== "text");
      if (keys.length > 0) throw invalidRequest(`${field}[${i}].${keys[0]!.slice(0, 64)}`, "unknown field of a text part");
      if (typeof p["text"] !== "string") throw invalidRequest(`${field}[${i}].text`, "must be a string");
      return p["text"];
    })
    .join("");
}

function messageOf(m: Body["messages"][number], i: number): ChatMessage {
  // "developer" is OpenAI's newer name for system instructions.
  const role: Role = m.role === "developer" ? "system" : m.role;
  const out: ChatMessage = { role, content: textOf(m.content, `messages[${i}].content`) };
  if (m.name) out.name = m.name;
  if (m.tool_call_id) out.toolCallId = m.tool_call_id;
  if (m.tool_calls?.length)
    out.toolCalls = m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, argumentsJson: c.function.arguments }));
  return out;
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
    if (v !== undefined && !accepts(v))
      throw invalidRequest(field, "is not supported by this gateway yet; leave it out (or send its default)");
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
  if (b.session_id) request.sessionId = b.session_id;
  if (b.tools?.length) {
    const definitions = b.tools.map(
      (t): ToolDefinition => ({
        name: t.function.name,
        description: t.function.description ?? "",
        parametersJson: JSON.stringify(t.function.parameters ?? { type: "object" }),
      }),
    );
    // The caller's own tools: their calls come back to it, as from OpenAI.
    request.tools = { names: [], all: false, definitions, execution: "client" };
  }
  if (b.tool_choice === "none") {
    if (!request.tools) throw invalidRequest("tool_choice", "needs tools");
    request.toolChoice = "none";
  }
  return { request, stream: b.stream === true, includeUsage: b.stream_options?.include_usage === true };
}

/** The request fields the REST face knows, honoured or refused by value (for tests and docs). */
export const knownFields: readonly string[] = Object.keys(body.shape);
