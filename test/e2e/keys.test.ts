import { toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { GetKeyResponseSchema, KeyService, ListKeysResponseSchema } from "../../gen/ts/llmgateway/v1/key_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { bearer, digest } from "../support/auth.js";
import { manualClock } from "../support/manual-clock.js";
import { startHarness, type Harness } from "../support/harness.js";
import { redisForFile } from "../support/redis.js";

const redis = redisForFile();

const KEYS = { root: "sk-root-admin-1", acme: "sk-acme-keyadmin-2", globex: "sk-globex-keyadmin-3" };
const auth = {
  tenants: [
    { name: "root", keys: [{ sha256: digest(KEYS.root) }], admin: true },
    {
      name: "acme",
      keys: [{ sha256: digest(KEYS.acme) }],
      keyAdmin: true,
      allowedModels: ["local-echo", "gpt-test"],
      projects: [{ name: "search" }],
    },
    { name: "globex", keys: [{ sha256: digest(KEYS.globex) }], keyAdmin: true, projects: [{ name: "paging" }] },
  ],
};

const ask = (model = "local-echo") => ({ model, messages: [{ role: Role.USER, content: "hi" }] });
const keysOf = (h: Harness, key: string) => createClient(KeyService, h.rpcTransport({ interceptors: [bearer(key)] }));
const completionsOf = (h: Harness, key: string) => createClient(CompletionService, h.rpcTransport({ interceptors: [bearer(key)] }));
const openai = (h: Harness, key: string) => new OpenAI({ baseURL: `${h.httpUrl}/v1`, apiKey: key, maxRetries: 0 });
const chat = (h: Harness, key: string, model = "local-echo") =>
  openai(h, key).chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });

async function failure(p: Promise<unknown>): Promise<ConnectError> {
  return ConnectError.from(
    await p.then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
}
async function restFailure(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof OpenAI.APIError)) throw new Error(`expected an API error, got ${String(err)}`);
  return err;
}
const reasonOf = (e: ConnectError) => e.findDetails(ErrorInfoSchema)[0];

/** Resolves when a replica hears that a key changed (its cache has already dropped the key by then). */
const heardOn = (h: Harness, id: string) =>
  new Promise<void>((resolve) => {
    const off = h.app.keys.store.onChange((changed) => {
      if (changed === id) {
        off();
        resolve();
      }
    });
  });

