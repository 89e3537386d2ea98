import { randomBytes } from "node:crypto";
import { keyDigest } from "../auth/tenants.js";
import type { Tenant } from "../core/call.js";
import type { Catalog } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import { GatewayError, invalidRequest, isGatewayError } from "../core/errors.js";
import { parsePriority } from "../queue/queues.js";
import type { KeyPage, KeyRecord, KeyStore } from "./store.js";

/** What a new key is made of, as KeyService receives it (zero and empty mean "none"). */
export interface NewKey {
  tenant: string;
  name: string;
  project: string;
  allowedModels: readonly string[];
  limits: { requestsPerMinute: number; requestsPerHour: number; tokensPerMinute: number };
  budget: { dailyUsd: number; monthlyUsd: number };
  metadata: Readonly<Record<string, string>>;
  expiresAt: number;
  /** Absent: the default priority. */
  priority?: number | undefined;
}

/** Runtime keys as an operator or a tenant's key admin manages them. Every method checks the caller's rights. */
export interface KeyManager {
  create(caller: Tenant, input: NewKey): Promise<{ record: KeyRecord; secret: string }>;
  list(caller: Tenant, tenant: string, offset: number, limit: number): Promise<KeyPage>;
  get(caller: Tenant, id: string): Promise<KeyRecord>;
  rotate(caller: Tenant, id: string, graceSeconds: number): Promise<{ record: KeyRecord; secret: string }>;
  revoke(caller: Tenant, id: string): Promise<KeyRecord>;
}

export interface KeyManagerOptions {
  store: KeyStore;
  catalog: Catalog;
  clock: Clock;
  /** The configured tenants, by name; runtime keys belong to one of them. */
  tenantNamed(name: string): Tenant | undefined;
  maxGraceSeconds: number;
}

export const MAX_METADATA_ENTRIES = 16;
const NAME = /^[\s\S]{1,128}$/;
const PROJECT = /^[a-zA-Z0-9._-]{1,64}$/;
const ID = /^key_[0-9a-f]{16}$/;
// Writes that lost a race with another replica's are redone on the record as it now is.
const WRITE_ATTEMPTS = 5;

/** A new secret: 256 random bits, with a prefix that says what it is (and secret scanners can match). */
const newSecret = () => `llmgw_${randomBytes(32).toString("base64url")}`;
const secretOf = (secret: string) => ({ digest: keyDigest(secret), prefix: secret.slice(0, 12) });

const denied = (caller: Tenant, what: string) =>
  new GatewayError("PERMISSION_DENIED", `tenant "${caller.name}" may not ${what}`, { metadata: { tenant: caller.name } });

/**
 * Creates, lists, rotates and revokes runtime keys. Admin tenants manage
 * every tenant's keys; a key-admin tenant its own; nobody else any. A key
 * of another tenant reads as not found, so that ids reveal nothing.
 */
