import type { ModelCapabilities, ModelEntry } from "./catalog.js";
import { echo, GatewayError, invalidRequest } from "./errors.js";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json-limits.js";
import { base64Bytes, parseDataUrl } from "./media.js";
import { compileSchema } from "./output-format.js";
import type { ChatRequest, ContentPart } from "./types.js";

type ModelCapabilitiesName = keyof ModelCapabilities;

/*
 * The checks of what a request carries beyond text: content parts (what each role may carry, what
 * the model can take, how big), tool choice, response formats, reasoning and the other options.
 */

/** The most one inline part may weigh, decoded (OpenAI's own limit for an image is 20 MB). */
export const MAX_PART_BYTES = 20 * 1024 * 1024;
/** The most a request's inline parts may weigh together, decoded. */
export const MAX_PARTS_BYTES = 48 * 1024 * 1024;
const MAX_URL_LENGTH = 8 * 1024;
const MAX_SCHEMA_CHARS = 64 * 1024;
const MAX_EXTRA_BODY_CHARS = 64 * 1024;

const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const FILE_TYPES = new Set(["application/pdf", "text/plain"]);

/** Which parts each role may carry: users anything, tool results text, images and files, the rest text. */
const ALLOWED: Record<string, ReadonlySet<ContentPart["type"]>> = {
  user: new Set(["text", "image", "file", "audio"]),
  tool: new Set(["text", "image", "file"]),
  system: new Set(["text"]),
  assistant: new Set(["text"]),
};

const NEEDS: Record<Exclude<ContentPart["type"], "text">, ModelCapabilitiesName> = {
  image: "vision",
  file: "documents",
  audio: "audio",
};

function unsupported(model: ModelEntry, capability: ModelCapabilitiesName, field: string, what: string): GatewayError {
  return new GatewayError("CAPABILITY_UNSUPPORTED", `${field}: model "${model.name}" does not take ${what}`, {
    metadata: { model: model.name, capability, field },
  });
}

function checkUrl(url: string, field: string, mediaTypes: ReadonlySet<string>): void {
  if (url.length > MAX_URL_LENGTH && !url.startsWith("data:")) throw invalidRequest(field, `at most ${MAX_URL_LENGTH} characters`);
  if (url.startsWith("data:")) {
    const parsed = parseDataUrl(url);
    if (!parsed) throw invalidRequest(field, "a data: URL must be data:<media type>;base64,<data>");
    if (!mediaTypes.has(parsed.mediaType))
      throw invalidRequest(field, `media type ${echo(parsed.mediaType)} is not one of ${[...mediaTypes].join(", ")}`);
    return;
  }
  if (!url.startsWith("https://") && !url.startsWith("http://")) throw invalidRequest(field, "must be an http(s) or data: URL");
}

/** Inline bytes of a part (decoded), counting data: URLs. */
function inlineBytes(p: ContentPart): number {
  const data = "data" in p ? p.data : undefined;
  if (data) return base64Bytes(data);
  const url = "url" in p ? p.url : undefined;
  if (url?.startsWith("data:")) return base64Bytes(url.slice(url.indexOf(",") + 1));
  return 0;
}

function checkPart(p: ContentPart, field: string, model: ModelEntry): void {
  if (p.type === "text") return;
  const capability = NEEDS[p.type];
  if (!model.capabilities[capability]) throw unsupported(model, capability, field, `${p.type} parts`);
  if (p.type === "image") {
    if (p.data && !IMAGE_TYPES.has(p.mediaType ?? ""))
      throw invalidRequest(`${field}.media_type`, `must be one of ${[...IMAGE_TYPES].join(", ")}`);
    if (p.url) checkUrl(p.url, `${field}.url`, IMAGE_TYPES);
  } else if (p.type === "file") {
    if (p.data && !FILE_TYPES.has(p.mediaType ?? ""))
      throw invalidRequest(`${field}.media_type`, `must be one of ${[...FILE_TYPES].join(", ")}`);
    if (p.url) checkUrl(p.url, `${field}.url`, FILE_TYPES);
  }
  if (inlineBytes(p) > MAX_PART_BYTES) throw invalidRequest(field, `a part may carry at most ${MAX_PART_BYTES / 1024 / 1024} MB`);
}

