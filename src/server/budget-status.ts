import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import type { Authenticator } from "../auth/tenants.js";
import type { Tenant } from "../core/call.js";
import type { KeyManager } from "../keys/manage.js";
import type { Clock } from "../core/clock.js";
import { invalidRequest } from "../core/errors.js";
import { type BudgetLevelName, dayOf, monthOf, type UsageStore } from "../usage/store.js";
import {
  type BudgetLevelStatus,
  BudgetLevelStatusSchema,
  type GetBudgetsRequest,
  type GetBudgetsResponse,
  GetBudgetsResponseSchema,
} from "../../gen/ts/llmgateway/v1/budgets_pb.js";
import { requireAdmin, tenantOf } from "./auth.js";

/** The most keys and users one GetBudgets call may name: each is a store read. */
const MAX_NAMED = 100;

/**
 * AdminService.GetBudgets: a tenant's levels with their caps and what each
 * has spent and reserved today and this month: the tenant, its capped
 * projects and configured keys, and the runtime keys and end users the
 * request names (neither is declared, so the caller says which it wants to
 * see). Only capped levels are counted (GetUsage has spending by tenant and
 * user), so the rest are left out.
 */
export function getBudgets(deps: { usage: UsageStore; auth: Authenticator; clock: Clock; keys?: KeyManager | undefined }) {
  return async (req: GetBudgetsRequest, ctx: HandlerContext): Promise<GetBudgetsResponse> => {
    requireAdmin(ctx);
    if (!req.tenant) throw invalidRequest("tenant", "must be set");
    if (req.keyIds.length + req.users.length > MAX_NAMED) throw invalidRequest("key_ids", `at most ${MAX_NAMED} keys and users together`);
    const tenant = deps.auth.tenants.find((t) => t.name === req.tenant);
    const now = deps.clock.now();
    const wanted: { level: BudgetLevelName; id: string; caps: Tenant["budget"] }[] = [
      { level: "tenant", id: req.tenant, caps: tenant?.budget },
    ];
    for (const [name, caps] of tenant?.projects ?? []) if (caps) wanted.push({ level: "project", id: name, caps });
    const configured = deps.auth.keysOf(req.tenant);
    for (const k of configured) if (k.budget) wanted.push({ level: "key", id: k.id, caps: k.budget });
    // A runtime key's caps are KeyService's, read from its store (an id of no key, or another tenant's, shows none).
    const runtime = req.keyIds.filter((id) => !configured.some((k) => k.id === id));
    const caller = tenantOf(ctx);
    const records = await Promise.all(runtime.map((id) => deps.keys?.get(caller, id).catch(() => undefined)));
    runtime.forEach((id, i) => {
      const r = records[i];
      wanted.push({ level: "key", id, caps: r?.tenant === req.tenant ? r.budget : undefined });
    });
    if (tenant?.userBudget) for (const id of req.users) wanted.push({ level: "user", id, caps: tenant.userBudget });
    const levels: BudgetLevelStatus[] = await Promise.all(
      wanted.map(async (w) => {
        const spent = await deps.usage.spent(req.tenant, dayOf(now), monthOf(now), w);
        return create(BudgetLevelStatusSchema, {
          level: w.level,
          id: w.id,
          dailyBudgetUsd: w.caps?.dailyUsd ?? 0,
          monthlyBudgetUsd: w.caps?.monthlyUsd ?? 0,
          spentTodayUsd: spent.dayMicros / 1e6,
          spentThisMonthUsd: spent.monthMicros / 1e6,
        });
      }),
    );
    return create(GetBudgetsResponseSchema, { levels });
  };
}