export function createKeyManager(options: KeyManagerOptions): KeyManager {
  const { store, catalog, clock, tenantNamed } = options;

  const mayManage = (caller: Tenant, tenant: string) => caller.admin || (caller.keyAdmin === true && caller.name === tenant);
  const requireManager = (caller: Tenant) => {
    if (!caller.admin && !caller.keyAdmin) throw denied(caller, "manage API keys (it needs admin or keyAdmin)");
  };

  const find = async (caller: Tenant, id: string): Promise<KeyRecord> => {
    requireManager(caller);
    if (!ID.test(id)) throw invalidRequest("id", `"${id.slice(0, 40)}" is not a key id (key_ and 16 hex digits)`);
    const record = await store.get(id);
    if (!record || !mayManage(caller, record.tenant))
      throw new GatewayError("NOT_FOUND", `no API key "${id}"`, { metadata: { field: "id", id } });
    return record;
  };

  /** Applies `change` to the stored record, again on the newer one if another replica wrote first. */
  const update = async (caller: Tenant, id: string, change: (r: KeyRecord) => string[]): Promise<KeyRecord> => {
    for (let i = 0; i < WRITE_ATTEMPTS; i++) {
      const record = await find(caller, id);
      const version = record.version;
      const retired = change(record);
      record.version = version + 1;
      if (await store.put(record, version, retired)) return record;
    }
    throw new GatewayError("UPSTREAM_UNAVAILABLE", `API key "${id}" is being changed by others; try again`, { metadata: { id } });
  };

  return {
    async create(caller, input) {
      requireManager(caller);
      const tenantName = input.tenant || caller.name;
      if (!mayManage(caller, tenantName)) throw denied(caller, `manage tenant "${tenantName}"'s keys`);
      const tenant = tenantNamed(tenantName);
      if (!tenant) throw invalidRequest("tenant", `"${tenantName}" is not a configured tenant`);
      const now = clock.now();
      const secret = newSecret();
      const record: KeyRecord = {
        id: `key_${randomBytes(8).toString("hex")}`,
        tenant: tenant.name,
        name: checkName(input.name),
        metadata: checkMetadata(input.metadata),
        createdAt: now,
        secrets: [secretOf(secret)],
        version: 1,
      };
      if (input.project) {
        if (!PROJECT.test(input.project)) throw invalidRequest("project", "use 1-64 letters, digits, . _ or -");
        // As for a configured key: a project is a budget level its tenant declares, not a free label.
        if (!tenant.projects?.has(input.project))
          throw invalidRequest("project", `"${input.project}" is not among tenant "${tenant.name}"'s projects; declare it there`);
        record.project = input.project;
      }
      if (input.allowedModels.length) record.allowedModels = checkModels(catalog, tenant, input.allowedModels);
      const limits = checkLimits(input.limits);
      if (limits) record.limits = limits;
      const budget = checkBudget(input.budget);
      if (budget) record.budget = budget;
      const priority = parsePriority(input.priority);
      if (priority !== undefined) record.priority = priority;
      if (input.expiresAt) {
        if (!Number.isSafeInteger(input.expiresAt) || input.expiresAt <= now)
          throw invalidRequest("expire_time_ms", "must be in the future (milliseconds since the Unix epoch), or 0 for never");
        record.expiresAt = input.expiresAt;
      }
      if (!(await store.put(record, 0, []))) throw new GatewayError("INTERNAL", "a new key id was already taken");
      return { record, secret };
    },

    async list(caller, tenant, offset, limit) {
      requireManager(caller);
      if (tenant && !mayManage(caller, tenant)) throw denied(caller, `list tenant "${tenant}"'s keys`);
      // An admin naming no tenant sees every tenant's keys; a key admin, its own.
      return store.list(tenant || (caller.admin ? undefined : caller.name), offset, limit);
    },

    get: find,

    async rotate(caller, id, graceSeconds) {
      if (!Number.isSafeInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > options.maxGraceSeconds)
        throw invalidRequest("grace_seconds", `must be 0 to ${options.maxGraceSeconds} (keys.maxGraceSeconds)`);
      const secret = newSecret();
      const record = await update(caller, id, (r) => {
        const now = clock.now();
        if (r.revokedAt !== undefined) throw invalidRequest("id", `API key "${id}" is revoked: make a new one`);
        if (r.expiresAt !== undefined && r.expiresAt <= now) throw invalidRequest("id", `API key "${id}" has expired: make a new one`);
        const [current, ...older] = r.secrets;
        r.secrets = [secretOf(secret)];
        if (current && graceSeconds > 0) r.secrets.push({ ...current, validUntil: now + graceSeconds * 1000 });
        // Only the secret just rotated out keeps a grace: an older one, still in its grace, ends now.
        return [...older.map((s) => s.digest), ...(current && graceSeconds === 0 ? [current.digest] : [])];
      });
      return { record, secret };
    },

    revoke: (caller, id) =>
      update(caller, id, (r) => {
        r.revokedAt ??= clock.now();
        return [];
      }),
  };
}

function checkName(name: string): string {
  if (!NAME.test(name) || !name.trim()) throw invalidRequest("name", "give the key a name of 1-128 characters");
  return name;
}

function checkMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(metadata);
  if (entries.length > MAX_METADATA_ENTRIES) throw invalidRequest("metadata", `at most ${MAX_METADATA_ENTRIES} entries`);
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 64) throw invalidRequest("metadata", `key "${k.slice(0, 64)}…" must be 1-64 characters`);
    if (v.length > 256) throw invalidRequest("metadata", `value of "${k}" must be at most 256 characters`);
  }
  return Object.fromEntries(entries);
}

/** The models as catalogue names, refusing unknown ones and any its tenant may not use. */
function checkModels(catalog: Catalog, tenant: Tenant, models: readonly string[]): string[] {
  const names = models.map((m) => {
    try {
      return catalog.resolve(m).name;
    } catch (err) {
      if (isGatewayError(err)) throw invalidRequest("allowed_models", `"${m}" is not a model of the catalogue`);
      throw err;
    }
  });
  const wider = names.filter((m) => tenant.allowedModels && !tenant.allowedModels.has(m));
  if (wider.length)
    throw invalidRequest(
      "allowed_models",
      `tenant "${tenant.name}" may not use ${wider.map((m) => `"${m}"`).join(", ")}: a key only narrows its tenant's models`,
    );
  return [...new Set(names)];
}

function checkLimits(l: NewKey["limits"]): KeyRecord["limits"] {
  const out: NonNullable<KeyRecord["limits"]> = {};
  for (const [field, name] of [
    ["requestsPerMinute", "requests_per_minute"],
    ["requestsPerHour", "requests_per_hour"],
    ["tokensPerMinute", "tokens_per_minute"],
  ] as const) {
    const v = l[field];
    if (!Number.isSafeInteger(v) || v < 0) throw invalidRequest(`limits.${name}`, "must be a whole number, 0 for none");
    if (v > 0) out[field] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

function checkBudget(b: NewKey["budget"]): KeyRecord["budget"] {
  const out: NonNullable<KeyRecord["budget"]> = {};
  for (const [field, name] of [
    ["dailyUsd", "daily_usd"],
    ["monthlyUsd", "monthly_usd"],
  ] as const) {
    const v = b[field];
    if (!Number.isFinite(v) || v < 0) throw invalidRequest(`budget.${name}`, "must be a number of USD, 0 for none");
    if (v > 0) out[field] = v;
  }
  return Object.keys(out).length ? out : undefined;
}
