import type {
  MessageCreateParamsBase,
  ThinkingConfigAdaptive,
  ThinkingConfigEnabled,
  Tool,
  ToolChoice as AnthropicToolChoice,
  ToolChoiceAny,
  ToolChoiceAuto,
  ToolChoiceTool,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { invalidRequest } from "../core/errors.js";
import type { ReasoningEffort, ResponseFormat } from "../core/types.js";
import { cacheControlOf, toAnthropicMessages } from "./anthropic-content.js";
import type { ProviderRequest } from "./provider.js";

/*
 * A provider request as the body of one Messages API call. Every field of the request is sent,
 * or refused naming it: a field Anthropic cannot take is never dropped unsaid.
 */

/**
 * Thinking budgets for an effort, for callers who give an effort and no budget: the smallest budget
 * Anthropic takes (1,024) for minimal and low, then four times more per step.
 */
const BUDGET_OF: Record<Exclude<ReasoningEffort, "none">, number> = { minimal: 1024, low: 1024, medium: 4096, high: 16384 };
/** The smallest thinking budget Anthropic takes. */
const MIN_BUDGET = 1024;

/** The service tiers Anthropic has; OpenAI's names (default, flex, priority, scale) are not among them. */
const SERVICE_TIERS = new Set(["auto", "standard_only"]);

/** Refuses, naming the field, what the Messages API has no field for. */
function refuseUnsupported(r: ProviderRequest): void {
  const notTaken = (field: string): never => {
    throw invalidRequest(field, "Anthropic's Messages API does not take it");
  };
  // The pinned SDK speaks API version 2026-10-21, which refuses temperature, top_p and top_k (even at
  // their defaults); top_p 1 keeps every token, as none would, so it is left out rather than refused.
  if (r.temperature !== undefined) notTaken("temperature");
  if (r.topK !== undefined) notTaken("top_k");
  if (r.topP !== undefined && r.topP !== 1) notTaken("top_p");
  // A penalty of 0 changes nothing, and many clients send it by default.
  if (r.presencePenalty !== undefined && r.presencePenalty !== 0) notTaken("presence_penalty");
  if (r.frequencyPenalty !== undefined && r.frequencyPenalty !== 0) notTaken("frequency_penalty");
  if (r.seed !== undefined) notTaken("seed");
  if (r.logprobs) notTaken("logprobs");
  if (r.topLogprobs !== undefined) notTaken("top_logprobs");
  if (r.extraBody && Object.keys(r.extraBody).length > 0)
    throw invalidRequest("extra_body", "is passed only to openai-compatible providers");
  if (r.serviceTier !== undefined && !SERVICE_TIERS.has(r.serviceTier))
    throw invalidRequest("service_tier", `Anthropic takes "auto" or "standard_only", not ${JSON.stringify(r.serviceTier)}`);
}

/** Extended thinking with a budget under max_tokens (thinking counts toward it), or adaptive thinking. */
function thinkingOf(r: ProviderRequest): ThinkingConfigEnabled | ThinkingConfigAdaptive | undefined {
  const reasoning = r.reasoning;
  if (reasoning?.adaptive) return { type: "adaptive" };
  if (!reasoning || (reasoning.budgetTokens === undefined && reasoning.effort === undefined)) return undefined;
  // Effort none is no thinking, which is what Anthropic does unless asked.
  if (reasoning.effort === "none") return undefined;
  const field = reasoning.budgetTokens !== undefined ? "reasoning.budget_tokens" : "reasoning.effort";
  const budget = reasoning.budgetTokens ?? BUDGET_OF[(reasoning.effort as Exclude<ReasoningEffort, "none"> | undefined) ?? "low"];
  if (budget < MIN_BUDGET) throw invalidRequest(field, `Anthropic's thinking budget is at least ${MIN_BUDGET} tokens, got ${budget}`);
  if (budget >= r.maxTokens)
    throw invalidRequest(field, `a thinking budget of ${budget} tokens must be less than max_tokens (${r.maxTokens})`);
  return { type: "enabled", budget_tokens: budget };
}

function toolChoiceOf(r: ProviderRequest, thinking: boolean): AnthropicToolChoice | undefined {
  const choice = r.toolChoice;
  if (thinking && choice !== undefined && (choice === "required" || typeof choice === "object"))
    throw invalidRequest("tool_choice", "with extended thinking Anthropic takes only auto or none");
  const noParallel = r.parallelToolCalls === false;
  if (choice === "none") {
    // With no tool call possible, parallel calls are moot: the flag is honoured by the choice itself.
    return { type: "none" };
  }
  let out: ToolChoiceAuto | ToolChoiceAny | ToolChoiceTool | undefined;
  if (choice === "auto") out = { type: "auto" };
  else if (choice === "required") out = { type: "any" };
  else if (typeof choice === "object") out = { type: "tool", name: choice.name };
  if (noParallel) return { ...(out ?? { type: "auto" }), disable_parallel_tool_use: true };
  return out;
}

/**
 * An effort beside a thinking budget, or with adaptive thinking, is Anthropic's own
 * output_config.effort (an effort alone sets the budget, above). Anthropic's efforts are low,
 * medium and high (and higher ones the core has no name for).
 */
function effortOf(r: ProviderRequest): "low" | "medium" | "high" | undefined {
  const effort = r.reasoning?.effort;
  if (effort === undefined || effort === "none") return undefined;
  if (r.reasoning?.budgetTokens === undefined && !r.reasoning?.adaptive) return undefined;
  if (effort === "minimal") throw invalidRequest("reasoning.effort", "Anthropic's efforts are low, medium and high");
  return effort;
}

/** Anthropic's own structured outputs: the answer comes as JSON text in the usual text block. */
function outputFormatOf(format: ResponseFormat): NonNullable<MessageCreateParamsBase["output_config"]> {
  if (format.type === "json_object") return { format: { type: "json_schema", schema: { type: "object" } } };
  const schema = JSON.parse(format.schemaJson) as Record<string, unknown>;
  // Anthropic's format has no name (an identifier with no effect on the answer) nor description:
  // the description goes into the schema, where the model reads it.
  if (format.description && schema["description"] === undefined) schema["description"] = format.description;
  // strict: Anthropic always constrains the answer to the schema; the gateway checks it either way.
  return { format: { type: "json_schema", schema } };
}

/** The body of a Messages call, without `stream`. */
export function messagesParams(r: ProviderRequest): MessageCreateParamsBase {
  refuseUnsupported(r);
  const { system, messages } = toAnthropicMessages(r.messages);
  const body: MessageCreateParamsBase = { model: r.model, max_tokens: r.maxTokens, messages };
  if (system.length > 0) body.system = system;
  if (r.stop.length > 0) body.stop_sequences = [...r.stop];
  if (r.user) body.metadata = { user_id: r.user };
  const thinking = thinkingOf(r);
  if (thinking) body.thinking = thinking;
  if (r.tools?.length) {
    body.tools = r.tools.map((t) => {
      const tool: Tool = { name: t.name, description: t.description, input_schema: JSON.parse(t.parametersJson) as Tool.InputSchema };
      if (t.strict) tool.strict = true;
      if (t.cacheControl) tool.cache_control = cacheControlOf(t.cacheControl);
      return tool;
    });
  }
  const choice = toolChoiceOf(r, thinking !== undefined);
  // Without tools there is nothing to choose (the validation stage refuses a caller's choice without tools).
  if (choice && body.tools) body.tool_choice = choice;
  if (r.responseFormat) body.output_config = outputFormatOf(r.responseFormat);
  const effort = effortOf(r);
  if (effort) body.output_config = { ...body.output_config, effort };
  if (r.serviceTier !== undefined) body.service_tier = r.serviceTier as "auto" | "standard_only";
  // A prompt cache key asks for the prompt to be cached (OpenAI groups its cache by it). Anthropic caches
  // by marks, not keys: a request without marks of its own gets Anthropic's automatic one (top-level
  // cache_control: the prefix up to the last block); one with marks is already cached as its caller chose.
  if (r.promptCacheKey !== undefined && !hasCacheMarks(r)) body.cache_control = { type: "ephemeral" };
  return body;
}

/** Whether the caller marked anything for caching (a message, a part or a tool). */
export const hasCacheMarks = (r: ProviderRequest): boolean =>
  r.messages.some((m) => m.cacheControl !== undefined || m.parts?.some((p) => p.cacheControl !== undefined)) ||
  (r.tools?.some((t) => t.cacheControl !== undefined) ?? false);
