import { principalOf } from "../auth/tenants.js";
import type { ChatRequest, ChatStreamEvent } from "../core/types.js";
import type { Sessions } from "../sessions/sessions.js";
import type { Ask, AskStage } from "./stage.js";

/**
 * Sessions: a call with a session_id is sent with the session's history and
 * system prompt (trimmed to the model's window), and its turn (the new
 * messages, any tool rounds, the answer) is appended before the caller hears
 * that the answer is complete: a failure to record it is the call's error.
 */
export function sessionStage(sessions: Sessions): AskStage {
  return (next) => {
    async function* continued(ask: Ask & { request: ChatRequest & { sessionId: string } }): AsyncGenerator<ChatStreamEvent> {
      const session = await sessions.continue(ask.request, principalOf(ask.call.tenant, ask.request.user));
      for await (const event of next({ ...ask, request: session.request })) {
        if (event.type === "done") await session.record([...(event.result.toolTurns ?? []), event.result.message]);
        yield event;
      }
    }
    return (ask) => (ask.request.sessionId ? continued(ask as Ask & { request: ChatRequest & { sessionId: string } }) : next(ask));
  };
}
