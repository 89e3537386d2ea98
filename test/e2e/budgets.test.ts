import http from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { AdminService } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { bearer } from "../support/auth.js";
import { startHarness, type Harness } from "../support/harness.js";
import { redisForFile } from "../support/redis.js";

const redis = redisForFile();

// Every call costs exactly what it reserves: input is free, output is $1 a token, max_tokens is 3 and the
// fake upstream answers three words (three tokens). A daily cap of $12 so fits exactly 4 calls.
const COST = 3;
const CAP = 12;
const FITS = CAP / COST;
const CALLS = 10;
const metered = {
  name: "metered",
  provider: "fake-openai",
  upstreamModel: "gpt-4o-mini",
  pricing: { inputPerMillion: 0, outputPerMillion: 1e6 },
};

const env = { K_TENANT: "key-tenant", K_PROJECT: "key-project", K_KEY: "key-key", K_USER: "key-user", K_ADMIN: "key-admin" };
const daily = { dailyUsd: CAP };
const auth = {
  tenants: [
    { name: "t-tenant", keys: [{ env: "K_TENANT" }], budget: daily },
    { name: "t-project", keys: [{ env: "K_PROJECT", project: "search" }], projects: [{ name: "search", budget: daily }] },
    { name: "t-key", keys: [{ env: "K_KEY", budget: daily }] },
    { name: "t-user", keys: [{ env: "K_USER" }], userBudget: daily },
    { name: "ops", keys: [{ env: "K_ADMIN" }], admin: true },
  ],
};

/** Two gateways sharing one Redis for their budget counters. */
async function replicas(budgets?: Record<string, unknown>): Promise<[Harness, Harness]> {
  const start = () =>
    startHarness({
      auth,
      env,
      redisUrl: redis.server.url,
      usage: { store: "redis" },
      cache: { enabled: false },
      extraModels: [metered],
      ...(budgets ? { budgets } : {}),
    });
  const pair = await Promise.all([start(), start()]);
  for (const h of pair) {
    redis.track(h);
    h.upstream.setDefault({ text: "one two three" });
  }
  return pair;
}

const ask = (user = "") => ({ model: "metered", user, maxTokens: COST, messages: [{ role: Role.USER, content: "hi" }] });

/** CALLS concurrent calls spread over both gateways: "ok", or the refusal's level and period. */
async function load(pair: [Harness, Harness], key: string, user = ""): Promise<string[]> {
  const clients = pair.map((h) => createClient(CompletionService, h.rpcTransport({ interceptors: [bearer(key)] })));
  return Promise.all(
    Array.from({ length: CALLS }, (_, i) =>
      clients[i % 2]!.complete(ask(user)).then(
        () => "ok",
        (e: unknown) => {
          const err = ConnectError.from(e);
          const info = err.findDetails(ErrorInfoSchema)[0];
          return err.code === Code.ResourceExhausted
            ? `${info?.reason} ${info?.metadata["level"]} ${info?.metadata["period"]}`
            : err.message;
        },
      ),
    ),
  );
}

describe("budgets as a hierarchy, on two replicas sharing one Redis", () => {
  it.each([
    ["tenant", env.K_TENANT],
    ["project", env.K_PROJECT],
    ["key", env.K_KEY],
    ["user", env.K_USER],
  ])("a %s-level cap admits exactly what fits under concurrent load", async (level, key) => {
    const pair = await replicas();
    const results = await load(pair, key, "ann");
    expect(results.filter((r) => r === "ok")).toHaveLength(FITS);
    expect(results.filter((r) => r !== "ok")).toEqual(Array(CALLS - FITS).fill(`BUDGET_EXCEEDED ${level} daily`));
    if (level === "user") {
      // Another end user of the same key has a cap of its own.
      const client = createClient(CompletionService, pair[1].rpcTransport({ interceptors: [bearer(key)] }));
      expect((await client.complete(ask("bob"))).completion?.provider).toBe("fake-openai");
    }
  });

  it("shows each level's spending in AdminService.GetBudgets, on either replica", async () => {
    const pair = await replicas();
    await load(pair, env.K_USER, "ann");
    const admin = createClient(AdminService, pair[0].rpcTransport({ interceptors: [bearer(env.K_ADMIN)] }));
    // Only capped levels are counted: here the users; the tenant is always shown.
    const { levels } = await admin.getBudgets({ tenant: "t-user", users: ["ann", "bob"] });
    expect(levels.map((l) => [l.level, l.id, l.dailyBudgetUsd, l.spentTodayUsd])).toEqual([
      ["tenant", "t-user", 0, 0],
      ["user", "ann", CAP, CAP],
      ["user", "bob", CAP, 0],
    ]);
    const other = createClient(AdminService, pair[1].rpcTransport({ interceptors: [bearer(env.K_ADMIN)] }));
    const key = (await other.getBudgets({ tenant: "t-key" })).levels.find((l) => l.level === "key");
    expect(key).toMatchObject({ dailyBudgetUsd: CAP, spentTodayUsd: 0 });
    expect(key?.id).toMatch(/^cfg-[0-9a-f]{12}$/);
    const denied = createClient(AdminService, pair[1].rpcTransport({ interceptors: [bearer(env.K_USER)] }));
    await expect(denied.getBudgets({ tenant: "t-user" })).rejects.toMatchObject({ code: Code.PermissionDenied });
  });
});

describe("budget alerts", () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it("posts each crossing of 50, 80 and 100 % once, from whichever replica crossed it, after failures", async () => {
    const received: Record<string, unknown>[] = [];
    let failFirst = true;
    const receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        // The first delivery fails: the alert is retried, not lost.
        if (failFirst) {
          failFirst = false;
          res.writeHead(503).end();
          return;
        }
        expect(req.headers["x-alert-token"]).toBe("secret");
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(204).end();
      });
    });
    servers.push(receiver);
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
    const pair = await replicas({ alerts: { webhook: { url, headers: { "x-alert-token": "secret" } } } });
    expect((await load(pair, env.K_TENANT)).filter((r) => r === "ok")).toHaveLength(FITS);
    // Settlements run after the answers: a read on each replica's Redis connection comes after them, so
    // every crossing has been reported once these return; then the deliveries are awaited.
    for (const h of pair) {
      const admin = createClient(AdminService, h.rpcTransport({ interceptors: [bearer(env.K_ADMIN)] }));
      await admin.getBudgets({ tenant: "t-tenant" });
    }
    await Promise.all(pair.map((h) => h.app.budgetAlerts.idle()));
    expect(received.map((r) => [r["level"], r["id"], r["period"], r["threshold"]]).sort()).toEqual([
      ["tenant", "t-tenant", "daily", 100],
      ["tenant", "t-tenant", "daily", 50],
      ["tenant", "t-tenant", "daily", 80],
    ]);
    expect(received[0]).toMatchObject({ type: "budget.threshold_crossed", tenant: "t-tenant", budget_usd: CAP });
  });
});
