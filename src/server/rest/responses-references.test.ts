import { describe, expect, it } from "vitest";
import type { Tenant } from "../../auth/tenants.js";
import { createMemorySessionStore } from "../../sessions/memory-store.js";
import { manualClock } from "../../../test/support/manual-clock.js";
import { resolveReferences } from "./responses-references.js";
import { createResponsesStore, type ResponsesStore } from "./responses-store.js";

const ann = { name: "ann" } as Tenant;
const hex = "ab".repeat(24);

async function storeWithOneAnswer(): Promise<{ store: ResponsesStore; reads: { conversation: number } }> {
  const clock = manualClock(Date.UTC(2026, 0, 1));
  const settings = { defaultTtlSeconds: 60, maxHistoryMessages: 1000, maxMessagesPerSession: 10_000 };
  const inner = createResponsesStore({ store: createMemorySessionStore(clock), clock, settings });
  await inner.save(ann, { id: `resp_${hex}`, model: "m", object: "response", output: [] }, [
    { role: "user", content: "q" },
    { role: "assistant", content: "a", reasoning: "thought", reasoningSignature: "sig-1" },
  ]);
  const reads = { conversation: 0 };
  const store: ResponsesStore = {
    ...inner,
    conversation: (tenant, id) => {
      reads.conversation++;
      return inner.conversation(tenant, id);
    },
  };
  return { store, reads };
}

describe("item references and unsigned reasoning items", () => {
  it("reads a stored response once however many of its reasoning items the input sends back", async () => {
    const { store, reads } = await storeWithOneAnswer();
    const item = { type: "reasoning", id: `rs_${hex}`, summary: [] };
    const body = await resolveReferences({ input: Array.from({ length: 1000 }, () => item) }, ann, store);
    expect((body["input"] as { encrypted_content?: string }[]).every((i) => i.encrypted_content === "sig-1")).toBe(true);
    expect(reads.conversation).toBe(1);
  });

  it("refuses an input longer than the schema allows before reading any store", async () => {
    const { store, reads } = await storeWithOneAnswer();
    const item = { type: "reasoning", id: `rs_${hex}`, summary: [] };
    await expect(resolveReferences({ input: Array.from({ length: 5000 }, () => item) }, ann, store)).rejects.toMatchObject({
      reason: "INVALID_REQUEST",
      metadata: { field: "input" },
    });
    expect(reads.conversation).toBe(0);
  });
});
