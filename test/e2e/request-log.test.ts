import Anthropic from "@anthropic-ai/sdk";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminService, type ListRequestsRequest, type RequestEntry } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { bearer, digest, withHeader } from "../support/auth.js";
import { embeddingModels } from "../support/embedding-models.js";
import { type Harness, startHarness, TEST_FACE } from "../support/harness.js";
import { startRedis, type TestRedis } from "../support/redis.js";

/**
 * The request log end to end: calls on every face, on two replicas sharing one Redis stream,
 * found again through AdminService.ListRequests with the fields they were made with.
 */
// One Redis for the whole file, started here rather than by redisForFile(), which flushes after each test.
let redis: TestRedis;
const KEYS = { ops: "sk-ops", acme: "sk-acme", globex: "sk-globex" };
const auth = {
  tenants: [
    { name: "ops", keys: [{ sha256: digest(KEYS.ops) }], admin: true },
    { name: "acme", keys: [{ sha256: digest(KEYS.acme) }] },
    { name: "globex", keys: [{ sha256: digest(KEYS.globex) }] },
  ],
};

// Replica a keeps no prompts; replica b, on the same Redis, keeps them (log.prompts).
let a: Harness;
let b: Harness;
beforeAll(async () => {
  redis = await startRedis();
  const shared = { auth, redisUrl: redis.url, extraModels: embeddingModels, requestLog: { store: "redis" } };
  a = await startHarness(shared);
  b = await startHarness({ ...shared, log: { prompts: true } });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
});

const run = `${Date.now()}`;
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const rid = (name: string) => `${name}-${run}`;
const openai = (h: Harness, key = KEYS.acme) => new OpenAI({ apiKey: key, baseURL: `${h.httpUrl}/v1`, maxRetries: 0 });
const completion = (h: Harness, key: string, requestId: string) =>
  createClient(CompletionService, h.rpcTransport({ interceptors: [bearer(key), withHeader("x-request-id", requestId)] }));
const admin = (h: Harness, key = KEYS.ops) => createClient(AdminService, h.rpcTransport({ interceptors: [bearer(key)] }));
const flushAll = () => Promise.all([a.app.requestLog!.writer.flush(), b.app.requestLog!.writer.flush()]);

/** ListRequests over Connect JSON on the HTTP listener, as a browser page would call it. */
async function listOverJson(h: Harness, body: Record<string, unknown>, key = KEYS.ops) {
  const res = await fetch(`${h.httpUrl}/llmgateway.v1.AdminService/ListRequests`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { entries?: Record<string, unknown>[]; nextPageToken?: string } };
}

