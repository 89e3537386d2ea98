import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CacheService } from "../../gen/ts/llmgateway/v1/cache_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { HealthService } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { SessionService } from "../../gen/ts/llmgateway/v1/session_service_pb.js";
import { CacheStatus, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";
import { bearer, digest, withHeader } from "../support/auth.js";

const KEYS = { acme: "sk-acme-0123456789", globex: "sk-globex-abcdef", ops: "sk-ops-admin-777" };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    auth: {
      tenants: [
        { name: "acme", keys: [{ sha256: digest(KEYS.acme) }], allowedModels: ["fast"], limits: { requestsPerMinute: 3 } },
        { name: "globex", keys: [{ sha256: digest(KEYS.globex) }] },
        { name: "ops", keys: [{ sha256: digest(KEYS.ops) }], admin: true },
      ],
    },
  });
});
afterAll(() => h.close());

const grpc = (...interceptors: Interceptor[]) => h.rpcTransport({ interceptors });
const ask = (content: string, extra: object = {}) => ({
  model: "gpt-test",
  temperature: 0,
  messages: [{ role: Role.USER, content }],
  ...extra,
});

async function failure(p: Promise<unknown>): Promise<ConnectError> {
  return ConnectError.from(
    await p.then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
}

describe("API keys", () => {
  it.each([
    ["gRPC", () => createGrpcTransport({ baseUrl: h.grpcUrl })],
    ["Connect JSON", () => createConnectTransport({ baseUrl: h.httpUrl, httpVersion: "1.1" })],
    ["gRPC-Web", () => createGrpcWebTransport({ baseUrl: h.httpUrl, httpVersion: "1.1" })],
  ])("refuses a call without a key, or with a wrong one, with Unauthenticated before anything runs (%s)", async (_name, transport) => {
    const before = h.upstream.requests.length;
    for (const t of [transport(), h.rpcTransport({ interceptors: [bearer("sk-wrong")] })]) {
      const err = await failure(createClient(CompletionService, t).complete(ask("hi")));
      expect(err.code).toBe(Code.Unauthenticated);
      expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UNAUTHENTICATED");
    }
    expect(h.upstream.requests.length).toBe(before);
  });

  it("accepts the key as a bearer token or as x-api-key", async () => {
    // No temperature for claude-test: the Anthropic Messages API has none, and the provider refuses it.
    for (const t of [grpc(bearer(KEYS.globex)), grpc(withHeader("x-api-key", KEYS.globex))]) {
      expect(
        (await createClient(CompletionService, t).complete(ask("hello", { model: "claude-test", temperature: undefined }))).completion
          ?.provider,
      ).toBe("fake-anthropic");
    }
  });

  it("lets health checks through without a key", async () => {
    expect((await createClient(HealthService, grpc()).check({})).status).toBeDefined();
  });
});

describe("tenants", () => {
  it("refuses a model the tenant may not use with PermissionDenied", async () => {
    const acme = createClient(CompletionService, grpc(bearer(KEYS.acme)));
    const err = await failure(acme.complete(ask("hi", { model: "claude-test" })));
    expect(err.code).toBe(Code.PermissionDenied);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("MODEL_NOT_ALLOWED");
  });

  it("keeps the cache per tenant", async () => {
    const acme = createClient(CompletionService, grpc(bearer(KEYS.ops)));
    const globex = createClient(CompletionService, grpc(bearer(KEYS.globex)));
    await acme.complete(ask("shared question"));
    expect((await acme.complete(ask("shared question"))).completion?.cacheStatus).toBe(CacheStatus.HIT_EXACT);
    expect((await globex.complete(ask("shared question"))).completion?.cacheStatus).toBe(CacheStatus.MISS);
  });

  it("keeps sessions per tenant: the same user name in another tenant sees nothing", async () => {
    const acmeSessions = createClient(SessionService, grpc(bearer(KEYS.ops)));
    const globexSessions = createClient(SessionService, grpc(bearer(KEYS.globex)));
    const created = (await acmeSessions.createSession({ user: "sam" })).session!;
    expect(created.owner).toBe("ops/sam");
    expect((await failure(globexSessions.getSession({ user: "sam", sessionId: created.id }))).code).toBe(Code.NotFound);
    expect((await globexSessions.listSessions({ user: "sam" })).sessions).toEqual([]);
  });

  it("applies the tenant's own rate limits, not another's", async () => {
    const acme = createClient(CompletionService, grpc(bearer(KEYS.acme)));
    const results = [];
    for (let i = 0; i < 4; i++)
      results.push(
        await acme.complete(ask(`q${i}`, { model: "fast" })).then(
          () => "ok",
          (e: unknown) => ConnectError.from(e).code,
        ),
      );
    expect(results).toEqual(["ok", "ok", "ok", Code.ResourceExhausted]);
    const globex = createClient(CompletionService, grpc(bearer(KEYS.globex)));
    expect((await globex.complete(ask("still fine"))).completion).toBeDefined();
  });

  it("keeps cache statistics and clearing for admins", async () => {
    const err = await failure(createClient(CacheService, grpc(bearer(KEYS.globex))).getCacheStats({}));
    expect(err.code).toBe(Code.PermissionDenied);
    expect((await createClient(CacheService, grpc(bearer(KEYS.ops))).getCacheStats({})).stats?.store).toBe("memory");
  });
});
