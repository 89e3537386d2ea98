import type { CallKey, Tenant } from "../core/call.js";
import type { Clock } from "../core/clock.js";
import { GatewayError } from "../core/errors.js";
import type { KeyRecord, KeyStore } from "./store.js";

/** A model's catalogue name in the serving catalogue (a renamed model is found by its alias), or undefined if gone. */
export type ModelNamed = (name: string) => string | undefined;

/** Who a call is, once its key is known: the tenant whose rights apply, and the key. */
export interface Identity {
  tenant: Tenant;
  key: CallKey;
}

/** Looks runtime keys up by digest, answering from a short cache when it can. */
export interface KeyResolver {
  /**
   * The identity of a secret's digest: at once from the cache, else a promise; undefined for a digest no key
   * has. A revoked or expired key, or a secret whose grace after rotation ended, is UNAUTHENTICATED saying so.
   */
  resolve(
    digest: string,
    tenantNamed: (name: string) => Tenant | undefined,
    modelNamed?: ModelNamed,
  ): Identity | undefined | Promise<Identity | undefined>;
  /** Hears of a change: a key's id, or undefined for "anything may have changed". Called by the store's feed. */
  forget(id: string | undefined): void;
  close(): void;
}

export interface KeyResolverOptions {
  store: KeyStore;
  clock: Clock;
  /** How long a lookup is trusted, at most 1 s: the bound on how late a missed change message is noticed. */
  cacheMs: number;
  maxEntries: number;
}

interface Entry {
  record: KeyRecord | undefined;
  fetchedAt: number;
  /** Built once per lookup, reused by every call while the entry lasts. */
  identity?: Identity | undefined;
}

const refused = (message: string, record: KeyRecord, why: string) =>
  new GatewayError("UNAUTHENTICATED", message, { metadata: { key_id: record.id, why } });

/**
 * Runtime keys for the authentication path. A lookup is cached for
 * cacheMs; every change a store reports drops that key's entries (and all
 * entries that found no key), so that a key made on one replica works on
 * another at once and a revoked one stops as soon as the change is heard.
 * Concurrent misses of one digest share one store lookup.
 */
export function createKeyResolver(options: KeyResolverOptions): KeyResolver {
  const { store, clock, cacheMs, maxEntries } = options;
  const cache = new Map<string, Entry>();
  const pending = new Map<string, Promise<KeyRecord | undefined>>();
  let generation = 0;

  const forget = (id: string | undefined) => {
    generation++;
    if (id === undefined) {
      cache.clear();
      return;
    }
    for (const [digest, e] of cache) if (!e.record || e.record.id === id) cache.delete(digest);
  };
  const unsubscribe = store.onChange(forget);

  const identityOf = (
    e: Entry,
    digest: string,
    tenantNamed: (name: string) => Tenant | undefined,
    modelNamed: ModelNamed | undefined,
  ): Identity | undefined => {
    const r = e.record;
    if (!r) return undefined;
    const now = clock.now();
    if (r.revokedAt !== undefined && r.revokedAt <= now) throw refused("the API key was revoked", r, "revoked");
    if (r.expiresAt !== undefined && r.expiresAt <= now) throw refused("the API key expired", r, "expired");
    const secret = r.secrets.find((s) => s.digest === digest);
    if (!secret) return undefined;
    if (secret.validUntil !== undefined && secret.validUntil <= now)
      throw refused("the API key was rotated and the old secret's grace period has ended", r, "rotated");
    const tenant = tenantNamed(r.tenant);
    if (!tenant) throw refused(`the API key's tenant "${r.tenant}" is no longer configured`, r, "tenant");
    // A project a reload removed would leave the key's calls outside any project cap, silently.
    if (r.project !== undefined && !tenant.projects?.has(r.project))
      throw refused(`the API key's project "${r.project}" is no longer among tenant "${r.tenant}"'s projects`, r, "project");
    // Rebuilt only when the configured tenant object behind it is another one: after a reload, whose new
    // catalogue the key's models are resolved against again.
    if (!e.identity || bases.get(e.identity) !== tenant) e.identity = buildIdentity(r, tenant, modelNamed);
    return e.identity;
  };

  const fetch = (digest: string): Promise<KeyRecord | undefined> => {
    const inFlight = pending.get(digest);
    if (inFlight) return inFlight;
    const startedAt = generation;
    const lookup = store.byDigest(digest).then(
      (record) => {
        pending.delete(digest);
        // A change heard while the lookup ran may be newer than what it read: answer with it, cache nothing.
        if (generation === startedAt) {
          if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
          cache.set(digest, { record, fetchedAt: clock.monotonic() });
        }
        return record;
      },
      (err: unknown) => {
        pending.delete(digest);
        throw new GatewayError("UNAUTHENTICATED", "the API key could not be checked: the key store did not answer", {
          metadata: { why: "store" },
          cause: err,
        });
      },
    );
    pending.set(digest, lookup);
    return lookup;
  };

  return {
    resolve(digest, tenantNamed, modelNamed) {
      const hit = cache.get(digest);
      if (hit && clock.monotonic() - hit.fetchedAt < cacheMs) return identityOf(hit, digest, tenantNamed, modelNamed);
      // The entry just cached, so that its identity is built once; or, when a change made it uncacheable, a bare one.
      return fetch(digest).then((record) => {
        const cached = cache.get(digest);
        return identityOf(cached && cached.record === record ? cached : { record, fetchedAt: 0 }, digest, tenantNamed, modelNamed);
      });
    },
    forget,
    close: unsubscribe,
  };
}

// The configured tenant each identity was built from.
const bases = new WeakMap<Identity, Tenant>();

/**
 * A runtime key's identity: its tenant's name, limits and budget, with the
 * key's narrowing of the models; never admin or key-admin rights, so that a
 * leaked runtime key can call models but not mint keys or run the gateway.
 */
function buildIdentity(r: KeyRecord, tenant: Tenant, modelNamed: ModelNamed | undefined): Identity {
  // Kept as catalogue names when made; named again in the serving catalogue, where a model may have been renamed.
  const own = r.allowedModels ? new Set(r.allowedModels.flatMap((m) => (modelNamed ? (modelNamed(m) ?? []) : [m]))) : undefined;
  // Made a subset when created; intersected again here in case the tenant's list has since narrowed.
  const allowedModels =
    own && tenant.allowedModels ? new Set([...own].filter((m) => tenant.allowedModels!.has(m))) : (own ?? tenant.allowedModels);
  const identity: Identity = {
    tenant: { ...tenant, admin: false, keyAdmin: false, allowedModels },
    key: {
      id: r.id,
      project: r.project,
      allowedModels: own,
      limits: r.limits,
      budget: r.budget,
      priority: r.priority,
      metadata: r.metadata,
    },
  };
  bases.set(identity, tenant);
  return identity;
}