async function one(requestId: string): Promise<RequestEntry> {
  const { entries } = await admin(b).listRequests({ requestId });
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

async function everyPage(
  h: Harness,
  req: Partial<Omit<ListRequestsRequest, "$typeName" | "$unknown">>,
  key = KEYS.ops,
): Promise<RequestEntry[]> {
  const out: RequestEntry[] = [];
  let pageToken = "";
  do {
    const page = await admin(h, key).listRequests({ ...req, pageToken });
    expect(page.entries.length).toBeLessThanOrEqual(req.pageSize || 50);
    out.push(...page.entries);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

describe("request log", () => {
  beforeAll(async () => {
    const chat = { model: "gpt-test", user: "ann", temperature: 0, messages: [{ role: "user" as const, content: "the log, twice" }] };
    await openai(a).chat.completions.create(chat, { headers: { "x-request-id": rid("rest-miss"), traceparent: TRACEPARENT } });
    await openai(a).chat.completions.create(chat, { headers: { "x-request-id": rid("rest-hit") } });
    await completion(a, KEYS.globex, rid("grpc")).complete({
      model: "claude-test",
      user: "gus",
      messages: [{ role: Role.USER, content: "over gRPC" }],
    });
    for await (const _ of completion(a, KEYS.globex, rid("grpc-stream")).streamComplete({
      model: "gpt-test",
      messages: [{ role: Role.USER, content: "streamed over gRPC" }],
    }));
    await new Anthropic({ apiKey: KEYS.acme, baseURL: a.httpUrl, maxRetries: 0 }).messages.create(
      { model: "claude-test", max_tokens: 100, messages: [{ role: "user", content: "over Anthropic's face" }] },
      { headers: { "x-request-id": rid("anthropic") } },
    );
    a.upstream.enqueue({ status: 500 });
    await expect(
      openai(a).chat.completions.create(
        { model: "gpt-test", user: "ann", messages: [{ role: "user", content: "this one fails" }] },
        { headers: { "x-request-id": rid("failed") } },
      ),
    ).rejects.toThrow();
    await openai(a).embeddings.create(
      { model: "embed-small", input: "embed me", user: "ann" },
      { headers: { "x-request-id": rid("embed") } },
    );
    const connect = await fetch(`${a.httpUrl}/llmgateway.v1.CompletionService/Complete`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEYS.globex}`, "x-request-id": rid("connect") },
      body: JSON.stringify({ model: "local-echo", messages: [{ role: "ROLE_USER", content: "over Connect JSON" }] }),
    });
    expect(connect.status).toBe(200);
    await openai(a, KEYS.globex).responses.create(
      { model: "gpt-test", input: "over Responses" },
      { headers: { "x-request-id": rid("responses") } },
    );
    // Through replica b, which keeps prompts.
    await openai(b).chat.completions.create(
      { model: "gpt-test", user: "bea", messages: [{ role: "user", content: "keep my words" }] },
      { headers: { "x-request-id": rid("with-prompt") } },
    );
    await flushAll();
  });

  it("finds a REST call made on the other replica, with its metadata and attempts", async () => {
    const e = await one(rid("rest-miss"));
    expect(e).toMatchObject({
      face: "rest-openai",
      method: "chat.completions",
      tenant: "acme",
      user: "ann",
      model: "gpt-test",
      provider: "fake-openai",
      code: "ok",
      reason: "",
      httpStatus: 200,
      cache: "miss",
      prompt: "",
      answer: "",
    });
    expect(e.attempts.map((x) => [x.provider, x.model, x.outcome])).toEqual([["fake-openai", "gpt-4o-mini", "ok"]]);
    expect(Number(e.inputTokens)).toBeGreaterThan(0);
    expect(Number(e.outputTokens)).toBeGreaterThan(0);
    expect(e.costUsd).toBeGreaterThan(0);
    expect(e.latencyMs).toBeGreaterThan(0);
    expect(e.traceId).toBe(TRACE_ID);
    expect(Math.abs(Number(e.timeMs) - Date.now())).toBeLessThan(10 * 60_000);
  });

  it("records a cache hit, gRPC unary and streamed calls, Anthropic's face and an embedding", async () => {
    expect(await one(rid("rest-hit"))).toMatchObject({ cache: "hit_exact", code: "ok", costUsd: 0 });
    expect(await one(rid("grpc"))).toMatchObject({
      face: TEST_FACE,
      method: "CompletionService/Complete",
      tenant: "globex",
      user: "gus",
      model: "claude-test",
      provider: "fake-anthropic",
      httpStatus: 0,
    });
    expect(await one(rid("grpc-stream"))).toMatchObject({ face: TEST_FACE, method: "CompletionService/StreamComplete", code: "ok" });
    expect(await one(rid("anthropic"))).toMatchObject({ face: "rest-anthropic", method: "messages", model: "claude-test", code: "ok" });
    expect(await one(rid("connect"))).toMatchObject({ face: "connect", method: "CompletionService/Complete", provider: "local" });
    expect(await one(rid("responses"))).toMatchObject({ face: "responses", method: "responses.create", tenant: "globex", code: "ok" });
    const embed = await one(rid("embed"));
    expect(embed).toMatchObject({ face: "rest-openai", method: "embeddings", model: "embed-small", provider: "fake-openai", user: "ann" });
    expect(Number(embed.inputTokens)).toBeGreaterThan(0);
    expect(Number(embed.outputTokens)).toBe(0);
  });

  it("records a failed call with its status, reason and the attempt that failed", async () => {
    const e = await one(rid("failed"));
    expect(e).toMatchObject({ code: "unavailable", reason: "UPSTREAM_UNAVAILABLE", model: "gpt-test", user: "ann", tenant: "acme" });
    expect(e.httpStatus).toBeGreaterThanOrEqual(500);
    expect(e.attempts.map((x) => [x.provider, x.outcome])).toEqual([["fake-openai", "UPSTREAM_UNAVAILABLE"]]);
  });

  it("keeps prompts and answers only where log.prompts is on", async () => {
    const kept = await one(rid("with-prompt"));
    expect(JSON.parse(kept.prompt)).toEqual([{ role: "user", content: "keep my words" }]);
    expect(kept.answer).toBe("Hello from the fake upstream, streaming word by word.");
    for (const name of ["rest-miss", "grpc", "anthropic", "embed"]) expect((await one(rid(name))).prompt).toBe("");
  });

  it("filters and pages, newest first, the same as one big page", async () => {
    const acme = await everyPage(b, { tenant: "acme", pageSize: 2 });
    expect(acme.map((e) => e.requestId)).toEqual(
      (await admin(b).listRequests({ tenant: "acme", pageSize: 500 })).entries.map((e) => e.requestId),
    );
    expect(acme.map((e) => e.requestId).filter((r) => r.endsWith(run))).toEqual(
      ["with-prompt", "embed", "failed", "anthropic", "rest-hit", "rest-miss"].map(rid),
    );
    expect((await everyPage(a, { status: "error", pageSize: 1 })).map((e) => e.requestId)).toEqual([rid("failed")]);
    expect((await everyPage(a, { cache: "hit_exact" })).map((e) => e.requestId)).toEqual([rid("rest-hit")]);
    expect((await everyPage(a, { provider: "fake-anthropic" })).map((e) => e.requestId)).toEqual([rid("anthropic"), rid("grpc")]);
    expect((await everyPage(a, { user: "bea", model: "gpt-test" })).map((e) => e.requestId)).toEqual([rid("with-prompt")]);
    const expensive = await everyPage(a, { minCostUsd: 1 });
    expect(expensive).toEqual([]);
    const future = await everyPage(a, { fromTimeMs: BigInt(Date.now() + 60_000) });
    expect(future).toEqual([]);
  });

  it("answers over Connect JSON on the HTTP listener", async () => {
    const { status, body } = await listOverJson(a, { requestId: rid("grpc"), pageSize: 5 });
    expect(status).toBe(200);
    expect(body.entries?.map((e) => [e["requestId"], e["face"], e["tenant"]])).toEqual([[rid("grpc"), TEST_FACE, "globex"]]);
  });

  it("shows a tenant's own key only its own tenant's calls, and refuses it another's", async () => {
    const own = await everyPage(a, {}, KEYS.globex);
    expect(own.length).toBeGreaterThanOrEqual(2);
    expect(new Set(own.map((e) => e.tenant))).toEqual(new Set(["globex"]));
    const err = ConnectError.from(
      await admin(a, KEYS.globex)
        .listRequests({ tenant: "acme" })
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.PermissionDenied);
    const bad = ConnectError.from(
      await admin(a)
        .listRequests({ pageToken: "bm9wZQ" })
        .catch((e: unknown) => e),
    );
    expect(bad.code).toBe(Code.InvalidArgument);
  });

  it("never fails a call when its store is down: the entry is dropped and counted", async () => {
    await redis.stop();
    const answer = await openai(a).chat.completions.create(
      { model: "local-echo", messages: [{ role: "user", content: "while Redis is down" }] },
      { headers: { "x-request-id": rid("redis-down") } },
    );
    expect(answer.choices[0]?.message.content).toBeTruthy();
    await a.app.requestLog!.writer.flush();
    expect(a.app.requestLog!.writer.dropped).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`${a.httpUrl}/metrics`)).text();
    expect(Number(metrics.match(/^llmgw_request_log_dropped_total (\d+)/m)?.[1])).toBeGreaterThanOrEqual(1);
    const err = ConnectError.from(
      await admin(a)
        .listRequests({})
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.Unavailable);
  });
});

describe("request log retention", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ requestLog: { retention: { maxEntries: 2 } } });
  });
  afterAll(() => h?.close());

  it("keeps only the newest maxEntries in the memory ring", async () => {
    for (const n of ["one", "two", "three"])
      await openai(h).chat.completions.create(
        { model: "local-echo", messages: [{ role: "user", content: n }] },
        { headers: { "x-request-id": rid(n) } },
      );
    await h.app.requestLog!.writer.flush();
    const { entries } = await createClient(AdminService, h.rpcTransport()).listRequests({});
    expect(entries.map((e) => e.requestId)).toEqual([rid("three"), rid("two")]);
    expect(entries.map((e) => e.tenant)).toEqual(["anonymous", "anonymous"]);
  });
});
