import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Authenticator } from "../auth/tenants.js";
import type { Clock } from "../core/clock.js";
import { GatewayError, invalidRequest } from "../core/errors.js";
import type { Gateway } from "../pipeline/pipeline.js";
import type { LimitSettings, RateLimiter } from "../limits/limiter.js";
import { dayOf, monthOf, type UsageStore } from "../usage/store.js";
import {
  type AdminService,
  GetSummaryResponseSchema,
  GetTenantStatusResponseSchema,
  GetUsageResponseSchema,
  ConfigChangesSchema,
  ReloadConfigResponseSchema,
  ListProvidersResponseSchema,
  UsageRowSchema,
} from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { BreakerState, ServingStatus } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { requireAdmin } from "./auth.js";
import { getBudgets } from "./budget-status.js";
import { toStats } from "./cache-service.js";
import { toHealthFields } from "./convert-health.js";
import type { ReloadOutcome } from "../reload/reloader.js";
import { listRequests } from "./list-requests.js";
import type { RequestLogStore } from "../request-log/store.js";
import type { KeyManager } from "../keys/manage.js";

export interface AdminDeps {
  gateway: Gateway;
  usage: UsageStore;
  limiter: RateLimiter;
  auth: Authenticator;
  /** The gateway-wide limits, for tenants without their own. */
  limits: LimitSettings;
  clock: Clock;
  /** Re-reads and swaps the configuration; absent, ReloadConfig is UNIMPLEMENTED. */
  reload?: (() => Promise<ReloadOutcome>) | undefined;
  /** The request log, for ListRequests; absent when it is off. */
  requestLog?: RequestLogStore | undefined;
  /** Runtime keys, whose caps GetBudgets shows. */
  keys?: KeyManager | undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The AdminService: every method for admin keys only, but ListRequests, which serves a tenant its own. */
export function createAdminService(deps: AdminDeps): ServiceImpl<typeof AdminService> {
  const { gateway, usage, limiter, auth, limits, clock } = deps;
  const health = () => toHealthFields(gateway.health.snapshot(), gateway.catalog.models, gateway.stats, gateway.breakers);

  return {
    listRequests: listRequests(deps.requestLog),

    listProviders(_req, ctx) {
      requireAdmin(ctx);
      const h = health();
      return create(ListProvidersResponseSchema, {
        providers: h.dependencies.filter((d) => d.kind !== "redis"),
        deployments: h.deployments,
      });
    },

    async getUsage(req, ctx) {
      requireAdmin(ctx);
      const fromDay = req.fromDay || dayOf(clock.now());
      const toDay = req.toDay || fromDay;
      if (!DAY.test(fromDay)) throw invalidRequest("from_day", "must be YYYY-MM-DD");
      if (!DAY.test(toDay) || toDay < fromDay) throw invalidRequest("to_day", "must be YYYY-MM-DD, not before from_day");
      const rows = await usage.query({ tenant: req.tenant || undefined, fromDay, toDay });
      return create(GetUsageResponseSchema, {
        rows: rows.map((r) =>
          create(UsageRowSchema, {
            day: r.day,
            tenant: r.tenant,
            user: r.user,
            model: r.model,
            requests: BigInt(r.requests),
            inputTokens: BigInt(r.inputTokens),
            outputTokens: BigInt(r.outputTokens),
            costUsd: r.costMicros / 1e6,
            savedTokens: BigInt(r.savedTokens),
            savedCostUsd: r.savedMicros / 1e6,
          }),
        ),
      });
    },

    async getTenantStatus(req, ctx) {
      requireAdmin(ctx);
      if (!req.tenant) throw invalidRequest("tenant", "must be set");
      const tenant = auth.tenants.find((t) => t.name === req.tenant);
      const applied = tenant?.limits ?? limits;
      const now = clock.now();
      const [windows, spent] = await Promise.all([limiter.usage(req.tenant), usage.spent(req.tenant, dayOf(now), monthOf(now))]);
      return create(GetTenantStatusResponseSchema, {
        requestsLastMinute: BigInt(windows.requestsLastMinute),
        requestsLastHour: BigInt(windows.requestsLastHour),
        tokensLastMinute: BigInt(windows.tokensLastMinute),
        requestsPerMinute: BigInt(applied.requestsPerMinute ?? 0),
        requestsPerHour: BigInt(applied.requestsPerHour ?? 0),
        tokensPerMinute: BigInt(applied.tokensPerMinute ?? 0),
        spentTodayUsd: spent.dayMicros / 1e6,
        spentThisMonthUsd: spent.monthMicros / 1e6,
        dailyBudgetUsd: tenant?.budget?.dailyUsd ?? 0,
        monthlyBudgetUsd: tenant?.budget?.monthlyUsd ?? 0,
      });
    },

    async getSummary(_req, ctx) {
      requireAdmin(ctx);
      const h = health();
      const today = dayOf(clock.now());
      const [rows, cache] = await Promise.all([usage.query({ fromDay: today, toDay: today }), gateway.cache.stats()]);
      return create(GetSummaryResponseSchema, {
        status: h.status,
        unhealthyProviders: h.dependencies.filter((d) => d.status !== ServingStatus.SERVING).map((d) => d.name),
        openBreakers: h.deployments.filter((d) => d.breakerState !== BreakerState.CLOSED).map((d) => `${d.model}@${d.provider}`),
        requestsToday: BigInt(rows.reduce((n, r) => n + r.requests, 0)),
        costTodayUsd: rows.reduce((n, r) => n + r.costMicros, 0) / 1e6,
        savedTodayUsd: rows.reduce((n, r) => n + r.savedMicros, 0) / 1e6,
        cache: toStats(cache),
        tenants: BigInt(auth.tenants.length),
      });
    },

    getBudgets: getBudgets(deps),
    async reloadConfig(_req, ctx) {
      requireAdmin(ctx);
      if (!deps.reload) throw new GatewayError("UNSUPPORTED", "this gateway cannot reload its configuration");
      const outcome = await deps.reload();
      if (!outcome.ok) throw new GatewayError("CONFIG_REFUSED", `configuration refused; the running one stays: ${outcome.error}`);
      const { changes } = outcome;
      return create(ReloadConfigResponseSchema, {
        models: create(ConfigChangesSchema, changes.models),
        providers: create(ConfigChangesSchema, changes.providers),
        deployments: create(ConfigChangesSchema, changes.deployments),
        tenants: create(ConfigChangesSchema, changes.tenants),
        sections: changes.sections,
        freshDeployments: outcome.freshDeployments,
      });
    },
  };
}
