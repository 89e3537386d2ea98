import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminService } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { type Completion, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { bearer, digest } from "../support/auth.js";
import { answerFor, partialAnswerIn } from "../support/fake-continuation.js";
import { type Harness, startHarness } from "../support/harness.js";

/**
 * A stream cut after its first text and continued on the other deployment, under budget levels: every
 * level settles on what both attempts cost together (the completion's cost), not on the continuation alone
 * nor on the reservation.
 */
const FULL = "The quick brown fox jumps over the lazy dog, and then it runs far away into the green woods.";
const KEYS = { ops: "sk-ops-c", acme: "sk-acme-c" };
const caps = { dailyUsd: 5 };
const auth = {
  tenants: [
    { name: "ops", keys: [{ sha256: digest(KEYS.ops) }], admin: true },
    {
      name: "acme",
      keys: [{ sha256: digest(KEYS.acme), project: "search", budget: caps }],
      budget: caps,
      projects: [{ name: "search", budget: caps }],
      userBudget: caps,
    },
  ],
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ auth, cache: { enabled: false } });
});
afterAll(() => h.close());

describe("a continued stream under budget levels", () => {
  it("settles the tenant, project, key and user levels on the sum of both attempts", async () => {
    const seen: unknown[] = [];
    h.upstream.setScript((req) => {
      seen.push(req);
      if (partialAnswerIn(req.body) === undefined) return { text: FULL, abortAfterChunks: 3 };
      return { text: answerFor(req.body, FULL, 2) };
    });
    const client = createClient(CompletionService, h.rpcTransport({ interceptors: [bearer(KEYS.acme)] }));
    let completion: Completion | undefined;
    let text = "";
    for await (const e of client.streamComplete({ model: "dual", user: "ann", messages: [{ role: Role.USER, content: "Tell me." }] })) {
      if (e.event.case === "delta") text += e.event.value.text;
      if (e.event.case === "completion") completion = e.event.value;
    }
    expect(seen).toHaveLength(2);
    expect(text).toBe(FULL);
    expect(completion?.attempts.map((a) => a.continuation)).toEqual([false, true]);
    const cost = completion!.costUsd;
    expect(cost).toBeGreaterThan(0);
    const admin = createClient(AdminService, h.rpcTransport({ interceptors: [bearer(KEYS.ops)] }));
    const { levels } = await admin.getBudgets({ tenant: "acme", users: ["ann"] });
    const spent = levels.map((l) => [l.level, l.spentTodayUsd]);
    expect(spent.map(([level]) => level)).toEqual(["tenant", "project", "key", "user"]);
    for (const [, usd] of spent) expect(usd).toBeCloseTo(cost, 6);
  });
});
