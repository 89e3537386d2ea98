import { CONTINUE_INSTRUCTION } from "../../src/pipeline/attempts/continuation.js";

/*
 * A fake model that continues a partial answer as a real one does: asked to go on (an Anthropic prefill,
 * or the partial answer followed by the gateway's instruction), it answers the rest of the text it would
 * have given, starting a few words early as models often do; the gateway's splice must trim those.
 */

type Message = { role?: unknown; content?: unknown };

/** A message's text, in OpenAI's or Anthropic's shape (a string, or text parts or blocks). */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p: { text?: unknown }) => (typeof p?.text === "string" ? p.text : "")).join("");
}

/** The partial answer a continuation request carries, or undefined for a first request. */
export function partialAnswerIn(body: Record<string, unknown>): string | undefined {
  const messages = (Array.isArray(body["messages"]) ? body["messages"] : []) as Message[];
  const last = messages.at(-1);
  if (last?.role === "assistant") return textOf(last.content);
  const before = messages.at(-2);
  if (last?.role === "user" && textOf(last.content) === CONTINUE_INSTRUCTION && before?.role === "assistant") return textOf(before.content);
  return undefined;
}

/** The user's first message: the prompt the fake keys its answers by. */
export function promptIn(body: Record<string, unknown>): string {
  const messages = (Array.isArray(body["messages"]) ? body["messages"] : []) as Message[];
  return textOf(messages.find((m) => m.role === "user")?.content);
}

/**
 * What the fake answers when its whole answer is `full`: all of it on a first request; asked to continue,
 * the rest after the partial answer, starting `repeat` words early.
 */
export function answerFor(body: Record<string, unknown>, full: string, repeat = 0): string {
  const partial = partialAnswerIn(body);
  if (partial === undefined) return full;
  if (!full.startsWith(partial)) throw new Error(`the partial answer ${JSON.stringify(partial)} is not a start of ${JSON.stringify(full)}`);
  const words = partial.match(/\S+\s*/g) ?? [];
  const again = repeat > 0 ? words.slice(-repeat).join("") : "";
  // The repeated words keep the spacing they had; after a prefill (trailing whitespace dropped) the rest starts with it.
  return again + full.slice(partial.length);
}
