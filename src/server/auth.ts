import { type ContextValues, createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { ANONYMOUS, type Authenticator, type Identity, type Tenant } from "../auth/tenants.js";
import type { CallKey } from "../core/call.js";
import { GatewayError } from "../core/errors.js";

/** The calling tenant, set by the auth interceptor for every call it lets through. */
export const TENANT = createContextKey<Tenant>(ANONYMOUS, { description: "the calling tenant" });
/** The calling API key, set beside TENANT; undefined on an open gateway. */
export const CALL_KEY = createContextKey<CallKey | undefined>(undefined, { description: "the calling API key" });

/** Who calls: a tenant and, when a key was checked, the key. */
export type Caller = Identity | { tenant: Tenant; key?: undefined };
const OPEN: Caller = { tenant: ANONYMOUS };

// Health checks and reflection answer without a key: load balancers, probes and tools use them.
const PUBLIC_SERVICES = new Set([
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
  "llmgateway.v1.HealthService",
]);

/** What reading a key needs of a request's headers: web Headers, or a cheaper view of a face's own. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** The API key of a request: `authorization: Bearer <key>` or `x-api-key: <key>`. */
export function apiKeyOf(headers: HeaderReader): string | undefined {
  const bearer = headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  return bearer ?? (headers.get("x-api-key")?.trim() || undefined);
}

const invalid = (identity: Identity | undefined): Identity => {
  if (!identity) throw new GatewayError("UNAUTHENTICATED", "the API key is not valid");
  return identity;
};

/**
 * Resolves the caller from its API key before anything else runs; no key or a wrong, revoked or expired one is
 * UNAUTHENTICATED. At once for a configured key or a runtime key looked up within the last second; else a promise.
 */
export function authenticate(auth: Authenticator, headers: HeaderReader): Caller | Promise<Caller> {
  if (auth.open) return OPEN;
  const key = apiKeyOf(headers);
  if (!key) throw new GatewayError("UNAUTHENTICATED", "no API key: send authorization: Bearer <key> or x-api-key");
  const identity = auth.identify(key);
  return identity instanceof Promise ? identity.then(invalid) : invalid(identity);
}

/** Who calls a public service without a valid key on a gateway that has keys: no admin rights, no details. */
export const PUBLIC: Tenant = { name: "public", admin: false, allowedModels: new Set(), limits: undefined, budget: undefined };

/**
 * The caller of a public service: whoever its key says, if it sent a configured one; else PUBLIC. Public
 * services answer probes, which must not wait on the key store, so runtime keys are not looked up for them.
 */
export function publicCaller(auth: Authenticator, headers: HeaderReader): Caller {
  if (auth.open) return OPEN;
  const key = apiKeyOf(headers);
  const tenant = key ? auth.tenantOf(key) : undefined;
  return { tenant: tenant ?? PUBLIC };
}

/** The caller of a service: public services (health, reflection) answer anyone, the others need a valid key. */
export function callerOf(auth: Authenticator, service: string, headers: HeaderReader): Caller | Promise<Caller> {
  return PUBLIC_SERVICES.has(service) ? publicCaller(auth, headers) : authenticate(auth, headers);
}

/** Puts a caller where handlers read it. */
export function setCaller(values: ContextValues, caller: Caller): void {
  values.set(TENANT, caller.tenant);
  values.set(CALL_KEY, caller.key);
}

export function authInterceptor(auth: Authenticator): Interceptor {
  return (next) => async (req) => {
    setCaller(req.contextValues, await callerOf(auth, req.service.typeName, req.header));
    return next(req);
  };
}

export const callKeyOf = (ctx: HandlerContext): CallKey | undefined => ctx.values.get(CALL_KEY);

export const tenantOf = (ctx: HandlerContext): Tenant => ctx.values.get(TENANT);

/** Admin-only services refuse other tenants with PERMISSION_DENIED. */
export function requireAdmin(ctx: HandlerContext): Tenant {
  const tenant = tenantOf(ctx);
  if (!tenant.admin)
    throw new GatewayError("PERMISSION_DENIED", `tenant "${tenant.name}" is not an admin`, { metadata: { tenant: tenant.name } });
  return tenant;
}

export { principalOf } from "../auth/tenants.js";
