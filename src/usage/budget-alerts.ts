import { Counter, type Registry } from "prom-client";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../log.js";
import type { BudgetCrossing } from "./store.js";

/** Where a crossing is sent beyond the log and the metric. */
export interface BudgetWebhook {
  url: string;
  headers: Record<string, string>;
  /** Tries per crossing: the first and the retries. */
  attempts: number;
}

/** Reports budget crossings: told by the call whose settlement crossed, so once per level, period and threshold. */
export interface BudgetAlerts {
  report(tenant: string, crossings: readonly BudgetCrossing[]): void;
  /** Resolves when every webhook delivery begun so far has ended (for shutdown and tests). */
  idle(): Promise<void>;
}

/** The configured webhook with its header values read from the environment (load.ts checked they are set). */
export function budgetWebhookOf(
  webhook: { url: string; headers: Record<string, string | { env: string }>; attempts: number } | undefined,
  env: NodeJS.ProcessEnv,
): BudgetWebhook | undefined {
  if (!webhook) return undefined;
  const headers = Object.fromEntries(Object.entries(webhook.headers).map(([k, v]) => [k, typeof v === "string" ? v : (env[v.env] ?? "")]));
  return { url: webhook.url, headers, attempts: webhook.attempts };
}

const BACKOFF_MS = 500;
const TIMEOUT_MS = 5_000;

/**
 * A crossing is logged (warn), counted in llmgw_budget_alerts_total{level,threshold} (the level's
 * name, not its id: users are the caller's to invent, so ids would make series without bound), and
 * POSTed to the webhook if one is configured. Delivery runs beside the calls: a slow or failing
 * receiver is retried with doubling delays and then logged, never waited for by a call.
 */
export function createBudgetAlerts(options: {
  clock: Clock;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  webhook?: BudgetWebhook | undefined;
}): BudgetAlerts {
  const { clock, logger, webhook } = options;
  const counter = options.registry
    ? new Counter({
        name: "llmgw_budget_alerts_total",
        help: "Budget levels whose spending crossed 50, 80 or 100 % of a daily or monthly cap.",
        labelNames: ["level", "threshold"],
        registers: [options.registry],
      })
    : undefined;
  const pending = new Set<Promise<void>>();

  async function deliver(body: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(webhook!.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...webhook!.headers },
          body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await res.arrayBuffer();
        // A receiver that refuses the body will refuse it again; one that is overloaded or down may not.
        if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429)) {
          if (!res.ok) logger?.warn("budget alert webhook refused the alert", { status: res.status });
          return;
        }
        throw new Error(`HTTP ${res.status}`);
      } catch (err) {
        if (attempt >= webhook!.attempts) {
          logger?.warn("budget alert webhook failed; the alert is dropped", {
            attempts: attempt,
            error: err instanceof Error ? err.message : String(err),
          });
          return;
        }
        await clock.sleep(BACKOFF_MS * 2 ** (attempt - 1));
      }
    }
  }

  return {
    report(tenant, crossings) {
      for (const c of crossings) {
        const fields = {
          tenant,
          level: c.level,
          id: c.id,
          period: c.period,
          threshold: c.threshold,
          spent_usd: c.spentMicros / 1e6,
          budget_usd: c.capMicros / 1e6,
        };
        logger?.warn("budget threshold crossed", fields);
        counter?.inc({ level: c.level, threshold: String(c.threshold) });
        if (!webhook) continue;
        const sent = deliver(JSON.stringify({ type: "budget.threshold_crossed", at: new Date(clock.now()).toISOString(), ...fields }));
        pending.add(sent);
        void sent.finally(() => pending.delete(sent));
      }
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
