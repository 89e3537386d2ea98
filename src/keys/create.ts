import type { RedisClient } from "../redis-client.js";
import type { Tenant } from "../core/call.js";
import type { Catalog } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import type { KeysConfig } from "../config/keys.js";
import { createKeyManager, type KeyManager } from "./manage.js";
import { createMemoryKeyStore } from "./memory-store.js";
import { createRedisKeyStore } from "./redis-store.js";
import { createKeyResolver, type KeyResolver } from "./resolver.js";
import type { KeyStore } from "./store.js";

/** Runtime keys as the app holds them: the store, the authentication path's resolver, and the manager KeyService calls. */
export interface RuntimeKeys {
  store: KeyStore;
  resolver: KeyResolver;
  /** Built once the configured tenants are known. */
  manager(tenantNamed: (name: string) => Tenant | undefined): KeyManager;
  close(): Promise<void>;
}

/** The key store the configuration names (redis needs redis.url), and what reads and writes it. */
export function createRuntimeKeys(settings: KeysConfig, deps: { clock: Clock; catalog: Catalog; redis: () => RedisClient }): RuntimeKeys {
  const store = settings.store === "redis" ? createRedisKeyStore(deps.redis()) : createMemoryKeyStore();
  const resolver = createKeyResolver({ store, clock: deps.clock, cacheMs: settings.cacheMs, maxEntries: settings.cacheEntries });
  return {
    store,
    resolver,
    manager: (tenantNamed) =>
      createKeyManager({ store, catalog: deps.catalog, clock: deps.clock, tenantNamed, maxGraceSeconds: settings.maxGraceSeconds }),
    async close() {
      resolver.close();
      await store.close();
    },
  };
}
