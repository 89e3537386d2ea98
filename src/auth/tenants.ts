import { createHash } from "node:crypto";
import { ConfigError } from "../config/load.js";
import { GatewayError } from "../core/errors.js";
import type { GatewayConfig } from "../config/schema.js";
import type { Catalog } from "../core/catalog.js";
import type { CallKey, Tenant } from "../core/call.js";
import type { Identity, KeyResolver } from "../keys/resolver.js";

export type { Tenant } from "../core/call.js";

/** The tenant of an open gateway: every call, and no limits beyond the gateway-wide ones. */
export const ANONYMOUS: Tenant = { name: "anonymous", admin: true, allowedModels: undefined, limits: undefined, budget: undefined };

const keyed = (tenant: Tenant | undefined): tenant is Tenant => tenant !== undefined && tenant !== ANONYMOUS;

/** Whose limits, cache, budget and usage a call counts against: its tenant, or on an open gateway the request's user. */
export function scopeOf(tenant: Tenant | undefined, user: string): string {
  return keyed(tenant) ? tenant.name : user || "anonymous";
}

/** Who owns sessions and runs tools: the tenant and, within it, the user; on an open gateway, the user. */
export function principalOf(tenant: Tenant | undefined, user: string): string {
  if (!keyed(tenant)) return user || "anonymous";
  return user ? `${tenant.name}/${user}` : tenant.name;
}

/** Refuses a catalogue model its tenant (or the call's key, which may narrow it) may not use, with MODEL_NOT_ALLOWED. */
export function assertModelAllowed(tenant: Tenant | undefined, model: string, key?: CallKey): void {
  if (tenant?.allowedModels && !tenant.allowedModels.has(model)) {
    const byKey = key?.allowedModels !== undefined && !key.allowedModels.has(model);
    const who = byKey ? `API key "${key.id}" of tenant "${tenant.name}"` : `tenant "${tenant.name}"`;
    throw new GatewayError("MODEL_NOT_ALLOWED", `${who} may not use model "${model}"`, {
      metadata: { tenant: tenant.name, model, ...(byKey ? { key_id: key.id } : {}) },
    });
  }
}

export interface Authenticator {
  /** True when no keys are configured: every call is ANONYMOUS. */
  readonly open: boolean;
  /** The tenant of a configured key, or undefined for an unknown one. */
  tenantOf(apiKey: string): Tenant | undefined;
  /**
   * Who a key is: a configured key's identity at once; a runtime key's at once when recently looked up, else a
   * promise; undefined for an unknown key. A revoked or expired runtime key is UNAUTHENTICATED saying so.
   */
  identify(apiKey: string): Identity | undefined | Promise<Identity | undefined>;
  readonly tenants: readonly Tenant[];
  /** A tenant's keys from the configuration (ids, projects and caps; never secrets). */
  keysOf(tenant: string): readonly CallKey[];
}

export type { Identity } from "../keys/resolver.js";

const sha256 = (text: string): Buffer => createHash("sha256").update(text).digest();

/** The digest a key is kept and looked up by: SHA-256, lower-case hex. */
export const keyDigest = (secret: string): string => sha256(secret).toString("hex");

/**
 * Builds the key table once at start-up. Keys are held only as SHA-256
 * digests: a key from the environment is hashed and the text dropped.
 * Lookups hash the presented key.
 */
export function createAuthenticator(config: GatewayConfig, catalog: Catalog, env: NodeJS.ProcessEnv, runtime?: KeyResolver): Authenticator {
  const byDigest = new Map<string, Identity>();
  const byName = new Map<string, Tenant>();
  const tenants: Tenant[] = [];
  const modelNamed = (name: string): string | undefined => {
    try {
      return catalog.resolve(name).name;
    } catch {
      return undefined;
    }
  };
  config.auth.tenants.forEach((t, i) => {
    const allowedModels = t.allowedModels ? new Set(t.allowedModels.map((m) => catalog.resolve(m).name)) : undefined;
    const projects = new Map(t.projects.map((p) => [p.name, p.budget]));
    if (projects.size < t.projects.length) throw new ConfigError(`auth.tenants[${i}].projects: a project name is used twice`);
    const tenant: Tenant = {
      name: t.name,
      admin: t.admin,
      keyAdmin: t.keyAdmin,
      allowedModels,
      limits: t.limits,
      budget: t.budget,
      projects,
      userBudget: t.userBudget,
    };
    if (tenants.some((x) => x.name === t.name)) throw new ConfigError(`auth.tenants[${i}].name: "${t.name}" is used twice`);
    tenants.push(tenant);
    byName.set(tenant.name, tenant);
    t.keys.forEach((k, j) => {
      let digest: string;
      if ("sha256" in k) digest = k.sha256;
      else {
        const raw = env[k.env];
        if (!raw) throw new ConfigError(`auth.tenants[${i}].keys[${j}]: environment variable ${k.env} is not set`);
        digest = sha256(raw).toString("hex");
      }
      if (byDigest.has(digest)) throw new ConfigError(`auth.tenants[${i}].keys[${j}]: the same key is given to two tenants`);
      if (k.project !== undefined && !projects.has(k.project))
        throw new ConfigError(`auth.tenants[${i}].keys[${j}].project: "${k.project}" is not among the tenant's projects; declare it there`);
      // A digest prefix names the key in logs and budgets: it identifies the key without revealing it.
      byDigest.set(digest, {
        tenant,
        key: { id: `cfg-${digest.slice(0, 12)}`, project: k.project, budget: k.budget, priority: k.priority },
      });
    });
  });
  return {
    open: tenants.length === 0,
    tenants,
    // Looked up by digest: timing could reveal at most how much of a digest matched, which tells nothing about a key.
    keysOf: (tenant) => [...byDigest.values()].filter((e) => e.tenant.name === tenant).map((e) => e.key),
    tenantOf: (apiKey) => byDigest.get(sha256(apiKey).toString("hex"))?.tenant,
    identify: (apiKey) => {
      const digest = sha256(apiKey).toString("hex");
      const configured = byDigest.get(digest);
      if (configured || !runtime || tenants.length === 0) return configured;
      return runtime.resolve(digest, (name) => byName.get(name), modelNamed);
    },
  };
}
