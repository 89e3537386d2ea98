import { describe, expect, it } from "vitest";
import { createAuthenticator, keyDigest } from "../../src/auth/tenants.js";
import { ConfigError, validateConfig } from "../../src/config/load.js";
import { createCatalog } from "../../src/core/catalog.js";
import type { CallContext } from "../../src/core/call.js";
import { isGatewayError } from "../../src/core/errors.js";
import type { ChatRequest } from "../../src/core/types.js";
import { createKeyManager } from "../../src/keys/manage.js";
import { createMemoryKeyStore } from "../../src/keys/memory-store.js";
import { createKeyResolver, type Identity } from "../../src/keys/resolver.js";
import { createMemoryRateLimiter } from "../../src/limits/memory-limiter.js";
import { createQueues } from "../../src/queue/queues.js";
import { toApiKey } from "../../src/server/key-service.js";
import { manualClock } from "../support/manual-clock.js";

const raw = (priority?: number) => ({
  providers: [{ name: "local", kind: "local" }],
  models: [{ name: "echo", provider: "local" }],
  auth: {
    tenants: [
      {
        name: "acme",
        keyAdmin: true,
        keys: [{ sha256: keyDigest("sk-batch"), ...(priority === undefined ? {} : { priority }) }, { sha256: keyDigest("sk-plain") }],
      },
    ],
  },
});

const newKey = {
  tenant: "",
  name: "ci",
  project: "",
  allowedModels: [],
  limits: { requestsPerMinute: 0, requestsPerHour: 0, tokensPerMinute: 0 },
  budget: { dailyUsd: 0, monthlyUsd: 0 },
  metadata: {},
  expiresAt: 0,
};

describe("a key's priority reaches the waiting lines", () => {
  const config = validateConfig(raw(1), {});
  const catalog = createCatalog(config);
  const clock = manualClock(1_000);
  const store = createMemoryKeyStore();
  const resolver = createKeyResolver({ store, clock, cacheMs: 1000, maxEntries: 10 });
  const auth = createAuthenticator(config, catalog, {}, resolver);
  const manager = createKeyManager({
    store,
    catalog,
    clock,
    tenantNamed: (n) => auth.tenants.find((t) => t.name === n),
    maxGraceSeconds: 60,
  });
  const queues = createQueues({
    settings: { enabled: true, maxWaitMs: 1000, maxDepth: 10, reserveMs: 0, weights: {} },
    limiter: createMemoryRateLimiter(clock),
    catalog,
    clock,
  });
  const ticketOf = (id: Identity, request: Partial<ChatRequest> = {}) =>
    queues.ticket(
      { model: "echo", messages: [], user: "", ...request } as ChatRequest,
      {
        tenant: id.tenant,
        key: id.key,
        requestId: "r",
        receivedAt: 0,
      } as CallContext,
    );

  it("takes a configured key's priority from auth.tenants[i].keys[j].priority; a key without one gets the default", () => {
    expect(ticketOf(auth.identify("sk-batch") as Identity).priority).toBe(1);
    expect(ticketOf(auth.identify("sk-plain") as Identity).priority).toBe(5);
    // The request's own priority still comes first.
    expect(ticketOf(auth.identify("sk-batch") as Identity, { priority: 7 }).priority).toBe(7);
  });

  it("refuses a configured priority outside 0-9 by its path", () => {
    expect(() => validateConfig(raw(12), {})).toThrow(ConfigError);
    expect(() => validateConfig(raw(12), {})).toThrow("auth.tenants[0].keys[0].priority");
  });

  it("keeps a runtime key's priority from CreateKey, shows it in the ApiKey, and applies it to its calls", async () => {
    const caller = auth.tenants[0]!;
    const { record, secret } = await manager.create(caller, { ...newKey, priority: 9 });
    expect(toApiKey(record).priority).toBe(9);
    expect(toApiKey((await manager.create(caller, newKey)).record).priority).toBeUndefined();
    expect(ticketOf((await auth.identify(secret)) as Identity).priority).toBe(9);
  });

  it("refuses a runtime key's priority outside 0-9 with INVALID_REQUEST naming the field", async () => {
    const err = await manager.create(auth.tenants[0]!, { ...newKey, priority: 10 }).catch((e: unknown) => e);
    expect(isGatewayError(err) && [err.reason, err.metadata?.field]).toEqual(["INVALID_REQUEST", "priority"]);
  });
});
