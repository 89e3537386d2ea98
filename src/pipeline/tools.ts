import { SpanStatusCode } from "@opentelemetry/api";
import { principalOf } from "../auth/tenants.js";
import type { CallContext } from "../core/call.js";
import type { Clock } from "../core/clock.js";
import { GatewayError } from "../core/errors.js";
import type { ChatMessage, ChatResult, ChatStreamEvent } from "../core/types.js";
import { tracer } from "../telemetry.js";
import { planTools, roundRequest, runnable, toolMessage, total, type ToolPlan } from "../tools/loop.js";
import type { ToolContext, ToolOutcome, Tools } from "../tools/registry.js";
import type { Ask, AskStage } from "./stage.js";

export interface ToolStageOptions {
  tools: Tools;
  /** Most model rounds of a server-side tool loop. */
  maxRounds: number;
  clock: Clock;
}

/**
 * Tools: resolves the request's tools once (registered ones by name, the
 * caller's own definitions) for the rounds below to offer. When the gateway
 * runs some of them, this is the tool loop: ask the model; while it asks for
 * tools the gateway runs, run them all at once (each with a span), tell the
 * caller each call and each result as it comes, append the model's request
 * and the results, and ask again, up to the plan's rounds. The final result
 * adds up every round.
 */
export function toolStage(options: ToolStageOptions): AskStage {
  const { tools, clock } = options;

  /** Runs one tool for the model, in a span of its own under the call's. */
  async function run(call: CallContext, name: string, argumentsJson: string, context: ToolContext): Promise<ToolOutcome> {
    const span = tracer().startSpan(
      `execute_tool ${name}`,
      { attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name } },
      call.otel,
    );
    try {
      const outcome = await tools.call(name, argumentsJson, context, call.signal);
      if (outcome.isError) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.output });
      span.setAttribute("llm_gateway.tool.latency_ms", outcome.latencyMs);
      return outcome;
    } finally {
      span.end();
    }
  }

  return (next) => {
    async function* loop(ask: Ask, plan: ToolPlan): AsyncGenerator<ChatStreamEvent> {
      const { request, call } = ask;
      const context: ToolContext = { owner: principalOf(call.tenant, request.user), sessionId: request.sessionId };
      const turns: ChatMessage[] = [];
      const rounds: ChatResult[] = [];
      for (let round = 1; ; round++) {
        let result: ChatResult | undefined;
        for await (const event of next({ ...ask, request: roundRequest(request, turns, round, plan), tools: plan })) {
          if (event.type === "done") result = event.result;
          // The cache status of the first round is the one the headers carry.
          else if (event.type !== "cache" || round === 1) yield event;
        }
        if (!result) throw new GatewayError("INTERNAL", "a round ended without its result");
        rounds.push(result);
        const calls = round < plan.maxRounds ? runnable(result, plan) : undefined;
        if (!calls) {
          yield { type: "done", result: total(rounds, turns, clock.monotonic() - call.receivedAt) };
          return;
        }
        for (const c of calls) yield { type: "tool_call", id: c.id, name: c.name, argumentsJson: c.argumentsJson, round };
        // Results go out as they come, not in call order; the model gets them in call order.
        const pending = new Map(calls.map((c, i) => [i, run(call, c.name, c.argumentsJson, context).then((o) => ({ i, o }))]));
        const outcomes: ToolOutcome[] = [];
        while (pending.size > 0) {
          const { i, o } = await Promise.race(pending.values());
          pending.delete(i);
          outcomes[i] = o;
          const c = calls[i]!;
          yield { type: "tool_result", id: c.id, name: c.name, output: o.output, isError: o.isError, latencyMs: o.latencyMs };
        }
        turns.push(result.message, ...calls.map((c, i) => toolMessage(c, outcomes[i]!)));
      }
    }
    return (ask) => {
      const plan = planTools(ask.request, tools, options.maxRounds);
      if (!plan) return next(ask);
      if (plan.serverSide.size === 0) return next({ ...ask, tools: plan });
      return loop(ask, plan);
    };
  };
}
