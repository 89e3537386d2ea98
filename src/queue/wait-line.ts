import { callAbortedError, type CallContext } from "../core/call.js";
import type { Clock } from "../core/clock.js";
import type { GatewayError } from "../core/errors.js";
import { FairQueue, type Queued } from "./fair-queue.js";

/** How queueing behaves: config `queue` (src/config/queue.ts). */
export interface QueueSettings {
  /** Off: a call over a limit is refused at once, as before queueing existed. */
  enabled: boolean;
  /** The longest a call with no deadline waits. */
  maxWaitMs: number;
  /** The most calls one line holds; past it a call is refused at once, so that nothing grows without bound. */
  maxDepth: number;
  /** Time a call still needs after leaving the line to be answered: it must leave at least this long before its deadline. */
  reserveMs: number;
  /** Each tenant's weight (default 1). */
  weights: Readonly<Record<string, number>>;
}

/** Who waits, and how: its flow, weight and priority in the fair order, and its call. */
export interface Ticket extends Queued {
  call: CallContext;
}

/** How a line's waits ended, for metrics. */
export type WaitOutcome = "admitted" | "refused" | "cancelled";

/** Hears of every line's depth and every wait's end. */
export interface QueueObserver {
  waited(kind: string, seconds: number, outcome: WaitOutcome): void;
}

/** How a wait ended, unless the caller cancelled (which rejects with the caller's error). */
export type Verdict = { granted: true } | { granted: false; retryAfterMs: number };

/** One waiting call. */
export interface Entry<X> extends Queued {
  readonly data: X;
  readonly call: CallContext;
  /** The Clock.monotonic() reading by which it must leave the line to be served in time. */
  readonly grantBy: number;
  readonly enqueuedAt: number;
  settled: boolean;
  resolve(verdict: Verdict): void;
  reject(error: GatewayError): void;
}

/**
 * The moment (a Clock.monotonic() reading) by which a call must leave the
 * line: its deadline less the reserve, or, with no deadline, the longest
 * wait the configuration allows.
 */
export function grantByOf(call: CallContext, settings: QueueSettings, now: number): number {
  return call.deadlineAt === undefined ? now + settings.maxWaitMs : call.deadlineAt - settings.reserveMs;
}

/**
 * A fair line of waiting calls with their endings handled: a call whose
 * caller cancels leaves at once (with the caller's error, which is nobody
 * else's failure), and a call still waiting when it must leave to be served
 * in time is refused then, never later.
 */
export class WaitLine<X> {
  private readonly queue = new FairQueue<Entry<X>>();

  constructor(
    private readonly clock: Clock,
    readonly kind: string,
    private readonly observer: QueueObserver | undefined,
    /** For a call that can no longer be served in time: when to try again, as far as the line can tell. */
    private readonly retryAfterMs: (entry: Entry<X>) => number,
  ) {}

  get size(): number {
    return this.queue.size;
  }

  /** The time the longest-waiting call has waited, in ms; 0 when none waits. */
  oldestWaitMs(now: number): number {
    let oldest = now;
    for (const e of this.queue.order()) oldest = Math.min(oldest, e.enqueuedAt);
    return now - oldest;
  }

  /** Joins the line; settles when granted or out of time, rejects when the caller cancels. */
  join(ticket: Ticket, grantBy: number, data: X): { entry: Entry<X>; verdict: Promise<Verdict> } {
    const { call } = ticket;
    const enqueuedAt = this.clock.monotonic();
    let resolve!: (v: Verdict) => void;
    let reject!: (e: GatewayError) => void;
    const verdict = new Promise<Verdict>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const onAbort = () => this.end(entry, "cancelled", callAbortedError(call, this.clock));
    const cancelTimer = this.clock.after(Math.max(0, grantBy - enqueuedAt), () => this.end(entry, "refused"));
    const done = () => {
      entry.settled = true;
      cancelTimer();
      call.signal.removeEventListener("abort", onAbort);
    };
    const entry: Entry<X> = {
      flow: ticket.flow,
      weight: ticket.weight,
      priority: ticket.priority,
      data,
      call,
      grantBy,
      enqueuedAt,
      settled: false,
      resolve: (v) => {
        done();
        resolve(v);
      },
      reject: (e) => {
        done();
        reject(e);
      },
    };
    call.signal.addEventListener("abort", onAbort, { once: true });
    this.queue.push(entry);
    if (call.signal.aborted) onAbort();
    return { entry, verdict };
  }

  peek(): Entry<X> | undefined {
    return this.queue.peek();
  }

  /** Lets a waiting call through (the next one unless named); false if it had already left. */
  grant(entry: Entry<X> | undefined = this.queue.peek()): boolean {
    if (!entry || entry.settled || !this.queue.serve(entry)) return false;
    this.observer?.waited(this.kind, (this.clock.monotonic() - entry.enqueuedAt) / 1000, "admitted");
    entry.resolve({ granted: true });
    return true;
  }

  /** Refuses a waiting call (it cannot be served in time), saying when to try again. */
  refuse(entry: Entry<X>, retryAfterMs?: number): void {
    this.end(entry, "refused", undefined, retryAfterMs);
  }

  /** How many would be served before `entry`. */
  ahead(entry: Entry<X>): number {
    return this.queue.ahead(entry);
  }

  entries(): Generator<Entry<X>> {
    return this.queue.order();
  }

  private end(entry: Entry<X>, outcome: WaitOutcome, error?: GatewayError, retryAfterMs?: number): void {
    if (entry.settled || !this.queue.remove(entry)) return;
    this.observer?.waited(this.kind, (this.clock.monotonic() - entry.enqueuedAt) / 1000, outcome);
    if (error) entry.reject(error);
    else entry.resolve({ granted: false, retryAfterMs: Math.max(1, Math.ceil(retryAfterMs ?? this.retryAfterMs(entry))) });
  }
}
