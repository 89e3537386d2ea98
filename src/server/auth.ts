import { createContextKey, type ContextValues, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { ANONYMOUS, type Authenticator, type Tenant } from "../auth/tenants.js";
import type { CallKey } from "../core/call.js";
import { GatewayError } from "../core/errors.js";

/** The calling tenant, set by the auth interceptor for every call it lets through. */
export const TENANT = createContextKey<Tenant>(ANONYMOUS, { description: "the calling tenant" });

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

/** The calling key (never its secret), set beside the tenant by the auth interceptor; absent on an open gateway. */
export const CALL_KEY = createContextKey<CallKey | undefined>(undefined, { description: "the calling key" });

/** Resolves the caller's tenant from its API key before anything else runs; no key or a wrong one is UNAUTHENTICATED. */
export function authenticate(auth: Authenticator, headers: HeaderReader): Tenant {
  return identify(auth, headers).tenant;
}

/** The caller's tenant and key, as authenticate finds them. */
export function identify(auth: Authenticator, headers: HeaderReader): { tenant: Tenant; key?: CallKey | undefined } {
  if (auth.open) return { tenant: ANONYMOUS };
  const key = apiKeyOf(headers);
  if (!key) throw new GatewayError("UNAUTHENTICATED", "no API key: send authorization: Bearer <key> or x-api-key");
  const found = auth.identify(key);
  if (!found) throw new GatewayError("UNAUTHENTICATED", "the API key is not valid");
  return found;
}

/** Who calls a public service without a valid key on a gateway that has keys: no admin rights, no details. */
export const PUBLIC: Tenant = { name: "public", admin: false, allowedModels: new Set(), limits: undefined, budget: undefined };

/** The tenant of a call to a public service: whoever its key says, if it sent a valid one; else PUBLIC. */
export function publicCaller(auth: Authenticator, headers: HeaderReader): Tenant {
  if (auth.open) return ANONYMOUS;
  const key = apiKeyOf(headers);
  return (key && auth.tenantOf(key)) || PUBLIC;
}

/**
 * Sets the caller's tenant and key on a call's context values: public services (health, reflection)
 * answer anyone, the others need a valid key.
 */
export function admitCaller(auth: Authenticator, service: string, headers: HeaderReader, values: ContextValues): void {
  if (PUBLIC_SERVICES.has(service)) {
    values.set(TENANT, publicCaller(auth, headers));
    return;
  }
  const { tenant, key } = identify(auth, headers);
  values.set(TENANT, tenant);
  values.set(CALL_KEY, key);
}

export function authInterceptor(auth: Authenticator): Interceptor {
  return (next) => async (req) => {
    admitCaller(auth, req.service.typeName, req.header, req.contextValues);
    return next(req);
  };
}

export const tenantOf = (ctx: HandlerContext): Tenant => ctx.values.get(TENANT);

/** Admin-only services refuse other tenants with PERMISSION_DENIED. */
export function requireAdmin(ctx: HandlerContext): Tenant {
  const tenant = tenantOf(ctx);
  if (!tenant.admin)
    throw new GatewayError("PERMISSION_DENIED", `tenant "${tenant.name}" is not an admin`, { metadata: { tenant: tenant.name } });
  return tenant;
}

export { principalOf } from "../auth/tenants.js";
