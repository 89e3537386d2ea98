import { echo, GatewayError, invalidRequest } from "../core/errors.js";
import { parseCallerJson } from "../core/json-limits.js";
import type { ChatMessage, ChatRequest, ChatResult, ToolCall, ToolDefinition, Usage } from "../core/types.js";
import type { ToolOutcome, Tools } from "./registry.js";

/** What a request's tools resolve to: what the model is offered, and which calls the gateway runs. */
export interface ToolPlan {
  definitions: ToolDefinition[];
  /** Tools the gateway runs; calls to any other go back to the caller. */
  serverSide: ReadonlySet<string>;
  maxRounds: number;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Resolves a request's tools against the registry, naming the field of any fault. */
export function planTools(request: ChatRequest, tools: Tools, defaultMaxRounds: number): ToolPlan | undefined {
  const t = request.tools;
  if (!t || (!t.all && t.names.length === 0 && t.definitions.length === 0)) return undefined;
  const registered = t.all
    ? tools.list()
    : t.names.map((name, i) => {
        const tool = tools.get(name);
        if (!tool)
          throw new GatewayError("TOOL_NOT_FOUND", `tools.names[${i}]: tool ${echo(name)} is not registered`, {
            metadata: { tool: name, field: `tools.names[${i}]` },
          });
        return tool;
      });
  const definitions = registered.map((r) => r.definition);
  const seen = new Set(definitions.map((d) => d.name));
  t.definitions.forEach((d, i) => {
    const field = `tools.definitions[${i}]`;
    if (!NAME.test(d.name)) throw invalidRequest(`${field}.name`, "use 1-64 letters, digits, _ or -");
    if (seen.has(d.name)) throw invalidRequest(`${field}.name`, `${echo(d.name)} is offered twice (a registered tool has that name)`);
    const schema = parseCallerJson(d.parametersJson || "{}", `${field}.parameters_json`);
    if (typeof schema !== "object" || schema === null || (schema as { type?: unknown }).type !== "object") {
      throw invalidRequest(`${field}.parameters_json`, "must be a JSON Schema with type: object");
    }
    seen.add(d.name);
    definitions.push({ ...d, parametersJson: d.parametersJson || '{"type":"object"}' });
  });
  const maxRounds = Math.min(t.maxIterations || defaultMaxRounds, defaultMaxRounds);
  return {
    definitions,
    serverSide: new Set(t.execution === "client" ? [] : registered.map((r) => r.definition.name)),
    maxRounds,
  };
}

/** Whether a round's answer asks for tools the gateway should run now. */
export function runnable(result: ChatResult, plan: ToolPlan): ToolCall[] | undefined {
  const calls = result.message.toolCalls ?? [];
  if (result.finishReason !== "tool_calls" || calls.length === 0) return undefined;
  // A call the gateway cannot run (a tool the caller defined) sends the whole round back to the caller.
  return calls.every((c) => plan.serverSide.has(c.name)) ? calls : undefined;
}

/**
 * The request for a round: the turns so far appended. A caller's forcing choice (required, or a named
 * tool) holds for the first round only: once the model has called a tool, it must be free to answer with
 * the results, or every round would call again. On the last round the model must answer in text.
 */
export function roundRequest(request: ChatRequest, turns: readonly ChatMessage[], round: number, plan: ToolPlan): ChatRequest {
  const r: ChatRequest = { ...request, messages: [...request.messages, ...turns] };
  if (round > 1 && r.toolChoice !== undefined && r.toolChoice !== "none") r.toolChoice = "auto";
  if (round >= plan.maxRounds && plan.serverSide.size > 0) r.toolChoice = "none";
  return r;
}

export const toolMessage = (call: ToolCall, outcome: ToolOutcome): ChatMessage => ({
  role: "tool",
  content: outcome.output,
  toolCallId: call.id,
  name: call.name,
});

/** The final result: the last round's answer, with usage, cost and attempts over every round. */
export function total(rounds: ChatResult[], turns: ChatMessage[], latencyMs: number): ChatResult {
  const last = rounds.at(-1)!;
  if (rounds.length === 1) return { ...last, toolTurns: [], rounds: 1 };
  const usage: Usage = {
    inputTokens: rounds.reduce((n, r) => n + r.usage.inputTokens, 0),
    outputTokens: rounds.reduce((n, r) => n + r.usage.outputTokens, 0),
    estimated: rounds.some((r) => r.usage.estimated),
  };
  // Prompt-cache and reasoning tokens add up too, so that usage and cost tell the same story.
  for (const k of ["cachedInputTokens", "cacheWriteTokens", "cacheWrite1hTokens", "reasoningTokens"] as const) {
    const sum = rounds.reduce((n, r) => n + (r.usage[k] ?? 0), 0);
    if (sum > 0) usage[k] = sum;
  }
  return {
    ...last,
    usage,
    costUsd: rounds.reduce((n, r) => n + r.costUsd, 0),
    attempts: rounds.flatMap((r) => r.attempts),
    latencyMs,
    gatewayOverheadMs: rounds.reduce((n, r) => n + r.gatewayOverheadMs, 0),
    toolTurns: turns,
    rounds: rounds.length,
  };
}
