import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminService } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { ServingStatus } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { FinishReason, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";
import { bearer as as, digest } from "../support/auth.js";

const KEYS = { ops: "sk-ops", acme: "sk-acme", thrifty: "sk-thrifty" };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    auth: {
      tenants: [
        { name: "ops", keys: [{ sha256: digest(KEYS.ops) }], admin: true },
        { name: "acme", keys: [{ sha256: digest(KEYS.acme) }], limits: { requestsPerMinute: 100 } },
        // gpt-test costs $2 per million output tokens: 4,096 of them could cost $0.0082.
        { name: "thrifty", keys: [{ sha256: digest(KEYS.thrifty) }], budget: { dailyUsd: 0.005 } },
      ],
    },
  });
});
afterAll(() => h.close());

const completion = (key: string) => createClient(CompletionService, h.rpcTransport({ interceptors: [as(key)] }));
const admin = (key = KEYS.ops) => createClient(AdminService, h.rpcTransport({ interceptors: [as(key)] }));
const ask = (content: string, extra: object = {}) => ({
  model: "gpt-test",
  user: "ann",
  messages: [{ role: Role.USER, content }],
  ...extra,
});

describe("budgets", () => {
  it("admits a call whose max_tokens could pass the daily budget, held to what remains, and settles it to its cost", async () => {
    // 4,096 output tokens could cost more than the $0.005 a day: the call reserves what remains and would be
    // stopped there (test/e2e/stream-budget.test.ts); this short answer costs far less, and is whole.
    const res = await completion(KEYS.thrifty).complete(ask("a long essay, please", { maxTokens: 4096 }));
    expect(res.completion?.finishReason).toBe(FinishReason.STOP);
    const cost = res.completion!.costUsd;
    expect(cost).toBeGreaterThan(0);
    const status = await admin().getTenantStatus({ tenant: "thrifty" });
    expect(status.dailyBudgetUsd).toBe(0.005);
    // The reservation (what remained of the day's budget) was settled to what the call cost.
    expect(status.spentTodayUsd).toBeCloseTo(cost, 6);
  });
});

describe("AdminService", () => {
  it("is for admin keys only", async () => {
    const err = ConnectError.from(
      await admin(KEYS.acme)
        .getSummary({})
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.PermissionDenied);
  });

  it("reports usage by tenant, user, model and day, streamed calls included", async () => {
    await completion(KEYS.acme).complete(ask("one"));
    let text = "";
    for await (const e of completion(KEYS.acme).streamComplete({ ...ask("two"), user: "bob" }))
      if (e.event.case === "delta") text += e.event.value.text;
    expect(text.length).toBeGreaterThan(0);
    const rows = (await admin().getUsage({ tenant: "acme" })).rows;
    const byUser = Object.fromEntries(rows.map((r) => [r.user, r]));
    expect(byUser["ann"]).toMatchObject({ tenant: "acme", model: "gpt-test", requests: 1n, inputTokens: 11n });
    // A stream is counted and costed like a unary call, not as $0.
    expect(byUser["bob"]?.requests).toBe(1n);
    expect(byUser["bob"]?.costUsd).toBeGreaterThan(0);
    expect(byUser["bob"]?.day).toBe(new Date().toISOString().slice(0, 10));
    const bad = ConnectError.from(
      await admin()
        .getUsage({ fromDay: "22/11/2026" })
        .catch((e: unknown) => e),
    );
    expect(bad.code).toBe(Code.InvalidArgument);
  });

  it("shows a tenant's rate-limit windows", async () => {
    await completion(KEYS.acme).complete(ask("three"));
    const status = await admin().getTenantStatus({ tenant: "acme" });
    expect(status.requestsPerMinute).toBe(100n);
    expect(status.requestsLastMinute).toBeGreaterThanOrEqual(1n);
  });

  it("lists providers with their deployments and breakers, and sums today up", async () => {
    const providers = await admin().listProviders({});
    expect(providers.providers.map((p) => p.name).sort()).toEqual([
      "fake-anthropic",
      "fake-openai",
      "fake-openai-native",
      "fake-openai-sdk",
      "local",
    ]);
    expect(providers.deployments.find((d) => d.model === "gpt-test")?.calls).toBeGreaterThan(0n);
    const summary = await admin().getSummary({});
    expect(summary.status).toBe(ServingStatus.SERVING);
    expect(summary.tenants).toBe(3n);
    expect(summary.requestsToday).toBeGreaterThan(0n);
    expect(summary.costTodayUsd).toBeGreaterThan(0);
    expect(summary.openBreakers).toEqual([]);
    expect(summary.cache?.store).toBe("memory");
  });
});
