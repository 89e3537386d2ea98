import type { Clock } from "../core/clock.js";
import { HOUR_MS, MINUTE_MS, type Admission, type LimitSettings, type RateLimiter, type Reservation } from "../limits/limiter.js";
import { grantByOf, type QueueObserver, type QueueSettings, type Ticket, WaitLine } from "./wait-line.js";

type Refused = Extract<Admission, { admitted: false }>;

interface Pending {
  tokens: number;
  limits: LimitSettings;
  reservation?: Reservation;
}

interface Line {
  line: WaitLine<Pending>;
  /** When the limiter said capacity returns (a Clock.monotonic() reading), and for which limit. */
  nextTryAt: number;
  limit: Refused["limit"];
  cancelTimer: (() => void) | undefined;
  pumping: boolean;
}

/** Calls over their caller's rate limit, waiting for it to allow them. */
export interface RateQueue {
  /**
   * Admits the call, at once or after waiting its turn; refused (with the
   * expected wait as the retry delay) only when the wait would outlive its
   * deadline or the line is full. Rejects with the caller's own error if it
   * cancels while waiting.
   */
  admit(key: string, estimatedTokens: number, limits: LimitSettings, ticket: Ticket): Promise<Admission>;
  /** Calls waiting now, per limiter key. */
  depths(): { key: string; depth: number; oldestWaitMs: number }[];
}

/**
 * Waiting for rate limits: one fair line per limiter key (a tenant, or on an
 * open gateway a user), served in turn as the limiter lets calls through. The
 * limiter's retry delay says when to ask again; nothing polls faster. With a
 * Redis limiter the limit is shared by every replica but each replica has its
 * own line, so the order is fair per replica.
 */
export function createRateQueue(deps: {
  limiter: RateLimiter;
  clock: Clock;
  settings: QueueSettings;
  observer?: QueueObserver | undefined;
}): RateQueue {
  const { limiter, clock, settings } = deps;
  const lines = new Map<string, Line>();

  function lineOf(key: string, refused: Refused): Line {
    let l = lines.get(key);
    if (!l) {
      const line = new WaitLine<Pending>(clock, "rate", deps.observer, (e) => estimateMs(l!, e.data.limits, l!.line.ahead(e)));
      l = { line, nextTryAt: 0, limit: refused.limit, cancelTimer: undefined, pumping: false };
      lines.set(key, l);
    }
    l.nextTryAt = clock.monotonic() + refused.retryAfterMs;
    l.limit = refused.limit;
    return l;
  }

  /**
   * The least a call with `ahead` calls before it will wait: the limiter's
   * retry delay, plus a whole window for every full window's worth ahead of it
   * (no window admits more than its limit). A lower bound, so a call refused on
   * it could not have been served in time; one that passes may still be
   * refused later, when its time is up, never after its deadline.
   */
  function estimateMs(l: Line, limits: LimitSettings, ahead: number): number {
    let wait = Math.max(0, l.nextTryAt - clock.monotonic());
    if (limits.requestsPerMinute !== undefined) wait += Math.floor(ahead / limits.requestsPerMinute) * MINUTE_MS;
    if (limits.requestsPerHour !== undefined) wait = Math.max(wait, Math.floor(ahead / limits.requestsPerHour) * HOUR_MS);
    return wait;
  }

  function schedule(key: string, l: Line): void {
    if (l.cancelTimer || l.pumping) return;
    l.cancelTimer = clock.after(Math.max(0, l.nextTryAt - clock.monotonic()), () => {
      l.cancelTimer = undefined;
      void pump(key, l);
    });
  }

  /** Lets waiting calls through while the limiter admits them, then sleeps until it says capacity returns. */
  async function pump(key: string, l: Line): Promise<void> {
    l.pumping = true;
    try {
      for (let head = l.line.peek(); head; head = l.line.peek()) {
        let a: Admission;
        try {
          a = await limiter.admit(key, head.data.tokens, head.data.limits);
        } catch {
          // The store failed (its failure policy already spoke): try again shortly rather than strand the line.
          l.nextTryAt = clock.monotonic() + 1000;
          break;
        }
        if (!a.admitted) {
          l.nextTryAt = clock.monotonic() + a.retryAfterMs;
          l.limit = a.limit;
          refuseHopeless(l);
          break;
        }
        if (head.settled) {
          // It left (cancelled, or out of time) while the limiter answered: the tokens go back.
          a.reservation.reconcile(0).catch(() => {});
          continue;
        }
        head.data.reservation = a.reservation;
        l.line.grant(head);
      }
    } finally {
      l.pumping = false;
    }
    if (l.line.size > 0) schedule(key, l);
    else if (lines.get(key) === l) lines.delete(key);
  }

  /** Refuses, at once, the waiting calls that could not be served before their time is up. */
  function refuseHopeless(l: Line): void {
    const now = clock.monotonic();
    let ahead = 0;
    for (const e of [...l.line.entries()]) {
      const wait = estimateMs(l, e.data.limits, ahead);
      if (now + wait > e.grantBy) l.line.refuse(e, wait);
      else ahead++;
    }
  }

  return {
    async admit(key, estimatedTokens, limits, ticket) {
      const waiting = lines.get(key);
      if (!waiting || waiting.line.size === 0 || !settings.enabled) {
        const a = await limiter.admit(key, estimatedTokens, limits);
        if (a.admitted || !settings.enabled) return a;
        lineOf(key, a);
      }
      const l = lines.get(key)!;
      const now = clock.monotonic();
      const refusal = (retryAfterMs: number): Admission => ({
        admitted: false,
        limit: l.limit,
        retryAfterMs: Math.max(1, Math.ceil(retryAfterMs)),
      });
      if (l.line.size >= settings.maxDepth) return refusal(estimateMs(l, limits, l.line.size));
      const grantBy = grantByOf(ticket.call, settings, now);
      const { entry, verdict } = l.line.join(ticket, grantBy, { tokens: estimatedTokens, limits });
      const wait = estimateMs(l, limits, l.line.ahead(entry));
      if (now + wait > grantBy) l.line.refuse(entry, wait);
      else schedule(key, l);
      const v = await verdict;
      if (!v.granted) return refusal(v.retryAfterMs);
      return { admitted: true, reservation: entry.data.reservation! };
    },
    depths() {
      const now = clock.monotonic();
      return [...lines].map(([key, l]) => ({ key, depth: l.line.size, oldestWaitMs: l.line.oldestWaitMs(now) }));
    },
  };
}
