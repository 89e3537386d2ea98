import { scopeOf } from "../auth/tenants.js";
import type { CallContext } from "../core/call.js";
import type { Catalog } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import { invalidRequest } from "../core/errors.js";
import type { ChatRequest } from "../core/types.js";
import type { RateLimiter } from "../limits/limiter.js";
import { createRateQueue, type RateQueue } from "./rate-queue.js";
import { createSlots, type Slots } from "./slots.js";
import type { QueueObserver, QueueSettings, Ticket } from "./wait-line.js";

/** The priority of a request that sets none and whose key sets none: the middle, so a request may go either way. */
export const DEFAULT_PRIORITY = 5;
export const MAX_PRIORITY = 9;

/** A priority as the caller sent it (a number, or a header's text), checked; undefined when absent. */
export function parsePriority(value: unknown, field = "priority"): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_PRIORITY)
    throw invalidRequest(field, `must be an integer from 0 (served last) to ${MAX_PRIORITY} (served first)`);
  return n;
}

/** Everything that waits on this replica, for HealthService and metrics. */
export interface QueueSnapshot {
  rate: { depth: number; oldestWaitMs: number };
  deployments: { model: string; deploymentId: string; maxConcurrent: number; inFlight: number; depth: number; oldestWaitMs: number }[];
}

/** The gateway's waiting lines: one per limiter key for rate limits, one per capped deployment. */
export interface Queues {
  readonly rate: RateQueue;
  readonly slots: Slots;
  /** Where a call stands: its tenant's flow and weight, and its priority (the request's, else its key's). */
  ticket(request: ChatRequest, call: CallContext): Ticket;
  snapshot(): QueueSnapshot;
}

export function createQueues(deps: {
  settings: QueueSettings;
  limiter: RateLimiter;
  catalog: Catalog;
  clock: Clock;
  observer?: QueueObserver | undefined;
}): Queues {
  const { settings, catalog } = deps;
  const rate = createRateQueue(deps);
  const slots = createSlots(deps);
  return {
    rate,
    slots,
    ticket(request, call) {
      // The flow is whom the rate limit counts: the tenant, or on an open gateway the request's user.
      const flow = scopeOf(call.tenant, request.user);
      const priority = request.priority ?? call.key?.priority ?? DEFAULT_PRIORITY;
      return { flow, weight: settings.weights[flow] ?? 1, priority: Math.min(MAX_PRIORITY, Math.max(0, priority)), call };
    },
    snapshot() {
      const lines = rate.depths();
      return {
        rate: {
          depth: lines.reduce((n, l) => n + l.depth, 0),
          oldestWaitMs: lines.reduce((m, l) => Math.max(m, l.oldestWaitMs), 0),
        },
        deployments: catalog.models.flatMap((m) =>
          m.deployments.flatMap((d) => {
            const s = slots.state(m.name, d);
            return s ? [{ model: m.name, deploymentId: d.id, ...s }] : [];
          }),
        ),
      };
    },
  };
}
