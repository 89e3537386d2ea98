import type { Logger } from "../log.js";
import type { RequestLogStore, RequestRecord } from "./store.js";

/** Takes finished calls' records and writes them behind the calls' backs. */
export interface RequestLogWriter {
  /** Queues a record; never waits, never throws. Past the bound, the record is dropped and counted. */
  write(record: RequestRecord): void;
  /** Counts a record that could not be made as dropped. */
  discard(why: string): void;
  /** Resolves once everything queued before the call has been written (or dropped). */
  flush(): Promise<void>;
  /** Records dropped so far: the queue was full, or the store failed. */
  readonly dropped: number;
}

const BATCH = 256;

/**
 * A bounded queue in front of the store: a call's answer never waits for its
 * record, and a store that is slow or down costs calls nothing. Writes run
 * one batch at a time; what fails to be written is dropped and counted, not
 * retried, so that a store outage cannot grow memory.
 */
export function createRequestLogWriter(options: {
  store: RequestLogStore;
  maxPending: number;
  logger?: Logger | undefined;
  onDropped?: ((n: number) => void) | undefined;
}): RequestLogWriter {
  const { store, maxPending, logger } = options;
  let queue: RequestRecord[] = [];
  let running: Promise<void> | undefined;
  let dropped = 0;
  let warned = false;

  const drop = (n: number, why: string) => {
    dropped += n;
    options.onDropped?.(n);
    // One line per outage, not one per call.
    if (!warned) logger?.warn("request log entries dropped", { count: n, why });
    warned = true;
  };

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.length <= BATCH ? queue : queue.slice(0, BATCH);
      queue = queue.length <= BATCH ? [] : queue.slice(BATCH);
      try {
        await store.append(batch);
        warned = false;
      } catch (err) {
        drop(batch.length, err instanceof Error ? err.message : String(err));
      }
    }
  }

  let scheduled = false;
  const kick = () => {
    scheduled = false;
    running ??= drain().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    write(record) {
      if (queue.length >= maxPending) return drop(1, "queue full");
      queue.push(record);
      // After the current call's own work: the write starts once the event loop is free, once per burst.
      if (!running && !scheduled) {
        scheduled = true;
        setImmediate(kick);
      }
    },
    discard: (why) => drop(1, why),
    async flush() {
      while (queue.length > 0 || running) await kick();
    },
    get dropped() {
      return dropped;
    },
  };
}
