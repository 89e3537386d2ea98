/**
 * Request coalescing: identical calls in flight at the same time share one
 * run. The run has its own signal, aborted only when every caller waiting on
 * it has gone, so that one caller cancelling does not cancel the others.
 */
export interface Flights {
  /**
   * Joins the unary run under `key`, or starts one. Rejects with the
   * caller's `signal.reason` if the caller goes first. `linger` keeps the run
   * joinable after it settles (while its answer is being stored).
   */
  unary<T>(
    key: string,
    signal: AbortSignal,
    start: (signal: AbortSignal) => Promise<T>,
    linger?: (value: T) => Promise<void>,
  ): Promise<Joined<T>>;
  /**
   * Joins the streamed run under `key`, or starts one. Every member reads
   * every event from the first, at its own pace; the source is read no faster
   * than the fastest member asks, so a lone caller keeps its backpressure.
   */
  stream<E>(
    key: string,
    signal: AbortSignal,
    start: (signal: AbortSignal) => AsyncIterable<E>,
  ): { leader: boolean; events: AsyncIterable<E> };
  /** Runs in flight now, unary and streamed. */
  readonly size: number;
}

export interface Joined<T> {
  value: T;
  /** True for the caller whose call started the run. */
  leader: boolean;
}

interface UnaryRun {
  promise: Promise<unknown>;
  controller: AbortController;
  members: number;
  settled: boolean;
}

/** Resolves with `promise`, or rejects as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** One streamed run, read on demand and replayed to each member from a shared buffer. */
class Broadcast<E> {
  readonly controller = new AbortController();
  private readonly events: E[] = [];
  private done = false;
  private failed = false;
  private error: unknown;
  private pulling: Promise<void> | undefined;
  private readonly source: AsyncIterator<E>;
  members = 0;

  constructor(
    start: (signal: AbortSignal) => AsyncIterable<E>,
    private readonly onEnd: () => void,
  ) {
    this.source = start(this.controller.signal)[Symbol.asyncIterator]();
  }

  private pull(): Promise<void> {
    this.pulling ??= this.source.next().then(
      (r) => {
        this.pulling = undefined;
        if (r.done) this.finish();
        else this.events.push(r.value);
      },
      (err: unknown) => {
        this.pulling = undefined;
        this.failed = true;
        this.error = err;
        this.finish();
      },
    );
    return this.pulling;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.onEnd();
  }

  async *subscribe(signal: AbortSignal): AsyncGenerator<E> {
    this.members += 1;
    try {
      for (let i = 0; ; ) {
        if (i < this.events.length) {
          yield this.events[i++]!;
        } else if (this.done) {
          if (this.failed) throw this.error;
          return;
        } else {
          await untilAborted(this.pull(), signal);
        }
      }
    } finally {
      this.members -= 1;
      if (this.members === 0 && !this.done) {
        // Nobody is left to read: stop the upstream and let the source close.
        this.controller.abort(new Error("every caller of a coalesced stream has gone"));
        this.finish();
        this.source.return?.().catch(() => {});
      }
    }
  }
}

export function createFlights(): Flights {
  const unaryRuns = new Map<string, UnaryRun>();
  const streamRuns = new Map<string, Broadcast<unknown>>();

  return {
    get size() {
      return unaryRuns.size + streamRuns.size;
    },

    async unary<T>(key: string, signal: AbortSignal, start: (signal: AbortSignal) => Promise<T>, linger?: (value: T) => Promise<void>) {
      let run = unaryRuns.get(key);
      let leader = false;
      if (!run) {
        leader = true;
        const controller = new AbortController();
        const created: UnaryRun = { controller, members: 0, settled: false, promise: Promise.resolve() };
        created.promise = start(controller.signal);
        const leave = () => {
          if (unaryRuns.get(key) === created) unaryRuns.delete(key);
        };
        created.promise.then(
          (v) => {
            created.settled = true;
            if (linger) linger(v as T).then(leave, leave);
            else leave();
          },
          () => {
            created.settled = true;
            leave();
          },
        );
        unaryRuns.set(key, created);
        run = created;
      }
      const joined = run;
      joined.members += 1;
      try {
        return { value: (await untilAborted(joined.promise, signal)) as T, leader };
      } finally {
        joined.members -= 1;
        if (joined.members === 0 && !joined.settled) {
          joined.controller.abort(new Error("every caller of a coalesced call has gone"));
          if (unaryRuns.get(key) === joined) unaryRuns.delete(key);
        }
      }
    },

    stream<E>(key: string, signal: AbortSignal, start: (signal: AbortSignal) => AsyncIterable<E>) {
      let run = streamRuns.get(key) as Broadcast<E> | undefined;
      const leader = run === undefined;
      if (!run) {
        const created: Broadcast<E> = new Broadcast<E>(start, () => {
          if (streamRuns.get(key) === created) streamRuns.delete(key);
        });
        streamRuns.set(key, created as Broadcast<unknown>);
        run = created;
      }
      return { leader, events: run.subscribe(signal) };
    },
  };
}
