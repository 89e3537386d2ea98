import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { toJsonString } from "@bufbuild/protobuf";
import { CheckResponseSchema, HealthService, ServingStatus } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { SessionService } from "../../gen/ts/llmgateway/v1/session_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { bearer, digest } from "../support/auth.js";
import { envelope, h2, http1 } from "../support/raw-clients.js";
import { startHarness, type Harness } from "../support/harness.js";

/**
 * What a tenant sees and may use is the same on every method and every
 * listener: the models it may use, and health details only with an admin key.
 */
const LIMITED = "sk-limited";
const ADMIN = "sk-admin";
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    auth: {
      tenants: [
        { name: "limited", keys: [{ sha256: digest(LIMITED) }], allowedModels: ["fast"] },
        { name: "ops", admin: true, keys: [{ sha256: digest(ADMIN) }] },
      ],
    },
  });
});
afterAll(() => h.close());

const grpcAs = <S extends Parameters<typeof createClient>[0]>(service: S, key?: string) =>
  createClient(service, h.rpcTransport({ interceptors: key ? [bearer(key)] : [] }));

async function reasonOf(p: Promise<unknown>): Promise<[Code, string | undefined]> {
  try {
    await p;
    return [Code.Unknown, "no error"];
  } catch (e) {
    const err = ConnectError.from(e);
    return [err.code, err.findDetails(ErrorInfoSchema)[0]?.reason];
  }
}

describe("a tenant's allowed models, everywhere", () => {
  it("gRPC ListModels shows only the models the tenant may use, as REST /v1/models does", async () => {
    const listed = await grpcAs(CompletionService, LIMITED).listModels({});
    expect(listed.models.map((m) => m.name)).toEqual(["gpt-test"]);
    const rest = (await (await fetch(`${h.httpUrl}/v1/models`, { headers: { authorization: `Bearer ${LIMITED}` } })).json()) as {
      data: { id: string }[];
    };
    expect(new Set(rest.data.map((m) => m.id))).toEqual(new Set(["gpt-test", "fast"]));
  });

  it("ListModels advertises what each model is configured to take, now that the gateway carries all of it", async () => {
    const listed = await grpcAs(CompletionService, ADMIN).listModels({});
    const byName = new Map(listed.models.map((m) => [m.name, m]));
    expect(byName.get("gpt-test")?.capabilities).toMatchObject({
      jsonMode: true,
      vision: true,
      documents: true,
      audio: true,
      reasoning: true,
    });
    expect(byName.get("claude-test")?.capabilities).toMatchObject({ jsonMode: true, vision: true, documents: true, audio: false });
    expect(byName.get("local-echo")?.capabilities).toMatchObject({ jsonMode: false, vision: false, documents: false, reasoning: false });
    // Prompt-cache prices: Anthropic's defaults (0.1× and 1.25× input) unless configured.
    expect(byName.get("claude-test")).toMatchObject({ cachedInputPricePerMillion: 0.3, cacheWritePricePerMillion: 3.75 });
  });

  it("CountTokens refuses a model the tenant may not use", async () => {
    const c = grpcAs(CompletionService, LIMITED);
    expect(await reasonOf(c.countTokens({ model: "claude-test", messages: [{ role: Role.USER, content: "hi" }] }))).toEqual([
      Code.PermissionDenied,
      "MODEL_NOT_ALLOWED",
    ]);
    expect((await c.countTokens({ model: "fast", messages: [{ role: Role.USER, content: "hi" }] })).inputTokens).toBeGreaterThan(0n);
  });

  it("CreateSession refuses a model the tenant may not use", async () => {
    const s = grpcAs(SessionService, LIMITED);
    expect(await reasonOf(s.createSession({ model: "claude-test" }))).toEqual([Code.PermissionDenied, "MODEL_NOT_ALLOWED"]);
    expect((await s.createSession({ model: "fast" })).session?.model).toBe("fast");
  });
});

describe("health details are for admin keys", () => {
  it("without a key: statuses, but no error text or address; with an admin key: everything", async () => {
    // A failure whose text names the upstream's address.
    h.upstream.enqueue({ reset: true });
    await reasonOf(grpcAs(CompletionService, ADMIN).complete({ model: "gpt-test", messages: [{ role: Role.USER, content: "hi" }] }));
    const anonymous = await grpcAs(HealthService).check({});
    const openai = anonymous.dependencies.find((d) => d.name === "fake-openai")!;
    expect(openai.status).toBe(ServingStatus.DEGRADED);
    expect(openai.detail).toBe("failing");
    expect(anonymous.deployments.find((d) => d.provider === "fake-openai")?.lastError).toBe("failing");
    expect(toJsonString(CheckResponseSchema, anonymous)).not.toMatch(/127\.0\.0\.1|ECONN|socket/);
    const limited = await grpcAs(HealthService, LIMITED).check({});
    expect(limited.dependencies.find((d) => d.name === "fake-openai")?.detail).toBe("failing");
    const admin = await grpcAs(HealthService, ADMIN).check({});
    expect(admin.dependencies.find((d) => d.name === "fake-openai")?.detail).toMatch(/failure/);
  });
});

describe("one rule for an API key on both listeners", () => {
  // Raw clients: a Headers object would trim the padding before it ever left.
  const LIST = "/llmgateway.v1.CompletionService/ListModels";
  it.each([" sk-admin ", "sk-admin ", "\tsk-admin", "  sk-admin"])(
    "x-api-key %j is the key it pads, over gRPC (HTTP/2) and Connect (HTTP/1.1)",
    async (padded) => {
      const grpc = await h2(h.grpcUrl, { path: LIST, headers: { "x-api-key": padded }, body: envelope(new Uint8Array()) });
      expect(grpc.code).toBe(0);
      const connect = await http1(h.httpUrl, {
        method: "POST",
        path: LIST,
        headers: { "x-api-key": padded, "content-type": "application/json" },
        body: "{}",
      });
      expect(connect.status).toBe(200);
    },
  );

  it("a key with something else around it is not the key, on either listener", async () => {
    const grpc = await h2(h.grpcUrl, { path: LIST, headers: { "x-api-key": "sk-admin x" }, body: envelope(new Uint8Array()) });
    expect(grpc).toMatchObject({ code: 16, reason: "UNAUTHENTICATED" });
    const connect = await http1(h.httpUrl, {
      method: "POST",
      path: LIST,
      headers: { "x-api-key": "sk-admin x", "content-type": "application/json" },
      body: "{}",
    });
    expect(connect).toMatchObject({ status: 401, reason: "UNAUTHENTICATED" });
  });
});
