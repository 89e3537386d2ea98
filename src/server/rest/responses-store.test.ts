import { describe, expect, it } from "vitest";
import type { Tenant } from "../../auth/tenants.js";
import type { ChatMessage } from "../../core/types.js";
import { createMemorySessionStore } from "../../sessions/memory-store.js";
import type { SessionStore } from "../../sessions/store.js";
import { manualClock } from "../../../test/support/manual-clock.js";
import { createResponsesStore } from "./responses-store.js";

/** A session store that counts the calls made to it, by method. */
function counted(store: SessionStore): { store: SessionStore; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls[String(key)] = (calls[String(key)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

const tenant = (name: string) => ({ name }) as Tenant;
const settings = { defaultTtlSeconds: 60, maxHistoryMessages: 1000, maxMessagesPerSession: 10_000 };

describe("stored responses", () => {
  it("a follow-up reads two things however long its chain: the record and its messages", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const { store, calls } = counted(createMemorySessionStore(clock));
    const responses = createResponsesStore({ store, clock, settings });
    const ann = tenant("ann");
    let conversation: ChatMessage[] = [];
    let previous = "";
    for (let turn = 0; turn < 50; turn++) {
      if (previous) conversation = await responses.conversation(ann, previous);
      conversation = [...conversation, { role: "user", content: `q${turn}` }, { role: "assistant", content: `a${turn}` }];
      previous = `resp_${turn}`;
      await responses.save(ann, { id: previous, model: "m", object: "response" }, conversation);
    }
    for (const k of Object.keys(calls)) delete calls[k];
    const last = await responses.conversation(ann, previous);
    expect(last).toHaveLength(100);
    expect(last.at(-1)).toEqual({ role: "assistant", content: "a49" });
    expect(calls).toEqual({ get: 1, messages: 1 });
  });

  it("is the tenant's own: another tenant's id, an unknown one and a deleted one read alike as NOT_FOUND", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const responses = createResponsesStore({ store: createMemorySessionStore(clock), clock, settings });
    await responses.save(tenant("ann"), { id: "resp_a", model: "m" }, [{ role: "user", content: "x" }]);
    const reasons = async (who: string, id: string) => {
      try {
        await responses.get(tenant(who), id);
        return "found";
      } catch (err) {
        return (err as { reason: string; metadata: Record<string, string> }).reason;
      }
    };
    expect(await reasons("ann", "resp_a")).toBe("found");
    expect(await reasons("bob", "resp_a")).toBe("NOT_FOUND");
    expect(await reasons("ann", "resp_b")).toBe("NOT_FOUND");
    await responses.delete(tenant("ann"), "resp_a");
    expect(await reasons("ann", "resp_a")).toBe("NOT_FOUND");
  });

  it("keeps responses out of the tenant's session list", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const store = createMemorySessionStore(clock);
    const responses = createResponsesStore({ store, clock, settings });
    await responses.save(tenant("ann"), { id: "resp_a", model: "m" }, [{ role: "user", content: "x" }]);
    const record = await store.get("resp_a");
    expect(record?.unlisted).toBe(true);
    expect((await store.list(record!.owner, 0, 10)).total).toBe(0);
  });
});
