import { GatewayError, type GatewayErrorReason } from "../core/errors.js";
import type { ChatStreamEvent } from "../core/types.js";

/** One element of a call's journal: an event of the stream, or the error it ended with. */
export type JournalEntry =
  | ChatStreamEvent
  | { type: "error"; reason: GatewayErrorReason; message: string; metadata: Record<string, string>; retryAfterMs?: number };

/** One event as a reader receives it: its id (from 1, in journal order) and the event. */
export interface JournalEvent {
  id: number;
  event: ChatStreamEvent;
}

export const encodeEntry = (entry: JournalEntry): string => JSON.stringify(entry);

export const decodeEntry = (data: string): JournalEntry => JSON.parse(data) as JournalEntry;

/** Whether the entry is a call's last: its result or its error. */
export const isFinal = (entry: JournalEntry): boolean => entry.type === "done" || entry.type === "error";

/** The journal entry for the error a call ended with. */
export function errorEntry(error: GatewayError): JournalEntry {
  return {
    type: "error",
    reason: error.reason,
    message: error.message,
    metadata: { ...error.metadata },
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}

/** The error a reader is given for an error entry: the one the generation ended with. */
export function entryError(entry: Extract<JournalEntry, { type: "error" }>): GatewayError {
  return new GatewayError(entry.reason, entry.message, {
    metadata: entry.metadata,
    ...(entry.retryAfterMs === undefined ? {} : { retryAfterMs: entry.retryAfterMs }),
  });
}

/**
 * What the caller had been sent when a generation stopped, for a takeover to continue: the text, or
 * undefined when the journal holds more than text (reasoning, tool calls), which cannot be continued.
 */
export function deliveredText(entries: readonly JournalEntry[]): string | undefined {
  let text = "";
  for (const e of entries) {
    if (e.type === "delta") text += e.text;
    else if (e.type !== "cache" && e.type !== "answering") return undefined;
  }
  return text;
}
