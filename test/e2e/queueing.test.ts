import { Code, ConnectError, createClient } from "@connectrpc/connect";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { HealthService } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";
import { manualClock } from "../support/manual-clock.js";

const N = 3;
const TEN_MINUTES = 600_000;
let open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

async function start(options: Parameters<typeof startHarness>[0]): Promise<Harness> {
  const h = await startHarness(options);
  open.push(h);
  return h;
}

/** Asks HealthService until `ready` holds: each look is a round trip to the gateway, never a timed wait. */
async function until(h: Harness, ready: (r: Awaited<ReturnType<ReturnType<typeof healthOf>["check"]>>) => boolean) {
  const health = healthOf(h);
  for (let i = 0; i < 500; i++) {
    const r = await health.check({});
    if (ready(r)) return r;
  }
  throw new Error("the gateway never reached the state waited for");
}
const healthOf = (h: Harness) => createClient(HealthService, h.rpcTransport());

const ask = (user: string, priority?: number) => ({
  model: "local-echo",
  user,
  messages: [{ role: Role.USER, content: "hi" }],
  ...(priority === undefined ? {} : { priority }),
});

describe("queueing instead of refusing (gRPC, rate limits)", () => {
  it("under N per minute, a burst of 3N: those that fit their deadlines succeed as the minutes pass, the rest are refused at once", async () => {
    const clock = manualClock(1_000);
    const h = await start({ clock, limits: { requestsPerMinute: N } });
    const client = createClient(CompletionService, h.rpcTransport());
    const outcomes: { i: number; ok: boolean; at: number; code?: Code; reason?: string }[] = [];
    // Generous deadlines for the first 2N; 90 s for the last N, which would be served only after two minutes.
    const calls = Array.from({ length: 3 * N }, (_, i) =>
      client.complete(ask("ann"), { timeoutMs: i < 2 * N ? TEN_MINUTES : 90_000 }).then(
        () => outcomes.push({ i, ok: true, at: clock.monotonic() }),
        (e: unknown) => {
          const err = ConnectError.from(e);
          outcomes.push({ i, ok: false, at: clock.monotonic(), code: err.code, reason: err.findDetails(ErrorInfoSchema)[0]?.reason ?? "" });
        },
      ),
    );
    // N are admitted at once; N wait; the N with 90 s are refused without waiting.
    const waiting = await until(h, (r) => r.queue?.rateLimitDepth === N && outcomes.length === 2 * N);
    expect(waiting.queue?.rateLimitDepth).toBe(N);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(N);
    const refused = outcomes.filter((o) => !o.ok);
    expect(refused.map((o) => [o.code, o.reason, o.at])).toEqual(Array(N).fill([Code.ResourceExhausted, "RATE_LIMITED", 1_000]));
    clock.advance(60_000);
    await Promise.all(calls);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2 * N);
    expect(outcomes.filter((o) => o.ok && o.at === 61_000)).toHaveLength(N);
    expect((await healthOf(h).check({})).queue?.rateLimitDepth).toBe(0);
  });

  it("lets a priority call overtake, and refuses a priority out of range naming the field", async () => {
    const clock = manualClock(1_000);
    const h = await start({ clock, limits: { requestsPerMinute: 1 } });
    const client = createClient(CompletionService, h.rpcTransport());
    await client.complete(ask("bo"));
    const order: string[] = [];
    const low = client.complete(ask("bo", 1), { timeoutMs: TEN_MINUTES }).then(() => order.push("low"));
    await until(h, (r) => r.queue?.rateLimitDepth === 1);
    const high = client.complete(ask("bo", 9), { timeoutMs: TEN_MINUTES }).then(() => order.push("high"));
    await until(h, (r) => r.queue?.rateLimitDepth === 2);
    clock.advance(60_000);
    await high;
    clock.advance(60_000);
    await low;
    expect(order).toEqual(["high", "low"]);
    const bad = ConnectError.from(await client.complete(ask("bo", 12)).catch((e: unknown) => e));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.findDetails(ErrorInfoSchema)[0]?.metadata["field"]).toBe("priority");
  });

  it("lets a cancelled waiting call leave at once, counted as no provider's failure", async () => {
    const clock = manualClock(1_000);
    const h = await start({ clock, limits: { requestsPerMinute: 1 } });
    const client = createClient(CompletionService, h.rpcTransport());
    await client.complete(ask("cy"));
    const controller = new AbortController();
    const cancelled = client.complete(ask("cy"), { timeoutMs: TEN_MINUTES, signal: controller.signal }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    await until(h, (r) => r.queue?.rateLimitDepth === 1);
    controller.abort();
    expect((await cancelled)?.code).toBe(Code.Canceled);
    const after = await until(h, (r) => r.queue?.rateLimitDepth === 0);
    expect(after.deployments.every((d) => d.failures === 0n)).toBe(true);
    const metrics = await (await fetch(`${h.httpUrl}/metrics`)).text();
    expect(metrics).toContain('llmgw_queue_wait_seconds_count{queue="rate",outcome="cancelled"} 1');
    expect(metrics).toContain('llmgw_queue_depth{queue="rate",model="",deployment=""} 0');
  });
});

