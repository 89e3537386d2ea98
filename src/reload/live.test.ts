import { describe, expect, it } from "vitest";
import type { CallContext } from "../core/call.js";
import type { ChatRequest, ChatStreamEvent } from "../core/types.js";
import type { Gateway } from "../pipeline/pipeline.js";
import { createGenerations, type Generation, live, liveGateway } from "./live.js";

/** A generation whose gateway answers with its own name, and streams when `release` is called. */
function generation(name: string) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const gateway = {
    catalog: { models: [], defaultModel: name, resolve: () => ({ name }) },
    complete: async () => ({ name }),
    async *stream(): AsyncIterable<ChatStreamEvent> {
      await released;
      yield { type: "delta", text: name } as ChatStreamEvent;
    },
    resolveModel: () => ({ name }),
  } as unknown as Gateway;
  return { g: { gateway, config: {} } as unknown as Generation, release };
}

const call = (): CallContext => ({ signal: new AbortController().signal, requestId: "r", receivedAt: 0 });
const request = {} as ChatRequest;

describe("generations", () => {
  it("pins a call to the generation it started on, and drains the old one when its calls end", async () => {
    const one = generation("one");
    const two = generation("two");
    const gens = createGenerations(one.g);
    const gw = liveGateway(gens);
    const c = call();
    expect((gw.resolveModel("m", c) as unknown as { name: string }).name).toBe("one");
    const it = gw.stream(request, c)[Symbol.asyncIterator]();
    const first = it.next();
    gens.swap(two.g);
    // The same call, after the swap: still the first generation.
    expect((gw.resolveModel("m", c) as unknown as { name: string }).name).toBe("one");
    // A new call: the second.
    expect((gw.resolveModel("m", call()) as unknown as { name: string }).name).toBe("two");
    expect(gw.catalog.defaultModel).toBe("two");
    let drained = false;
    const draining = gens.drained(one.g).then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    one.release();
    expect((await first).value).toEqual({ type: "delta", text: "one" });
    expect((await it.next()).done).toBe(true);
    await draining;
    expect(drained).toBe(true);
  });

  it("does not drain the serving generation", async () => {
    const one = generation("one");
    const gens = createGenerations(one.g);
    let drained = false;
    void gens.drained(one.g).then(() => (drained = true));
    gens.enter(one.g)();
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(false);
  });

  it("reads through to whatever is current, methods bound to their object", () => {
    let target = {
      n: 1,
      get: function (this: { n: number }) {
        return this.n;
      },
    };
    const view = live(() => target);
    expect(view.get()).toBe(1);
    target = { n: 2, get: target.get };
    expect(view.n).toBe(2);
    expect(view.get()).toBe(2);
  });
});
