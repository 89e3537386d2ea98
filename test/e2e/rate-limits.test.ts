import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { HealthService, ServingStatus } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";
import { redisForFile } from "../support/redis.js";

const redis = redisForFile();

const ask = (user: string) => ({ model: "local-echo", user, messages: [{ role: Role.USER, content: "hi" }] });
const clientOf = (h: Harness) => createClient(CompletionService, h.rpcTransport());
const start = async (limits: Record<string, unknown>, redisUrl?: string) =>
  redis.track(await startHarness({ limits, ...(redisUrl ? { redisUrl } : {}) }));

describe("rate limits", () => {
  it("refuses past the limit with ResourceExhausted, the retry delay in ErrorInfo, RetryInfo and retry-after", async () => {
    const h = await start({ requestsPerMinute: 2 });
    const client = clientOf(h);
    await client.complete(ask("ann"));
    await client.complete(ask("ann"));
    let headers: Headers | undefined;
    const err = ConnectError.from(await client.complete(ask("ann"), { onHeader: (hd) => (headers = hd) }).catch((e: unknown) => e));
    expect(err.code).toBe(Code.ResourceExhausted);
    const info = err.findDetails(ErrorInfoSchema)[0];
    expect(info?.reason).toBe("RATE_LIMITED");
    expect(info?.metadata["limit"]).toBe("rpm");
    expect(Number(info?.metadata["retry_after_ms"])).toBeGreaterThan(55_000);
    expect(Number(err.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBeGreaterThan(55);
    expect(Number(err.metadata.get("retry-after") ?? headers?.get("retry-after"))).toBeGreaterThan(55);
    // Another caller is not affected.
    expect((await client.complete(ask("bob"))).completion?.provider).toBe("local");
  });

  it("two replicas sharing one Redis admit no more than the limit together, under concurrent load", async () => {
    const limit = 25;
    const [a, b] = await Promise.all([
      start({ requestsPerMinute: limit, store: "redis" }, redis.server.url),
      start({ requestsPerMinute: limit, store: "redis" }, redis.server.url),
    ]);
    const clients = [clientOf(a!), clientOf(b!)];
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        clients[i % 2]!.complete(ask("shared")).then(
          () => "ok",
          (e: unknown) => ConnectError.from(e).code,
        ),
      ),
    );
    const admitted = results.filter((r) => r === "ok").length;
    expect(admitted).toBe(limit);
    expect(results.filter((r) => r === Code.ResourceExhausted)).toHaveLength(100 - limit);
  });

  it("fails open while Redis is down (by default), says so in health, and enforces limits again when it returns", async () => {
    const h = await start({ requestsPerMinute: 1, store: "redis" }, redis.server.url);
    const client = clientOf(h);
    const health = createClient(HealthService, h.rpcTransport());
    await client.complete(ask("cy"));
    await redis.server.stop();
    // Down: calls pass (fail open) and health shows Redis not serving.
    for (let i = 0; i < 3; i++) expect((await client.complete(ask("cy"))).completion?.provider).toBe("local");
    const down = await health.check({});
    expect(down.dependencies.find((d) => d.name === "redis")?.status).toBe(ServingStatus.NOT_SERVING);
    expect(down.status).toBe(ServingStatus.DEGRADED);
    // Back: the client reconnects by itself and limits hold again.
    await redis.server.start();
    let refused = false;
    for (let i = 0; i < 100 && !refused; i++) {
      const r = await client.complete(ask("dee")).then(
        () => "ok",
        (e: unknown) => ConnectError.from(e).code,
      );
      refused = r === Code.ResourceExhausted;
      if (!refused) await new Promise((r) => setTimeout(r, 50));
    }
    expect(refused).toBe(true);
    expect((await health.check({})).dependencies.find((d) => d.name === "redis")?.status).toBe(ServingStatus.SERVING);
  });

  it("fails closed when configured to: Unavailable while Redis is down", async () => {
    const h = await start({ requestsPerMinute: 10, store: "redis", onStoreError: "closed" }, redis.server.url);
    const client = clientOf(h);
    await client.complete(ask("eve"));
    await redis.server.stop();
    const err = ConnectError.from(await client.complete(ask("eve")).catch((e: unknown) => e));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("LIMITER_UNAVAILABLE");
  });

  it("limits tokens per minute with the reservation settled by real usage", async () => {
    // local-echo allows 256 output tokens: each call reserves its prompt estimate plus 256.
    const h = await start({ tokensPerMinute: 600 });
    const client = clientOf(h);
    await client.complete(ask("fay"));
    await client.complete(ask("fay"));
    // Settled to real usage (about 25 tokens each), so a third call fits where reservations alone would not.
    await new Promise((r) => setTimeout(r, 20));
    expect((await client.complete(ask("fay"))).completion?.provider).toBe("local");
  });

  it("gives back the tokens of a stream that failed before any text", async () => {
    // gpt-test reserves its prompt plus 4096 output tokens: two such reservations do not fit in 5000.
    const h = await start({ tokensPerMinute: 5_000 });
    const client = clientOf(h);
    h.upstream.enqueue({ status: 503 });
    const failed = await (async () => {
      for await (const _ of client.streamComplete({ ...ask("gil"), model: "gpt-test" })) void _;
    })().catch((e: unknown) => ConnectError.from(e));
    expect((failed as ConnectError).code).toBe(Code.Unavailable);
    await new Promise((r) => setTimeout(r, 20));
    const { completion } = await client.complete({ ...ask("gil"), model: "gpt-test" });
    expect(completion?.provider).toBe("fake-openai");
  });
});
