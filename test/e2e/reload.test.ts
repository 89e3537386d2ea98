import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { digest } from "../support/auth.js";
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from "../support/fake-upstream.js";
import { ADMIN_KEY, startReloadGateway, USER_KEY, type ReloadGateway } from "../support/reload-gateway.js";

let a: FakeUpstream;
let b: FakeUpstream;
let broken: FakeUpstream;
let gw: ReloadGateway;

const lastContent = (r: RecordedRequest) => (r.body["messages"] as { content: string }[] | undefined)?.at(-1)?.content;

/** The configuration the test starts from; each step of a test changes a copy. */
function baseConfig() {
  return {
    server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, shutdownGraceMs: 500, playground: false },
    log: { level: "info" },
    // Breakers open after two failures and stay open for the whole test.
    resilience: {
      breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 600_000, rollingWindowMs: 600_000 },
      retry: { budgetRatio: 0, budgetBurst: 0 },
    },
    auth: {
      tenants: [
        { name: "ops", admin: true, keys: [{ sha256: digest(ADMIN_KEY) }] },
        { name: "load", keys: [{ sha256: digest(USER_KEY) }], limits: { requestsPerMinute: 1_000_000 } },
      ] as { name: string; admin?: boolean; keys: { sha256: string }[]; limits?: { requestsPerMinute: number } }[],
    },
    providers: [
      { name: "p-a", kind: "openai-compatible", baseUrl: a.openAiBaseUrl, apiKey: "sk-a", timeoutMs: 10_000 },
      { name: "p-b", kind: "openai-compatible", baseUrl: a.openAiBaseUrl, apiKey: "sk-b", timeoutMs: 10_000 },
      { name: "p-broken", kind: "openai-compatible", baseUrl: broken.openAiBaseUrl, apiKey: "sk-c", timeoutMs: 10_000 },
    ],
    models: [
      { name: "steady", provider: "p-a", upstreamModel: "gpt-4o-mini" },
      { name: "moving", provider: "p-b", upstreamModel: "gpt-4o-mini" },
      { name: "spare", provider: "p-a", upstreamModel: "gpt-spare" },
      { name: "broken", provider: "p-broken", upstreamModel: "gpt-4o-mini" },
    ],
    defaultModel: "steady",
  };
}

type Config = ReturnType<typeof baseConfig>;

beforeAll(async () => {
  [a, b, broken] = await Promise.all([startFakeUpstream(), startFakeUpstream(), startFakeUpstream()]);
  // Streams last a few milliseconds, so that reloads land while calls are in flight; "slow" lasts longer.
  for (const u of [a, b]) {
    u.setScript((r) => (lastContent(r) === "slow" ? { text: "one two three four five six seven eight", chunkDelayMs: 25 } : undefined));
    u.setDefault({ chunkDelayMs: 1 });
  }
  broken.setDefault({ status: 500 });
  gw = await startReloadGateway(baseConfig());
});
afterAll(async () => {
  await gw?.close();
  await Promise.all([a, b, broken].map((u) => u?.close()));
});

const ask = (model: string, content = "hello") => ({ model, user: "u", messages: [{ role: Role.USER, content }] });

/** One call of each kind the faces offer; each resolves to "ok" or throws what went wrong. */
const calls = {
  async grpcUnary(model: string) {
    const r = await gw.completion().complete(ask(model));
    if (!r.completion?.message?.content) throw new Error("gRPC unary: empty answer");
  },
  async grpcStream(model: string) {
    let last: string | undefined;
    for await (const e of gw.completion().streamComplete(ask(model))) last = e.event.case;
    if (last !== "completion") throw new Error(`gRPC stream ended with ${last}`);
  },
  async restUnary(model: string) {
    const res = await rest(model, false);
    const body = (await res.json()) as { choices?: { message?: { content?: string } }[] };
    if (res.status !== 200 || !body.choices?.[0]?.message?.content) throw new Error(`REST unary: ${res.status} ${JSON.stringify(body)}`);
  },
  async restStream(model: string) {
    const res = await rest(model, true);
    const text = await res.text();
    if (res.status !== 200 || !text.trimEnd().endsWith("data: [DONE]")) throw new Error(`REST stream: ${res.status} ${text.slice(-200)}`);
  },
};

const rest = (model: string, stream: boolean, content = "hello") =>
  fetch(`${gw.httpUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${USER_KEY}` },
    body: JSON.stringify({ model, user: "u", stream, messages: [{ role: "user", content }] }),
  });