describe("runtime keys across two replicas on one Redis", () => {
  let a: Harness;
  let b: Harness;
  const logs: string[] = [];
  beforeAll(async () => {
    [a, b] = (await Promise.all(
      [0, 1].map(() =>
        startHarness({
          auth,
          keys: { store: "redis" },
          limits: { store: "redis" },
          redisUrl: redis.server.url,
          logSink: (line) => logs.push(line),
        }),
      ),
    )) as [Harness, Harness];
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("makes a key on one replica that works at once on the other, over REST (openai SDK) and gRPC, within its models", async () => {
    const made = await keysOf(a, KEYS.acme).createKey({
      name: "ci",
      project: "search",
      allowedModels: ["local-echo"],
      metadata: { owner: "ann" },
    });
    expect(made.key).toMatchObject({
      tenant: "acme",
      project: "search",
      allowedModels: ["local-echo"],
      secretPrefix: made.secret.slice(0, 12),
    });
    expect((await chat(b, made.secret)).choices[0]?.message.content).toBeTruthy();
    expect((await completionsOf(b, made.secret).complete(ask())).completion?.provider).toBe("local");
    // Its tenant may use gpt-test; the key may not, on every face.
    const grpcRefusal = await failure(completionsOf(b, made.secret).complete(ask("gpt-test")));
    expect(grpcRefusal.code).toBe(Code.PermissionDenied);
    expect(reasonOf(grpcRefusal)).toMatchObject({ reason: "MODEL_NOT_ALLOWED", metadata: { key_id: made.key!.id } });
    expect((await restFailure(chat(a, made.secret, "gpt-test"))).status).toBe(403);
    expect((await openai(b, made.secret).models.list()).data.map((m) => m.id)).toEqual(["local-echo"]);
  });

  it("refuses a key revoked on one replica on both, as soon as the other hears of it", async () => {
    const { key, secret } = await keysOf(a, KEYS.root).createKey({ tenant: "globex", name: "to revoke" });
    // Both replicas have it cached: the revocation must reach past the cache.
    await completionsOf(a, secret).complete(ask());
    await completionsOf(b, secret).complete(ask());
    const heard = heardOn(b, key!.id);
    const revoked = await keysOf(a, KEYS.globex).revokeKey({ id: key!.id });
    expect(revoked.key?.revokeTimeMs).toBeGreaterThan(0n);
    await heard;
    for (const h of [a, b]) {
      const err = await failure(completionsOf(h, secret).complete(ask()));
      expect(err.code).toBe(Code.Unauthenticated);
      expect(err.rawMessage).toBe("the API key was revoked");
      expect(reasonOf(err)?.metadata["why"]).toBe("revoked");
      const rest = await restFailure(chat(h, secret));
      expect(rest.status).toBe(401);
      expect(rest.message).toContain("revoked");
    }
  });

  it("rotates on one replica: the new secret works on the other at once, and the old one during its grace", async () => {
    const made = await keysOf(a, KEYS.acme).createKey({ name: "rotating" });
    await completionsOf(b, made.secret).complete(ask());
    const heard = heardOn(b, made.key!.id);
    const rotated = await keysOf(a, KEYS.acme).rotateKey({ id: made.key!.id, graceSeconds: 600n });
    await heard;
    expect(rotated.secret).not.toBe(made.secret);
    expect(rotated.key?.previousSecretValidUntilMs).toBeGreaterThan(BigInt(Date.now()));
    for (const secret of [made.secret, rotated.secret]) expect((await completionsOf(b, secret).complete(ask())).completion).toBeDefined();
    // Rotating again with no grace ends both earlier secrets.
    const again = await keysOf(a, KEYS.acme).rotateKey({ id: made.key!.id, graceSeconds: 0n });
    for (const old of [made.secret, rotated.secret])
      expect((await failure(completionsOf(a, old).complete(ask()))).code).toBe(Code.Unauthenticated);
    expect((await chat(b, again.secret)).choices).toHaveLength(1);
  });

  it("keeps tenants apart: a key admin cannot see or change another tenant's keys, and a runtime key manages none", async () => {
    const globexKey = (await keysOf(a, KEYS.globex).createKey({ name: "globex's" })).key!;
    const acme = keysOf(b, KEYS.acme);
    for (const op of [acme.getKey({ id: globexKey.id }), acme.revokeKey({ id: globexKey.id }), acme.rotateKey({ id: globexKey.id })]) {
      const err = await failure(op);
      expect(err.code).toBe(Code.NotFound);
    }
    expect((await failure(acme.createKey({ tenant: "globex", name: "x" }))).code).toBe(Code.PermissionDenied);
    expect((await failure(acme.listKeys({ tenant: "globex" }))).code).toBe(Code.PermissionDenied);
    expect((await acme.listKeys({})).keys.every((k) => k.tenant === "acme")).toBe(true);
    expect((await keysOf(b, KEYS.globex).getKey({ id: globexKey.id })).key?.name).toBe("globex's");
    // A runtime key, even of a key-admin tenant, cannot mint keys.
    const runtime = await keysOf(a, KEYS.acme).createKey({ name: "worker" });
    const err = await failure(keysOf(a, runtime.secret).createKey({ name: "escalation" }));
    expect(err.code).toBe(Code.PermissionDenied);
  });

  it("refuses bad input with InvalidArgument naming the field", async () => {
    const acme = keysOf(a, KEYS.acme);
    const cases: [Promise<unknown>, string][] = [
      [acme.createKey({ name: "wide", allowedModels: ["claude-test"] }), "allowed_models"],
      [acme.createKey({ name: "" }), "name"],
      [acme.createKey({ name: "old", expireTimeMs: 1n }), "expire_time_ms"],
      [acme.createKey({ name: "neg", limits: { requestsPerMinute: -1n } }), "limits.requests_per_minute"],
      [acme.rotateKey({ id: "key_0000000000000000", graceSeconds: 10n ** 9n }), "grace_seconds"],
      [acme.listKeys({ pageSize: 5000 }), "page_size"],
    ];
    for (const [call, field] of cases) {
      const err = await failure(call);
      expect(err.code).toBe(Code.InvalidArgument);
      expect(reasonOf(err)).toMatchObject({ reason: "INVALID_REQUEST", metadata: { field } });
    }
  });

  it("applies a key's own rate limits beside its tenant's, on every replica", async () => {
    const { secret } = await keysOf(a, KEYS.acme).createKey({ name: "slow", limits: { requestsPerMinute: 2n } });
    expect((await completionsOf(a, secret).complete(ask())).completion).toBeDefined();
    expect((await chat(b, secret)).choices).toHaveLength(1);
    const err = await failure(completionsOf(b, secret).complete(ask()));
    expect(err.code).toBe(Code.ResourceExhausted);
    // The tenant's configured key is not held back by its runtime key's limit.
    expect((await completionsOf(a, KEYS.acme).complete(ask())).completion).toBeDefined();
  });

  it("never shows a secret again: not in GetKey, ListKeys, nor any log line", async () => {
    const { key, secret } = await keysOf(a, KEYS.acme).createKey({ name: "quiet", metadata: { purpose: "audit" } });
    await chat(b, secret);
    await failure(completionsOf(a, secret).complete(ask("claude-test")));
    const got = await keysOf(b, KEYS.acme).getKey({ id: key!.id });
    const listed = await keysOf(b, KEYS.root).listKeys({ tenant: "acme", pageSize: 1000 });
    expect(listed.keys.map((k) => k.id)).toContain(key!.id);
    const shown = toJsonString(GetKeyResponseSchema, got) + toJsonString(ListKeysResponseSchema, listed);
    expect(shown).toContain(secret.slice(0, 12));
    expect(shown).not.toContain(secret);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((l) => l.includes(secret.slice(12)))).toEqual([]);
  });

  it("answers Connect JSON on the HTTP listener, as curl sends it", async () => {
    const post = (method: string, key: string, body: object) =>
      fetch(`${b.httpUrl}/llmgateway.v1.KeyService/${method}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const created = (await (
      await post("CreateKey", KEYS.root, { tenant: "acme", name: "curl", expireTimeMs: String(Date.now() + 86_400_000) })
    ).json()) as {
      key: { id: string; tenant: string };
      secret: string;
    };
    expect(created.key.tenant).toBe("acme");
    expect((await chat(a, created.secret)).choices).toHaveLength(1);
    const refused = await post("CreateKey", created.secret, { name: "from a runtime key" });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("permission_denied");
  });

  it("pages through a tenant's keys, newest first", async () => {
    const globex = keysOf(a, KEYS.globex);
    for (const name of ["p1", "p2", "p3"]) await globex.createKey({ name, project: "paging" });
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await globex.listKeys({ pageSize: 2, pageToken });
      seen.push(...page.keys.filter((k) => k.project === "paging").map((k) => k.name));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(["p3", "p2", "p1"]);
  });
});

describe("runtime keys in time (the gateway's clock driven by the test)", () => {
  let h: Harness;
  const clock = manualClock(Date.UTC(2026, 10, 29, 12));
  beforeAll(async () => {
    h = await startHarness({ auth, clock });
  });
  afterAll(() => h.close());

  it("refuses a key from its expiry time on, saying it expired", async () => {
    const { secret, key } = await keysOf(h, KEYS.root).createKey({
      tenant: "acme",
      name: "temp",
      expireTimeMs: BigInt(clock.now() + 60_000),
    });
    expect(key?.expireTimeMs).toBe(BigInt(clock.now() + 60_000));
    expect((await completionsOf(h, secret).complete(ask())).completion).toBeDefined();
    clock.advance(59_999);
    expect((await chat(h, secret)).choices).toHaveLength(1);
    clock.advance(1);
    const err = await failure(completionsOf(h, secret).complete(ask()));
    expect([err.code, err.rawMessage]).toEqual([Code.Unauthenticated, "the API key expired"]);
    expect((await restFailure(chat(h, secret))).message).toContain("expired");
  });

  it("accepts the old secret until its grace ends, then refuses it; the new one goes on", async () => {
    const made = await keysOf(h, KEYS.acme).createKey({ name: "rotating" });
    const rotated = await keysOf(h, KEYS.acme).rotateKey({ id: made.key!.id, graceSeconds: 30n });
    clock.advance(29_999);
    expect((await completionsOf(h, made.secret).complete(ask())).completion).toBeDefined();
    clock.advance(1);
    const err = await failure(completionsOf(h, made.secret).complete(ask()));
    expect(err.code).toBe(Code.Unauthenticated);
    expect(reasonOf(err)?.metadata["why"]).toBe("rotated");
    expect((await completionsOf(h, rotated.secret).complete(ask())).completion).toBeDefined();
  });
});
