/**
 * What every page of the playground shares: the API key typed in the header,
 * one gRPC-Web transport that sends it, the generated clients, and the way
 * a failed call is put into words.
 */
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { ErrorInfoSchema } from "../gen/ts/google/rpc/error_details_pb.js";
import { AdminService } from "../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CacheService } from "../gen/ts/llmgateway/v1/cache_service_pb.js";
import { CompletionService } from "../gen/ts/llmgateway/v1/completion_service_pb.js";
import { HealthService } from "../gen/ts/llmgateway/v1/health_service_pb.js";
import { KeyService } from "../gen/ts/llmgateway/v1/key_service_pb.js";
import { SessionService } from "../gen/ts/llmgateway/v1/session_service_pb.js";

/** The header's key field: read on every call, so a key typed later applies at once. */
export const keyInput = document.getElementById("api-key") as HTMLInputElement;

// The gateway's own auth: the key, when given, goes with every call.
const auth: Interceptor = (next) => (req) => {
  if (keyInput.value) req.header.set("authorization", `Bearer ${keyInput.value}`);
  return next(req);
};
const transport = createGrpcWebTransport({ baseUrl: location.origin, interceptors: [auth] });

export const completions = createClient(CompletionService, transport);
export const health = createClient(HealthService, transport);
export const cache = createClient(CacheService, transport);
export const admin = createClient(AdminService, transport);
export const sessions = createClient(SessionService, transport);
export const keys = createClient(KeyService, transport);

/** A failure in one line, with the gRPC code's number: "[7] tenant "x" may not ...". */
export const explain = (e: unknown) => {
  const err = ConnectError.from(e);
  return `${err.code ? `[${err.code}] ` : ""}${err.rawMessage}`;
};

/** A failure as the server put it: its code's name, the ErrorInfo reason when there is one, and its message. */
export function failureOf(e: unknown): { code: string; reason: string; message: string } {
  const err = ConnectError.from(e);
  // Code's names are PascalCase (PermissionDenied); the wire and the docs say PERMISSION_DENIED.
  const code = (Code[err.code] ?? String(err.code)).replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
  const reason = err.findDetails(ErrorInfoSchema)[0]?.reason ?? "";
  return { code, reason, message: err.rawMessage };
}