/** Content parts: what each role may carry, what the model takes, and how much. */
export function checkParts(request: ChatRequest, model: ModelEntry): void {
  let total = 0;
  request.messages.forEach((m, i) => {
    m.parts?.forEach((p, j) => {
      const field = `messages[${i}].parts[${j}]`;
      if (!ALLOWED[m.role]!.has(p.type)) throw invalidRequest(field, `a ${m.role} message cannot carry ${p.type} parts`);
      checkPart(p, field, model);
      total += inlineBytes(p);
    });
  });
  if (total > MAX_PARTS_BYTES) throw invalidRequest("messages", `parts may carry at most ${MAX_PARTS_BYTES / 1024 / 1024} MB in all`);
}

function checkJsonObject(json: string, field: string, maxChars: number): Record<string, unknown> {
  if (json.length > maxChars) throw invalidRequest(field, `at most ${maxChars} characters`);
  if (nestsDeeperThan(json)) throw invalidRequest(field, `nests deeper than ${MAX_JSON_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw invalidRequest(field, "is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidRequest(field, "must be a JSON object");
  return value as Record<string, unknown>;
}

/** Tool choice, response format, reasoning, penalties, logprobs and the pass-through body. */
export async function checkOptions(request: ChatRequest, model: ModelEntry, offersTools: boolean): Promise<void> {
  const choice = request.toolChoice;
  if (choice !== undefined && choice !== "auto" && choice !== "none" && !offersTools) {
    throw invalidRequest("tool_choice", "needs tools to choose from");
  }
  if (typeof choice === "object" && request.tools) {
    const named = request.tools.names.includes(choice.name) || request.tools.definitions.some((d) => d.name === choice.name);
    if (!named && !request.tools.all)
      throw invalidRequest("tool_choice", `names ${echo(choice.name)}, which is not among the tools offered`);
  }
  const format = request.responseFormat;
  if (format) {
    if (!model.capabilities.jsonMode) throw unsupported(model, "jsonMode", "response_format", "response formats");
    if (format.type === "json_schema") {
      if (!/^[\w-]{1,64}$/.test(format.name))
        throw invalidRequest("response_format.json_schema.name", "letters, digits, '_' and '-', 1 to 64");
      checkJsonObject(format.schemaJson, "response_format.json_schema.schema", MAX_SCHEMA_CHARS);
      await compileSchema(format.schemaJson);
    }
  }
  if (request.reasoning) {
    const none = request.reasoning.effort === "none";
    if (none && request.reasoning.budgetTokens !== undefined) throw invalidRequest("reasoning", "effort none with a thinking budget");
    if (request.reasoning.adaptive && (none || request.reasoning.budgetTokens !== undefined))
      throw invalidRequest("reasoning", "adaptive thinking takes no budget and is not effort none");
    // Asking a model that does not reason not to reason asks for nothing it cannot do; nor does leaving it
    // to decide whether to (adaptive thinking, its effort a ceiling): a model that cannot think decides not to.
    if (!model.capabilities.reasoning && !none && !request.reasoning.adaptive)
      throw unsupported(model, "reasoning", "reasoning", "reasoning options");
    const budget = request.reasoning.budgetTokens;
    if (budget !== undefined && !(Number.isInteger(budget) && budget >= 1))
      throw invalidRequest("reasoning.budget_tokens", "must be a positive integer");
  }
  for (const [field, v] of [
    ["presence_penalty", request.presencePenalty],
    ["frequency_penalty", request.frequencyPenalty],
  ] as const) {
    if (v !== undefined && !(v >= -2 && v <= 2)) throw invalidRequest(field, `must be between -2 and 2, got ${v}`);
  }
  if (request.topLogprobs !== undefined) {
    if (!request.logprobs) throw invalidRequest("top_logprobs", "needs logprobs");
    if (!(Number.isInteger(request.topLogprobs) && request.topLogprobs >= 0 && request.topLogprobs <= 20))
      throw invalidRequest("top_logprobs", "must be an integer from 0 to 20");
  }
  if (request.serviceTier !== undefined && !/^[\w-]{1,32}$/.test(request.serviceTier))
    throw invalidRequest("service_tier", "a name of 1 to 32 letters");
  if (request.promptCacheKey !== undefined && request.promptCacheKey.length > 256)
    throw invalidRequest("prompt_cache_key", "at most 256 characters");
  if (request.extraBody) checkJsonObject(JSON.stringify(request.extraBody), "extra_body", MAX_EXTRA_BODY_CHARS);
}
