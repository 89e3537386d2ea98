import http from "node:http";
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { manualClock } from "../../test/support/manual-clock.js";
import type { Logger } from "../log.js";
import { budgetWebhookOf, createBudgetAlerts } from "./budget-alerts.js";
import type { BudgetCrossing } from "./store.js";

const crossing = (threshold: number, level: BudgetCrossing["level"] = "user"): BudgetCrossing => ({
  level,
  id: "ann",
  period: "daily",
  threshold,
  spentMicros: threshold * 100,
  capMicros: 10_000,
});

/** A webhook receiver answering each POST with the next status of `statuses` (then 204). */
async function receiver(statuses: number[]) {
  const bodies: { body: Record<string, unknown>; headers: http.IncomingHttpHeaders }[] = [];
  let hits = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      hits++;
      const status = statuses.shift() ?? 204;
      if (status < 300) bodies.push({ body: JSON.parse(body) as Record<string, unknown>, headers: req.headers });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, bodies, hits: () => hits, close: () => new Promise((resolve) => server.close(resolve)) };
}

const recordingLogger = () => {
  const lines: [string, Record<string, unknown> | undefined][] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (m, f) => void lines.push([m, f]), error() {} };
  return { logger, lines };
};

describe("budget alerts", () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  it("logs each crossing and counts it by level and threshold", async () => {
    const registry = new Registry();
    const { logger, lines } = recordingLogger();
    const alerts = createBudgetAlerts({ clock: manualClock(), logger, registry });
    alerts.report("acme", [crossing(50), crossing(80, "key")]);
    expect(lines).toEqual([
      ["budget threshold crossed", expect.objectContaining({ tenant: "acme", level: "user", id: "ann", period: "daily", threshold: 50 })],
      ["budget threshold crossed", expect.objectContaining({ level: "key", threshold: 80, spent_usd: 0.008, budget_usd: 0.01 })],
    ]);
    const metric = await registry.getSingleMetric("llmgw_budget_alerts_total")!.get();
    expect(metric.values.map((v) => [v.labels, v.value])).toEqual([
      [{ level: "user", threshold: "50" }, 1],
      [{ level: "key", threshold: "80" }, 1],
    ]);
  });

  it("posts each crossing with its headers, retrying an unavailable receiver with doubling delays", async () => {
    const r = await receiver([503, 502]);
    closers.push(r.close);
    const clock = manualClock(Date.UTC(2026, 10, 29, 12));
    const alerts = createBudgetAlerts({ clock, webhook: { url: r.url, headers: { authorization: "Bearer t" }, attempts: 4 } });
    alerts.report("acme", [crossing(100)]);
    await alerts.idle();
    expect(r.hits()).toBe(3);
    expect(clock.sleeps).toEqual([500, 1000]);
    expect(r.bodies).toHaveLength(1);
    expect(r.bodies[0]!.headers["authorization"]).toBe("Bearer t");
    expect(r.bodies[0]!.body).toEqual({
      type: "budget.threshold_crossed",
      at: "2026-11-29T12:00:00.000Z",
      tenant: "acme",
      level: "user",
      id: "ann",
      period: "daily",
      threshold: 100,
      spent_usd: 0.01,
      budget_usd: 0.01,
    });
  });

  it("does not retry a body the receiver refuses, and gives up after the attempts, logging either", async () => {
    const refused = await receiver([400]);
    const down = await receiver([500, 500, 500]);
    closers.push(refused.close, down.close);
    const { logger, lines } = recordingLogger();
    const clock = manualClock();
    for (const url of [refused.url, down.url]) {
      const alerts = createBudgetAlerts({ clock, logger, webhook: { url, headers: {}, attempts: 3 } });
      alerts.report("acme", [crossing(50)]);
      await alerts.idle();
    }
    expect([refused.hits(), down.hits()]).toEqual([1, 3]);
    expect(lines.map(([m]) => m)).toEqual([
      "budget threshold crossed",
      "budget alert webhook refused the alert",
      "budget threshold crossed",
      "budget alert webhook failed; the alert is dropped",
    ]);
  });

  it("reads header values from the environment", () => {
    expect(budgetWebhookOf({ url: "http://h/", headers: { a: "x", b: { env: "HOOK" } }, attempts: 2 }, { HOOK: "y" })).toEqual({
      url: "http://h/",
      headers: { a: "x", b: "y" },
      attempts: 2,
    });
    expect(budgetWebhookOf(undefined, {})).toBeUndefined();
  });
});
