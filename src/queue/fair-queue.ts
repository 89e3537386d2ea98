/** What the fair order needs of a waiting call. */
export interface Queued {
  /** Who shares fairly: the tenant (on an open gateway, the caller's user). */
  flow: string;
  /** The flow's share relative to the others while both wait: 2 is served twice as often as 1. */
  weight: number;
  /** Higher first, within its flow only: a flow cannot use priority to pass another flow. */
  priority: number;
}

interface Flow<W> {
  waiters: { w: W; seq: number }[];
  weight: number;
  /** The virtual finish time of the flow's head. */
  finish: number;
  /** When that time was given it: of two equal times, the older goes first. */
  stamp: number;
}

/**
 * A weighted-fair queue (start-time fair queueing over flows): each flow's
 * head carries a virtual finish time, the head with the smallest is served
 * next, and serving moves the queue's virtual time to it. A flow that was
 * idle starts from the virtual time now, so waiting nothing earns no credit.
 * Two backlogged flows of weights 2 and 1 are served 2:1; within a flow,
 * higher priority goes first, then arrival order.
 */
export class FairQueue<W extends Queued> {
  private readonly flows = new Map<string, Flow<W>>();
  private virtual = 0;
  private seq = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(w: W): void {
    let flow = this.flows.get(w.flow);
    if (!flow) {
      flow = { waiters: [], weight: w.weight, finish: this.virtual + 1 / w.weight, stamp: this.seq };
      this.flows.set(w.flow, flow);
    }
    const entry = { w, seq: this.seq++ };
    // Sorted by priority (higher first), then arrival; queues are bounded, so a linear insert is fine.
    let i = flow.waiters.length;
    while (i > 0 && flow.waiters[i - 1]!.w.priority < w.priority) i--;
    flow.waiters.splice(i, 0, entry);
    this.count++;
  }

  /** The waiter served next, without serving it. */
  peek(): W | undefined {
    return this.nextFlow()?.waiters[0]?.w;
  }

  /** Serves a waiter (normally the one peek() gave): removes it and advances virtual time; false if it was not queued. */
  serve(w: W): boolean {
    const flow = this.flows.get(w.flow);
    const i = flow ? flow.waiters.findIndex((e) => e.w === w) : -1;
    if (!flow || i < 0) return false;
    flow.waiters.splice(i, 1);
    this.count--;
    this.virtual = Math.max(this.virtual, flow.finish);
    if (flow.waiters.length === 0) this.flows.delete(w.flow);
    else {
      flow.finish += 1 / flow.weight;
      flow.stamp = this.seq++;
    }
    return true;
  }

  /** Takes a waiter out (cancelled, or refused) without serving it; false if it was not queued. */
  remove(w: W): boolean {
    const flow = this.flows.get(w.flow);
    const i = flow ? flow.waiters.findIndex((e) => e.w === w) : -1;
    if (!flow || i < 0) return false;
    flow.waiters.splice(i, 1);
    this.count--;
    if (flow.waiters.length === 0) this.flows.delete(w.flow);
    return true;
  }

  /** How many waiters would be served before `w`, counting in the fair order. */
  ahead(w: W): number {
    let n = 0;
    for (const x of this.order()) {
      if (x === w) return n;
      n++;
    }
    return n;
  }

  /** Every waiter, in the order they would be served if nobody joined. */
  *order(): Generator<W> {
    const cursors = [...this.flows.values()].map((f) => ({ f, i: 0, finish: f.finish, stamp: f.stamp }));
    let seq = this.seq;
    for (;;) {
      let best: (typeof cursors)[number] | undefined;
      for (const c of cursors) {
        if (c.i < c.f.waiters.length && (!best || before(c, best))) best = c;
      }
      if (!best) return;
      yield best.f.waiters[best.i++]!.w;
      best.finish += 1 / best.f.weight;
      best.stamp = seq++;
    }
  }

  private nextFlow(): Flow<W> | undefined {
    let best: Flow<W> | undefined;
    for (const f of this.flows.values()) if (!best || before(f, best)) best = f;
    return best;
  }
}

const before = (a: { finish: number; stamp: number }, b: { finish: number; stamp: number }) =>
  a.finish < b.finish || (a.finish === b.finish && a.stamp < b.stamp);
