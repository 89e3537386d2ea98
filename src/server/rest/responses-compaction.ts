import { invalidRequest } from "../../core/errors.js";
import type { ChatMessage } from "../../core/types.js";

/*
 * OpenAI's compaction on the Responses face: a request whose input ends with a `compaction_trigger`
 * item asks the model for a summary of the conversation so far, given back as one `compaction`
 * item; a later request sends that item in place of the conversation it sums up. Codex CLI asks for
 * it when its context fills up and it talks to its built-in OpenAI provider. OpenAI encrypts what the
 * item carries; here it carries only the summary the model wrote, which the caller may read anyway,
 * so it is encoded (with a version, to refuse what this gateway did not make) and not encrypted.
 */

/** What the model is asked, after the conversation, to write the summary. */
export const COMPACTION_PROMPT =
  "Write a handoff summary of the conversation so far for another model that will continue it without seeing it: " +
  "the task and the user's intent, what has been done and decided (files, commands, results), what remains to do, " +
  "and anything the next model must not lose. Write only the summary.";

const PREFIX = "llmgw.compaction.v1.";

/** The output item that carries a summary. */
export function compactionItem(id: string, summary: string) {
  return { type: "compaction", id, encrypted_content: PREFIX + Buffer.from(summary, "utf8").toString("base64url") };
}

/** The message a compaction item stands for in a later request; `field` names the item. */
export function compactedMessage(encrypted: string, field: string): ChatMessage {
  if (!encrypted.startsWith(PREFIX)) throw invalidRequest(`${field}.encrypted_content`, "is not a compaction this gateway made");
  const summary = Buffer.from(encrypted.slice(PREFIX.length), "base64url").toString("utf8");
  return { role: "user", content: `A summary of the conversation so far, which it replaces:\n\n${summary}` };
}
