import type { Deployment } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import { grantByOf, type QueueObserver, type QueueSettings, type Ticket, type Verdict, WaitLine } from "./wait-line.js";

/** A held place among a deployment's concurrent calls; released once when the attempt ends. */
export interface Slot {
  release(): void;
}

/** A deployment's concurrency, now. */
export interface SlotState {
  inFlight: number;
  maxConcurrent: number;
  depth: number;
  oldestWaitMs: number;
}

/**
 * Per-deployment concurrency caps (`maxConcurrent` on a model's deployment),
 * per replica: each replica holds its own count, so N replicas let up to N×cap
 * through. A call finding every slot taken waits in a fair line for one to
 * free, while its deadline allows.
 */
export interface Slots {
  /** A slot, after waiting if need be; or the refusal with the expected wait. Uncapped deployments always get one. */
  acquire(model: string, d: Deployment, ticket: Ticket): Promise<{ slot: Slot } | { slot?: undefined; retryAfterMs: number }>;
  /** A slot now, or undefined when all are taken (a hedge never waits). */
  tryAcquire(model: string, d: Deployment): Slot | undefined;
  state(model: string, d: Deployment): SlotState | undefined;
}

interface Pool {
  max: number;
  inFlight: number;
  line: WaitLine<undefined>;
  /** Moving average of how long a slot is held, in ms: what a waiting call's expected wait is made of. */
  meanHoldMs: number;
}

const FREE: Slot = { release() {} };
// The weight of the newest hold time in the moving average.
const ALPHA = 0.2;

export function createSlots(deps: { clock: Clock; settings: QueueSettings; observer?: QueueObserver | undefined }): Slots {
  const { clock, settings } = deps;
  const pools = new Map<string, Pool>();

  function poolOf(model: string, d: Deployment): Pool | undefined {
    if (d.maxConcurrent === undefined) return undefined;
    const key = `${model}\u0000${d.id}`;
    let p = pools.get(key);
    if (!p) {
      const pool: Pool = {
        max: d.maxConcurrent,
        inFlight: 0,
        meanHoldMs: 0,
        line: new WaitLine<undefined>(clock, "deployment", deps.observer, (e) => expectedMs(pool, pool.line.ahead(e))),
      };
      pools.set(key, (p = pool));
    } else if (p.max !== d.maxConcurrent) {
      // A reload changed the cap: the pool (and its waiting line) outlives the reload, its bound must not.
      p.max = d.maxConcurrent;
      drain(p);
    }
    return p;
  }

  /** Hands free slots straight to waiting calls, so that a newcomer cannot take one first. */
  function drain(p: Pool): void {
    while (p.inFlight < p.max && p.line.size > 0) {
      p.inFlight++;
      if (!p.line.grant()) p.inFlight--;
    }
  }

  /** The expected wait with `ahead` calls before it: slots free at `max` per mean hold time. */
  const expectedMs = (p: Pool, ahead: number) => ((ahead + 1) / p.max) * p.meanHoldMs;

  function slotIn(p: Pool): Slot {
    const since = clock.monotonic();
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        const held = clock.monotonic() - since;
        p.meanHoldMs = p.meanHoldMs === 0 ? held : p.meanHoldMs + ALPHA * (held - p.meanHoldMs);
        p.inFlight--;
        drain(p);
      },
    };
  }

  function take(p: Pool): Slot | undefined {
    if (p.inFlight >= p.max || p.line.size > 0) return undefined;
    p.inFlight++;
    return slotIn(p);
  }

  return {
    async acquire(model, d, ticket) {
      const p = poolOf(model, d);
      if (!p) return { slot: FREE };
      const now = clock.monotonic();
      const slot = take(p);
      if (slot) return { slot };
      if (!settings.enabled || p.line.size >= settings.maxDepth)
        return { retryAfterMs: Math.max(1, Math.ceil(expectedMs(p, p.line.size))) };
      const grantBy = grantByOf(ticket.call, settings, now);
      const { entry, verdict } = p.line.join(ticket, grantBy, undefined);
      const wait = expectedMs(p, p.line.ahead(entry));
      if (now + wait > grantBy) p.line.refuse(entry, wait);
      const v: Verdict = await verdict;
      // A granted call's slot was counted for it when the line let it through.
      return v.granted ? { slot: slotIn(p) } : { retryAfterMs: v.retryAfterMs };
    },
    tryAcquire(model, d) {
      const p = poolOf(model, d);
      return p ? take(p) : FREE;
    },
    state(model, d) {
      const p = poolOf(model, d);
      if (!p) return undefined;
      return { inFlight: p.inFlight, maxConcurrent: p.max, depth: p.line.size, oldestWaitMs: p.line.oldestWaitMs(clock.monotonic()) };
    },
  };
}
