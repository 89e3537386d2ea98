import { createHash, randomBytes } from "node:crypto";
import { callAbortedError, type CallContext } from "../core/call.js";
import type { Clock } from "../core/clock.js";
import { GatewayError } from "../core/errors.js";
import type { ChatRequest, ChatResult, ChatStreamEvent } from "../core/types.js";
import type { Logger } from "../log.js";
import { decodeEntry, deliveredText, entryError, errorEntry, encodeEntry, isFinal, type JournalEvent } from "./journal.js";
import { generate, HANDOVER, LocalRun, type RunSettings } from "./run.js";
import type { DurableStore } from "./store.js";

/** What a durable call runs on: the gateway's stream, with a partial answer to continue on a takeover. */
export type StreamSource = (request: ChatRequest, call: CallContext, continueFrom?: string) => AsyncIterable<ChatStreamEvent>;

export interface DurableSettings extends RunSettings {
  /** How long an idempotency key and its call's result are kept. */
  idempotencyTtlMs: number;
}

/** What a face is given: the calls, and whether its streams are resumable. */
export interface DurableFace {
  calls: DurableCalls;
  resumableStreams: boolean;
}

export interface DurableOptions {
  store: DurableStore;
  source: StreamSource;
  clock: Clock;
  settings: DurableSettings;
  logger?: Logger | undefined;
}

/** A durable call as its reader sees it: the token that re-attaches to it, and its events from where the reader is. */
export interface DurableStream {
  token: string;
  events: AsyncIterable<JournalEvent>;
}

/**
 * Calls that outlive their caller's connection and their replica (docs/resilience.md "Resuming a
 * stream", "Idempotency keys"). Each call's events are journaled in the store; any reader, on any
 * replica, replays the journal and then follows it; a reader that finds the generating replica's lease
 * expired takes the generation over and continues it from the answer recorded so far.
 */
export interface DurableCalls {
  /** Starts a call, or joins the one its idempotency key names, and follows it from its first event. */
  start(request: ChatRequest, call: CallContext, idempotencyKey?: string): Promise<DurableStream>;
  /** The whole answer of a call made once under an idempotency key. */
  complete(request: ChatRequest, call: CallContext, idempotencyKey: string): Promise<ChatResult>;
  /** Re-attaches to a call by its token, after the event with id `after` (0 for all of it). */
  resume(token: string, after: number, call: CallContext): Promise<DurableStream>;
  /** Hands this replica's calls over (their leases released) and stops. */
  close(): Promise<void>;
}

const tenantOf = (call: CallContext): string => call.tenant?.name ?? "";
const digest = (value: string): string => createHash("sha256").update(value).digest("base64url");

