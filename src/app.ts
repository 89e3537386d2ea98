import { createCatalog } from "./core/catalog.js";
import { systemClock, type Clock } from "./core/clock.js";
import { createGateway, type Gateway } from "./core/gateway.js";
import { createHealthMonitor } from "./core/health.js";
import type { GatewayConfig } from "./config/schema.js";
import { createLogger, type Logger } from "./log.js";
import { createProviders } from "./providers/registry.js";
import { createBreakers } from "./resilience/breakers.js";
import { createRetryBudget } from "./resilience/retry.js";
import { createRouter } from "./routing/router.js";
import { createDeploymentStats } from "./routing/stats.js";
import { registerRoutes } from "./server/routes.js";
import { startServer, type RunningServer } from "./server/server.js";

/** Everything an app is built from, beyond its configuration. */
export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

/** A gateway assembled from configuration and ready to start. */
export interface App {
  gateway: Gateway;
  config: GatewayConfig;
  start(): Promise<RunningServer>;
}

/** Wires configuration into the core and the listeners. All the work happens here, once. */
export function createApp(config: GatewayConfig, options: AppOptions = {}): App {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log.level);
  const providers = createProviders(config.providers, options.env ?? process.env);
  const health = createHealthMonitor({ clock, providers: [...providers.keys()] });
  const stats = createDeploymentStats(clock);
  const router = createRouter({ defaultStrategy: config.routing.strategy, stats });
  const breakers = createBreakers(config.resilience.breaker, clock);
  breakers.onChange((id, state) => logger.warn("circuit breaker changed", { deployment: id, state }));
  const retry = config.resilience.retry;
  const retryBudget = createRetryBudget(retry.budgetRatio, retry.budgetBurst);
  const gateway = createGateway({ catalog: createCatalog(config), providers, router, stats, breakers, retry, retryBudget, health, clock });
  let lastStatus = health.snapshot().status;
  health.subscribe((s) => {
    if (s.status === lastStatus) return;
    lastStatus = s.status;
    logger.warn("health changed", { status: s.status, dependencies: s.dependencies.map((d) => `${d.name}=${d.status}`) });
  });
  return {
    gateway,
    config,
    start: () =>
      startServer({
        server: config.server,
        routes: (router) => registerRoutes(router, gateway, clock),
        health,
        logger,
      }),
  };
}
