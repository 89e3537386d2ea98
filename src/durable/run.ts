import type { Clock } from "../core/clock.js";
import { GatewayError, isGatewayError } from "../core/errors.js";
import type { ChatStreamEvent } from "../core/types.js";
import type { Logger } from "../log.js";
import { encodeEntry, errorEntry, isFinal, type JournalEntry } from "./journal.js";
import type { DurableStore } from "./store.js";

/** How a replica runs its durable calls. */
export interface RunSettings {
  /** How long a call nobody reads keeps generating before it is aborted upstream. */
  graceMs: number;
  /** How long an owner's lease holds without renewal; renewed every third of it. */
  leaseMs: number;
  /** Writes to the store are at most this often: events that come in between go in one batch. */
  flushMs: number;
  /** How long a call's record and journal are kept after its last write. */
  ttlMs: number;
}

export interface RunDeps {
  store: DurableStore;
  clock: Clock;
  settings: RunSettings;
  /** This replica's id, the owner of the calls it generates. */
  owner: string;
  logger?: Logger | undefined;
}

/** Aborts a call's generation because this replica is going away: its lease is released, not its journal ended. */
export const HANDOVER = new GatewayError("SHUTTING_DOWN", "the replica is shutting down; another replica continues the stream");

/**
 * A call this replica generates: the events since `base` (what the journal held when this replica
 * took the call). Readers on this replica read them here rather than from the store, but only those
 * already written to the store: an event a caller received is always one a replica taking over would
 * find, so its continuation starts exactly where the caller is.
 */
export class LocalRun {
  readonly entries: JournalEntry[] = [];
  /** How many of the entries the store holds. */
  committed = 0;
  /** No more entries will come: the call ended, or this replica gave it up. */
  stopped = false;
  /** Readers attached on this replica. */
  readers = 0;
  private waiters = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly base: number,
    /** How long the call is kept after its last write. */
    readonly ttlMs: number,
    readonly controller: AbortController,
  ) {}

  commit(count: number): void {
    this.committed = count;
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  /** Resolves when more entries are committed or the run stops. */
  changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  private wake(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }
}

/**
 * Generates a call on this replica: reads the pipeline's events into the local run and the store's
 * journal, renews the lease, and aborts the generation when nobody has read it for the grace period
 * (billed for what it generated, by the pipeline's own settling) or when another replica took it over.
 *
 * Writes are group commits: an event is written at once when no write is in flight, and the events
 * that come while one is go together in the next, at most one write per `flushMs`.
 */
export async function generate(
  run: LocalRun,
  events: AsyncIterable<ChatStreamEvent>,
  deps: RunDeps,
  hooks: { onEnd: () => void; beforeFailure?: (() => Promise<void>) | undefined },
): Promise<void> {
  const { store, clock, settings, owner } = deps;
  let writing: Promise<void> | undefined;
  let lastWriteAt = Number.NEGATIVE_INFINITY;
  let cancelTimer: (() => void) | undefined;
  let lost = false;
  const giveUp = (why: string) => {
    lost = true;
    deps.logger?.warn("durable call given up", { call: run.id, why });
    run.controller.abort(new GatewayError("CANCELLED", why));
    // Whoever waits for a write stops waiting.
    run.commit(run.committed);
  };
  /** Writes what is not written yet, unless a write is in flight (it pumps again when done) or too recent. */
  const pump = (): void => {
    if (writing || lost || cancelTimer || run.committed === run.entries.length) return;
    const wait = lastWriteAt + settings.flushMs - clock.monotonic();
    const last = run.entries.at(-1);
    if (wait > 0 && !(last && isFinal(last))) {
      cancelTimer = clock.after(wait, () => {
        cancelTimer = undefined;
        pump();
      });
      return;
    }
    const upTo = run.entries.length;
    const batch = run.entries.slice(run.committed, upTo).map(encodeEntry);
    const ended = last !== undefined && isFinal(last);
    lastWriteAt = clock.monotonic();
    writing = store.append(run.id, owner, batch, ended, run.ttlMs).then(
      (ok) => {
        writing = undefined;
        if (!ok) return giveUp("another replica took the stream over");
        run.commit(upTo);
        pump();
      },
      (err: unknown) => {
        writing = undefined;
        // Nothing reaches a reader unwritten: the batch is tried again, and the stream waits for the store.
        deps.logger?.warn("durable journal write failed; retrying", { call: run.id, error: String(err) });
        cancelTimer = clock.after(Math.max(settings.flushMs, 50), () => {
          cancelTimer = undefined;
          pump();
        });
      },
    );
  };
  /** Resolves once everything pushed is written (or the call was lost). */
  const drained = async () => {
    while (!lost && run.committed < run.entries.length) {
      pump();
      await (writing ?? run.changed(new AbortController().signal));
    }
  };
  const push = (entry: JournalEntry) => {
    run.entries.push(entry);
    pump();
  };
  let detachedAt: number | undefined;
  let stopBeat: (() => void) | undefined;
  const beat = () => {
    stopBeat = clock.after(Math.max(1, Math.floor(settings.leaseMs / 3)), () => {
      void (async () => {
        const now = clock.now();
        if (!(await store.renew(run.id, owner, now + settings.leaseMs).catch(() => true))) return giveUp("the lease was taken over");
        if (run.readers > 0) detachedAt = undefined;
        else detachedAt ??= now;
        if (detachedAt !== undefined && now - detachedAt >= settings.graceMs) {
          const record = await store.get(run.id).catch(() => undefined);
          if (!record || record.seenUntil < now) {
            run.controller.abort(new GatewayError("CANCELLED", "nobody re-attached to the stream within its grace period"));
            return;
          }
        }
        if (!run.stopped) beat();
      })();
    });
  };
  beat();
  try {
    for await (const event of events) push(event);
    await drained();
  } catch (err) {
    if (run.controller.signal.reason === HANDOVER) {
      // Leaving: what was generated is written and the lease released, so another replica continues at once.
      await drained();
      await store.renew(run.id, owner, 0).catch(() => {});
    } else if (!lost) {
      // Before any reader learns of the failure: a retry it makes at once must not join the failed call.
      await hooks.beforeFailure?.().catch(() => {});
      push(errorEntry(isGatewayError(err) ? err : new GatewayError("INTERNAL", "the stream failed")));
      await drained();
    }
  } finally {
    stopBeat?.();
    cancelTimer?.();
    run.stop();
    hooks.onEnd();
  }
}