/** The request as compared under an idempotency key: its fields in a fixed order, so key order does not matter. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function createDurableCalls(options: DurableOptions): DurableCalls {
  const { store, clock, settings, source } = options;
  const owner = randomBytes(9).toString("base64url");
  let closing = false;
  const runs = new Map<string, LocalRun>();
  const generating = new Set<Promise<void>>();
  const deps = { store, clock, settings, owner, logger: options.logger };

  const notFound = () => new GatewayError("NOT_FOUND", "no stream with this resume token (it ended too long ago, or never was)");

  function launch(
    id: string,
    base: number,
    ttlMs: number,
    request: ChatRequest,
    call: CallContext,
    continueFrom?: string,
    beforeFailure?: () => Promise<void>,
  ): LocalRun {
    const controller = new AbortController();
    const run = new LocalRun(id, base, ttlMs, controller);
    runs.set(id, run);
    // The generation is the call's, not the connection's: a caller that goes away does not cancel it.
    const detached: CallContext = { ...call, signal: controller.signal };
    const onEnd = () => {
      if (runs.get(id) === run) runs.delete(id);
    };
    const done = generate(run, source(request, detached, continueFrom), deps, { onEnd, beforeFailure });
    generating.add(done);
    void done.finally(() => generating.delete(done));
    return run;
  }

  /** Continues a call whose replica stopped renewing its lease, when this replica wins it. */
  async function takeOver(id: string, call: CallContext): Promise<void> {
    const now = clock.now();
    if (!(await store.claim(id, owner, now, now + settings.leaseMs))) return;
    const record = await store.get(id);
    if (!record) return;
    const entries = (await store.read(id, 0)).map(decodeEntry);
    const text = deliveredText(entries);
    if (text === undefined) {
      const error = new GatewayError("STREAM_INTERRUPTED", "the replica serving the stream stopped, and what it sent cannot be continued", {
        metadata: { not_continued: "the answer so far holds more than text (reasoning or tool calls)" },
      });
      await store.append(id, owner, [encodeEntry(errorEntry(error))], true, settings.ttlMs);
      return;
    }
    options.logger?.info("durable call taken over", { call: id, delivered_chars: text.length });
    launch(id, entries.length, record.retentionMs, JSON.parse(record.request) as ChatRequest, call, text);
  }

  async function* follow(id: string, after: number, call: CallContext): AsyncGenerator<JournalEvent> {
    let seen = after;
    for (;;) {
      // The caller is told why its stream stopped, never given an end that looks like the answer's.
      if (call.signal.aborted) throw callAbortedError(call, clock);
      if (closing) throw HANDOVER;
      const run = runs.get(id);
      if (run && seen >= run.base) {
        run.readers++;
        try {
          for (;;) {
            const entry = seen - run.base < run.committed ? run.entries[seen - run.base] : undefined;
            if (entry) {
              seen++;
              if (entry.type === "error") throw entryError(entry);
              yield { id: seen, event: entry };
              if (isFinal(entry)) return;
              continue;
            }
            if (run.stopped || call.signal.aborted) break;
            await run.changed(call.signal);
          }
        } finally {
          run.readers--;
        }
        continue;
      }
      const data = await store.read(id, seen);
      for (const d of data) {
        const entry = decodeEntry(d);
        seen++;
        if (entry.type === "error") throw entryError(entry);
        yield { id: seen, event: entry };
        if (isFinal(entry)) return;
      }
      if (data.length > 0) continue;
      const record = await store.get(id);
      if (!record) throw notFound();
      // Ended, and nothing after what this reader has: it had the last event already.
      if (record.state === "ended" && (await store.read(id, seen)).length === 0) return;
      const now = clock.now();
      if (record.state === "running" && record.leaseUntil <= now && !runs.has(id)) await takeOver(id, call);
      else {
        await store.touch(id, now + settings.graceMs);
        await store.wait(id, seen, Math.max(1, Math.floor(settings.leaseMs / 2)), call.signal);
      }
    }
  }

  async function open(request: ChatRequest, call: CallContext, key: string | undefined): Promise<{ id: string; created: boolean }> {
    const id = randomBytes(18).toString("base64url");
    const record = {
      tenant: tenantOf(call),
      digest: digest(canonicalJson(request)),
      request: JSON.stringify(request),
      owner,
      leaseUntil: clock.now() + settings.leaseMs,
      seenUntil: 0,
      retentionMs: key === undefined ? settings.ttlMs : settings.idempotencyTtlMs,
      state: "running" as const,
    };
    // The record exists before its key names it, so a caller that finds the key finds the call. Until the
    // first write extends it to the call's retention it is kept briefly: one that lost the key to another
    // call is never written, and soon gone.
    await store.create(id, record, settings.ttlMs);
    // The key is the tenant's: the same key from another tenant is another call.
    const scoped = key === undefined ? undefined : digest(`${record.tenant}\u0000${key}`);
    if (key !== undefined && scoped !== undefined) {
      const bound = await store.bindKey(scoped, id, settings.idempotencyTtlMs);
      if (bound !== id) {
        const existing = await store.get(bound);
        if (existing && existing.digest !== record.digest) {
          throw new GatewayError("IDEMPOTENCY_KEY_REUSED", "this idempotency key was used with a different request", {
            metadata: { idempotency_key: key },
          });
        }
        if (existing) return { id: bound, created: false };
        // The key outlived its call: this call takes the key over.
        await store.unbindKey(scoped, bound);
        return open(request, call, key);
      }
    }
    // A call that failed gives its key up: a retry under it runs again rather than replay the failure.
    launch(id, 0, record.retentionMs, request, call, undefined, scoped === undefined ? undefined : () => store.unbindKey(scoped, id));
    return { id, created: true };
  }

  return {
    async start(request, call, key) {
      const { id } = await open(request, call, key);
      return { token: id, events: follow(id, 0, call) };
    },

    async complete(request, call, key) {
      const { id } = await open(request, call, key);
      for await (const { event } of follow(id, 0, call)) if (event.type === "done") return event.result;
      throw new GatewayError("INTERNAL", "a call ended without its result");
    },

    async resume(token, after, call) {
      const record = await store.get(token);
      // Another tenant's token is as unknown as a made-up one.
      if (!record || record.tenant !== tenantOf(call)) throw notFound();
      // Every event a caller received is in the journal: an id past its end was never sent.
      if (after > 0 && (await store.read(token, after - 1)).length === 0) {
        throw new GatewayError("INVALID_REQUEST", `the stream has no event ${after}`, { metadata: { field: "last_event_id" } });
      }
      await store.touch(token, clock.now() + settings.graceMs);
      return { token, events: follow(token, after, call) };
    },

    async close() {
      closing = true;
      for (const run of runs.values()) run.controller.abort(HANDOVER);
      await Promise.all(generating);
      await store.close();
    },
  };
}

/** A durable stream's events alone, for a face that numbers none (idempotency without resumption). */
export async function* eventsOf(stream: DurableStream): AsyncGenerator<ChatStreamEvent> {
  for await (const { event } of stream.events) yield event;
}
