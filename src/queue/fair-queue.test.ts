import { describe, expect, it } from "vitest";
import { FairQueue, type Queued } from "./fair-queue.js";

type W = Queued & { id: string };
const w = (flow: string, id: string, weight = 1, priority = 5): W => ({ flow, weight, priority, id });

function drain(q: FairQueue<W>): string[] {
  const out: string[] = [];
  for (let x = q.peek(); x; x = q.peek()) {
    expect(q.serve(x)).toBe(true);
    out.push(x.id);
  }
  return out;
}

describe("FairQueue", () => {
  it("serves two backlogged flows of weights 2 and 1 two to one, and says the same order before serving", () => {
    const q = new FairQueue<W>();
    for (let i = 0; i < 30; i++) q.push(w("b", `b${i}`, 1));
    for (let i = 0; i < 30; i++) q.push(w("a", `a${i}`, 2));
    const planned = [...q.order()].map((x) => x.id);
    const served = drain(q);
    expect(served).toEqual(planned);
    // While both wait (the first 45 served: 30 of a, 15 of b), every window of 3 holds 2 of a and 1 of b.
    const both = served.slice(0, 45);
    expect(both.filter((id) => id.startsWith("a"))).toHaveLength(30);
    for (let i = 0; i + 3 <= 45; i += 3) expect(both.slice(i, i + 3).filter((id) => id.startsWith("a"))).toHaveLength(2);
    // Within a flow, arrival order.
    expect(served.filter((id) => id.startsWith("b"))).toEqual(Array.from({ length: 30 }, (_, i) => `b${i}`));
  });

  it("puts a higher priority first within its flow, but never ahead of another flow's turn", () => {
    const q = new FairQueue<W>();
    q.push(w("a", "a1"));
    q.push(w("a", "a2"));
    q.push(w("b", "b1"));
    q.push(w("a", "urgent", 1, 9));
    expect(drain(q)).toEqual(["urgent", "b1", "a1", "a2"]);
  });

  it("gives a flow that was idle no credit for the time it did not wait", () => {
    const q = new FairQueue<W>();
    for (let i = 0; i < 10; i++) q.push(w("a", `a${i}`));
    // a is served alone for a while...
    for (let i = 0; i < 6; i++) q.serve(q.peek()!);
    // ...then b arrives: it shares from now on, rather than being owed the six turns it was not there for.
    for (let i = 0; i < 4; i++) q.push(w("b", `b${i}`));
    expect(drain(q)).toEqual(["a6", "b0", "a7", "b1", "a8", "b2", "a9", "b3"]);
  });

  it("forgets a removed waiter, counts what is ahead, and keeps its size", () => {
    const q = new FairQueue<W>();
    const x = w("a", "x");
    const y = w("a", "y");
    const z = w("b", "z");
    q.push(x);
    q.push(y);
    q.push(z);
    expect(q.size).toBe(3);
    expect(q.ahead(y)).toBe(2);
    expect(q.remove(x)).toBe(true);
    expect(q.remove(x)).toBe(false);
    expect(q.size).toBe(2);
    // x's turn passes to y, the next of its flow.
    expect(q.ahead(y)).toBe(0);
    expect(drain(q)).toEqual(["y", "z"]);
  });
});
