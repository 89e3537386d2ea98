import type { Clock } from "../core/clock.js";
import type { Sessions } from "../sessions/sessions.js";
import { evaluate } from "./calculator.js";
import type { RegisteredTool } from "./tool.js";

type Builtin = "current_time" | "calculator" | "session_history";

/** The tools written here: the time, arithmetic, and the caller's own session history. */
export function builtinTools(
  names: readonly Builtin[],
  deps: { clock: Clock; sessions: Sessions; defaults: { timeoutMs: number; maxOutputBytes: number } },
): RegisteredTool[] {
  const { clock, sessions, defaults } = deps;
  const make = (name: string, description: string, parameters: object, run: RegisteredTool["run"]): RegisteredTool => ({
    definition: { name, description, parametersJson: JSON.stringify(parameters) },
    kind: "builtin",
    ...defaults,
    run,
  });
  const all: Record<Builtin, RegisteredTool> = {
    current_time: make(
      "current_time",
      "The current date and time, in UTC and in a time zone if one is given.",
      {
        type: "object",
        properties: { timezone: { type: "string", description: "An IANA time zone, e.g. Europe/Paris" } },
        additionalProperties: false,
      },
      async (args) => {
        const now = new Date(clock.now());
        const timezone = typeof args["timezone"] === "string" ? args["timezone"] : "UTC";
        // An unknown zone throws RangeError: the model is told.
        const local = new Intl.DateTimeFormat("en-CA", {
          timeZone: timezone,
          dateStyle: "short",
          timeStyle: "long",
          hourCycle: "h23",
        }).format(now);
        return JSON.stringify({ utc: now.toISOString(), timezone, local });
      },
    ),
    calculator: make(
      "calculator",
      "Evaluates an arithmetic expression: + - * / % ^, parentheses, pi, e, sqrt, abs, ln, log10, log2, exp, sin, cos, tan, floor, ceil, round.",
      {
        type: "object",
        properties: { expression: { type: "string", minLength: 1, maxLength: 1000 } },
        required: ["expression"],
        additionalProperties: false,
      },
      async (args) => String(evaluate(String(args["expression"]))),
    ),
    session_history: make(
      "session_history",
      "The latest messages of the current conversation, oldest first.",
      {
        type: "object",
        properties: { limit: { type: "integer", minimum: 1, maximum: 100, default: 20 } },
        additionalProperties: false,
      },
      async (args, context) => {
        if (!context.sessionId) throw new Error("this call has no session");
        const limit = typeof args["limit"] === "number" ? args["limit"] : 20;
        const session = await sessions.get(context.owner, context.sessionId);
        const from = Math.max(0, session.messageCount - limit);
        const { messages } = await sessions.messages(context.owner, context.sessionId, from, limit);
        return JSON.stringify(messages.map((m) => ({ index: m.index, role: m.message.role, content: m.message.content })));
      },
    ),
  };
  return names.map((n) => all[n]);
}
