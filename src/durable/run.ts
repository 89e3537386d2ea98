import type { Clock } from "../core/clock.js";
import { GatewayError, isGatewayError } from "../core/errors.js";
import type { ChatStreamEvent } from "../core/types.js";
import type { Logger } from "../log.js";
import { encodeEntry, errorEntry, type JournalEntry } from "./journal.js";
import type { DurableStore } from "./store.js";

/** How a replica runs its durable calls. */
export interface RunSettings {
  /** How long a call nobody reads keeps generating before it is aborted upstream. */
  graceMs: number;
  /** How long an owner's lease holds without renewal; renewed every third of it. */
  leaseMs: number;
  /** Events are written to the store in batches, at most this long after the first of a batch. */
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
 * took the call), kept here for readers on this replica so they need not wait for the store, and
 * written to the store in batches for readers elsewhere.
 */
export class LocalRun {
  readonly entries: JournalEntry[] = [];
  /** No more entries will come: the call ended, or this replica gave it up. */
  stopped = false;
  /** Readers attached on this replica. */
  readers = 0;
  private waiters = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly base: number,
    readonly controller: AbortController,
  ) {}

  push(entry: JournalEntry): void {
    this.entries.push(entry);
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  /** Resolves when an entry comes or the run stops. */
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
 */
export async function generate(run: LocalRun, events: AsyncIterable<ChatStreamEvent>, deps: RunDeps, onEnd: () => void): Promise<void> {
  const { store, clock, settings, owner } = deps;
  let pending: string[] = [];
  let writes: Promise<unknown> = Promise.resolve();
  let cancelFlush: (() => void) | undefined;
  let lost = false;
  const flush = (ended: boolean) => {
    cancelFlush?.();
    cancelFlush = undefined;
    const batch = pending;
    pending = [];
    writes = writes.then(async () => {
      if (lost || (batch.length === 0 && !ended)) return;
      const ok = await store.append(run.id, owner, batch, ended, settings.ttlMs).catch((err: unknown) => {
        deps.logger?.warn("durable journal write failed", { call: run.id, error: String(err) });
        return true;
      });
      if (!ok) giveUp("another replica took the stream over");
    });
    return writes;
  };
  const giveUp = (why: string) => {
    lost = true;
    deps.logger?.warn("durable call given up", { call: run.id, why });
    run.controller.abort(new GatewayError("CANCELLED", why));
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
    for await (const event of events) {
      const entry: JournalEntry = event;
      run.push(entry);
      pending.push(encodeEntry(entry));
      if (event.type === "done") await flush(true);
      else cancelFlush ??= clock.after(settings.flushMs, () => void flush(false));
    }
  } catch (err) {
    if (run.controller.signal.reason === HANDOVER) {
      // Leaving: what was generated is written and the lease released, so another replica continues at once.
      await flush(false);
      await store.renew(run.id, owner, 0).catch(() => {});
    } else if (!lost) {
      const error = isGatewayError(err) ? err : new GatewayError("INTERNAL", "the stream failed");
      run.push(errorEntry(error));
      pending.push(encodeEntry(errorEntry(error)));
      await flush(true);
    }
  } finally {
    stopBeat?.();
    cancelFlush?.();
    await writes.catch(() => {});
    run.stop();
    onEnd();
  }
}