describe("queueing instead of refusing (REST, a deployment's concurrency cap)", () => {
  const capped = { name: "capped", deployments: [{ provider: "fake-openai", upstreamModel: "gpt-4o-mini", maxConcurrent: 1 }] };

  it("never has more than the cap in flight upstream: a call waits for the slot, and a cancelled one leaves without an upstream call", async () => {
    const clock = manualClock(1_000);
    const h = await start({ clock, extraModels: [capped] });
    const sdk = new OpenAI({ apiKey: "unused", baseURL: `${h.httpUrl}/v1`, maxRetries: 0 });
    const body = { model: "capped", messages: [{ role: "user" as const, content: "hi" }] };
    // The first call holds the only slot: its upstream answer never comes until it is cancelled.
    h.upstream.enqueue({ hang: true });
    const holder = new AbortController();
    const first = sdk.chat.completions.create(body, { signal: holder.signal }).catch((e: unknown) => e);
    await until(h, () => h.upstream.requests.length === 1);
    const second = sdk.chat.completions.create(body, { headers: { "x-llm-gateway-priority": "7" } });
    const leaver = new AbortController();
    const third = sdk.chat.completions.create(body, { signal: leaver.signal }).catch((e: unknown) => e);
    const waiting = await until(h, (r) => r.queue?.concurrencyDepth === 2);
    const d = waiting.deployments.find((x) => x.model === "capped");
    expect(d).toMatchObject({ maxConcurrent: 1, inFlight: 1, queueDepth: 2 });
    expect(h.upstream.requests).toHaveLength(1);
    leaver.abort();
    await third;
    await until(h, (r) => r.queue?.concurrencyDepth === 1);
    // The holder ends: its slot passes to the waiting call, which is answered; the cancelled one never went upstream.
    holder.abort();
    await first;
    const answer = await second;
    expect(answer.choices[0]?.message.content).toBeTruthy();
    expect(h.upstream.requests).toHaveLength(2);
    expect(h.upstream.requests[0]?.aborted).toBe(true);
    const after = await until(h, (r) => r.deployments.find((x) => x.model === "capped")?.inFlight === 0);
    expect(after.deployments.find((x) => x.model === "capped")).toMatchObject({ inFlight: 0, queueDepth: 0, failures: 0n });
  });

  it("passes over a full deployment when the wait would outlive the deadline, to a fallback with room (gRPC)", async () => {
    const clock = manualClock(1_000);
    const spill = {
      name: "spill",
      deployments: [
        { provider: "fake-openai", upstreamModel: "gpt-4o-mini", maxConcurrent: 1 },
        { provider: "fake-anthropic", upstreamModel: "claude-haiku-4-5" },
      ],
    };
    const h = await start({ clock, extraModels: [spill] });
    const client = createClient(CompletionService, h.rpcTransport());
    h.upstream.enqueue({ hang: true });
    const holder = new AbortController();
    const first = client.complete({ ...ask("dee"), model: "spill" }, { signal: holder.signal }).catch((e: unknown) => e);
    await until(h, () => h.upstream.requests.length === 1);
    // A 3 s deadline: it waits for the slot until 2 s (the 1 s reserve), then goes to the fallback.
    const second = client.complete({ ...ask("dee"), model: "spill" }, { timeoutMs: 3_000 });
    await until(h, (r) => r.queue?.concurrencyDepth === 1);
    clock.advance(2_000);
    const { completion } = await second;
    expect(completion?.provider).toBe("fake-anthropic");
    expect(completion?.attempts.map((a) => [a.provider, a.errorReason])).toEqual([
      ["fake-openai", "CAPACITY_EXHAUSTED"],
      ["fake-anthropic", ""],
    ]);
    holder.abort();
    await first;
    // The holder's cancel reaches the gateway a little after the client gives up: its slot is then given back.
    const spilled = (r: Awaited<ReturnType<typeof until>>) =>
      r.deployments.find((d) => d.model === "spill" && d.provider === "fake-openai");
    const after = await until(h, (r) => spilled(r)?.inFlight === 0);
    // Passed over for being full is no failure of the deployment's.
    expect(spilled(after)).toMatchObject({ failures: 0n, inFlight: 0 });
  });

  it("refuses a bad priority header naming it", async () => {
    const h = await start({});
    const res = await fetch(`${h.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-llm-gateway-priority": "high" },
      body: JSON.stringify({ model: "local-echo", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("x-llm-gateway-priority");
  });
});