/** Calls of every kind, several at once, on the given models, until stopped; every failure is kept. */
function load(models: () => string[], workers = 8) {
  const kinds = Object.keys(calls) as (keyof typeof calls)[];
  const done: Record<string, number> = {};
  const failures: string[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = w; running; i++) {
      const kind = kinds[i % kinds.length]!;
      const ms = models();
      const model = ms[i % ms.length]!;
      try {
        await calls[kind](model);
        done[kind] = (done[kind] ?? 0) + 1;
      } catch (err) {
        failures.push(`${kind} ${model}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  });
  return {
    done,
    failures,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe("configuration reload under load", () => {
  it("swaps four times with 0 failed calls; new calls see each new configuration; an unchanged deployment's open breaker stays open", async () => {
    // Open the breaker of an unchanged deployment before any reload.
    for (let i = 0; i < 3; i++) await calls.grpcUnary("broken").catch(() => undefined);
    expect(gw.app.gateway.breakers.state("p-broken/gpt-4o-mini")).toBe("open");

    const admin = gw.admin();
    const config: Config = baseConfig();
    const traffic = load(() => ["steady", "moving"]);

    // 1. Add a model.
    config.models.push({ name: "added", provider: "p-a", upstreamModel: "gpt-added" });
    gw.write(config);
    const added = await admin.reloadConfig({});
    expect(added.models).toMatchObject({ added: ["added"], removed: [], changed: [] });
    await calls.restUnary("added");

    // 2. Remove a model no call is using.
    config.models = config.models.filter((m) => m.name !== "spare");
    gw.write(config);
    expect((await admin.reloadConfig({})).models).toMatchObject({ added: [], removed: ["spare"] });
    const gone = await calls.grpcUnary("spare").catch((e: unknown) => ConnectError.from(e));
    expect(gone).toBeInstanceOf(ConnectError);
    expect((gone as ConnectError).code).toBe(Code.NotFound);

    // 3. Move a deployment to another upstream, with a slow stream in flight on the old one: it finishes there.
    const slow = gw.completion().streamComplete(ask("moving", "slow"))[Symbol.asyncIterator]();
    expect((await slow.next()).value?.event.case).toBe("delta");
    const onB = b.requests.length;
    config.providers = config.providers.map((p) => (p.name === "p-b" ? { ...p, baseUrl: b.openAiBaseUrl } : p));
    gw.write(config);
    const moved = await admin.reloadConfig({});
    expect(moved.providers?.changed).toEqual(["p-b"]);
    expect(moved.freshDeployments).toEqual(["p-b/gpt-4o-mini"]);
    let last: string | undefined;
    for (let r = await slow.next(); !r.done; r = await slow.next()) last = r.value.event.case;
    expect(last).toBe("completion");
    expect(b.requests.slice(onB).some((r) => lastContent(r) === "slow")).toBe(false);
    await calls.grpcStream("moving");
    expect(b.requests.length).toBeGreaterThan(onB);

    // 4. Change a tenant's limits, this time through the app (as SIGHUP does).
    config.auth.tenants[1] = { ...config.auth.tenants[1]!, limits: { requestsPerMinute: 2_000_000 } };
    gw.write(config);
    const limited = await gw.app.reload();
    expect(limited.ok && limited.changes.tenants.changed).toEqual(["load"]);
    expect((await admin.getTenantStatus({ tenant: "load" })).requestsPerMinute).toBe(2_000_000n);

    await traffic.stop();
    expect(traffic.failures).toEqual([]);
    // Every kind of call ran, several times, while the swaps happened.
    for (const kind of Object.keys(calls)) expect(traffic.done[kind] ?? 0, kind).toBeGreaterThan(5);
    expect(gw.app.gateway.breakers.state("p-broken/gpt-4o-mini")).toBe("open");
    const metrics = await (await fetch(`${gw.httpUrl}/metrics`)).text();
    expect(metrics).toContain('llmgw_config_reloads_total{result="ok"} 4');
  });

  it("refuses a bad file, a file that breaks a reference and a restart-only change, with start-up's reason, and keeps serving the old one", async () => {
    const admin = gw.admin();
    const good = await admin.reloadConfig({}).catch((e: unknown) => ConnectError.from(e));
    expect(good).not.toBeInstanceOf(ConnectError);
    const models = gw.app.gateway.catalog.models.map((m) => m.name);
    const unknownProvider = baseConfig();
    unknownProvider.models.push({ name: "orphan", provider: "p-nowhere", upstreamModel: "x" });
    const newPort = baseConfig();
    newPort.server.grpcPort = 1;
    const cases: [string, object | string, string | undefined][] = [
      ["not JSON", "{ models: [", undefined],
      ["an unknown provider", unknownProvider, undefined],
      ["a new port", newPort, "server changed: these settings need a restart, not a reload"],
    ];
    for (const [what, file, reason] of cases) {
      gw.write(file);
      const expected = reason ?? gw.startupError();
      expect(expected, what).toBeTruthy();
      const err = ConnectError.from(await admin.reloadConfig({}).catch((e: unknown) => e));
      expect(err.code, what).toBe(Code.FailedPrecondition);
      expect(err.rawMessage, what).toContain(expected);
      expect(
        gw.logs.some((l) => l.includes("configuration reload refused") && l.includes(JSON.stringify(expected!).slice(1, -1))),
        what,
      ).toBe(true);
    }
    expect(gw.app.gateway.catalog.models.map((m) => m.name)).toEqual(models);
    await calls.restStream("steady");
    await calls.grpcUnary("steady");
    const metrics = await (await fetch(`${gw.httpUrl}/metrics`)).text();
    expect(metrics).toContain('llmgw_config_reloads_total{result="refused"} 3');
  });

  it("takes new cache settings: with cacheWhen all, a sampled call is answered from the cache", async () => {
    const cacheStatus = async () => (await rest("steady", false, "cache me")).headers.get("x-cache-status");
    gw.write(baseConfig());
    await gw.admin().reloadConfig({});
    expect(await cacheStatus()).toBe("bypass");
    gw.write({ ...baseConfig(), cache: { cacheWhen: "all" } });
    const changed = await gw.admin().reloadConfig({});
    expect(changed.sections).toEqual(["cache"]);
    expect(await cacheStatus()).toBe("miss");
    expect(await cacheStatus()).toBe("hit_exact");
  });

  it("is for admin keys only", async () => {
    const err = ConnectError.from(
      await gw
        .admin(USER_KEY)
        .reloadConfig({})
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.PermissionDenied);
  });
});
