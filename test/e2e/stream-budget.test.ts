import Anthropic from "@anthropic-ai/sdk";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { AdminService } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { countTextTokens } from "../../src/core/tokens.js";
import { bearer } from "../support/auth.js";
import { startHarness, type Harness } from "../support/harness.js";

/*
 * A stream held to what it may cost, through each face's real client: the request's own max_cost_usd,
 * and a budget level nearly spent. Input is free and output costs $1 a token, so that dollars count
 * tokens; the fake upstream streams one word a delta, and the gateway counts each delta's tokens with
 * the model's tokenizer. A stream must end with BUDGET_EXCEEDED having delivered exactly what the cap
 * buys (never a token more, never a whole one less), and usage and budgets must record what was delivered.
 */

const WORD = "word ";
const TEXT = WORD.repeat(80);
const PER_TOKEN = { inputPerMillion: 0, outputPerMillion: 1e6 };
const env = { K_ACME: "key-acme", K_NEARLY: "key-nearly", K_ADMIN: "key-admin" };
const DAILY = 10;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env,
    cache: { enabled: false },
    auth: {
      tenants: [
        { name: "acme", keys: [{ env: "K_ACME" }] },
        { name: "nearly", keys: [{ env: "K_NEARLY" }], budget: { dailyUsd: DAILY } },
        { name: "ops", keys: [{ env: "K_ADMIN" }], admin: true },
      ],
    },
    extraModels: [
      { name: "metered", provider: "fake-openai", upstreamModel: "gpt-4o-mini", tokenizer: "o200k_base", pricing: PER_TOKEN },
      {
        name: "metered-claude",
        provider: "fake-anthropic",
        upstreamModel: "claude-haiku-4-5",
        tokenizer: "o200k_base",
        pricing: PER_TOKEN,
      },
      {
        name: "pricey",
        provider: "fake-openai",
        upstreamModel: "gpt-4o-mini",
        tokenizer: "o200k_base",
        pricing: { inputPerMillion: 1e6, outputPerMillion: 1e6 },
      },
    ],
  });
  h.upstream.setDefault({ text: TEXT, chunkDelayMs: 2 });
});
afterAll(() => h.close());

/**
 * Checks that a stream capped at `usd` stopped at it: at $1 a token, the deltas delivered (of the one that
 * would have passed the cap, only the tokens that fit) count exactly the whole tokens the cap buys, as
 * the gateway counts them; and they are the start of the answer. Answers what they cost.
 */
async function heldAt(deltas: readonly string[], usd: number): Promise<number> {
  const costs = await Promise.all(deltas.map((d) => countTextTokens(d, "o200k_base")));
  const spent = costs.reduce((a, b) => a + b, 0);
  expect(spent).toBe(Math.floor(usd));
  expect(TEXT.startsWith(deltas.join(""))).toBe(true);
  return spent;
}

const rpc = (key: string) => createClient(CompletionService, h.rpcTransport({ interceptors: [bearer(key)] }));
const admin = () => createClient(AdminService, h.rpcTransport({ interceptors: [bearer(env.K_ADMIN)] }));
const ask = (user: string, over: Record<string, unknown> = {}) => ({
  model: "metered",
  user,
  messages: [{ role: Role.USER, content: "Say word, again and again." }],
  ...over,
});

/** Today's usage row of a user of a tenant. */
async function usageOf(tenant: string, user: string) {
  const rows = (await admin().getUsage({ tenant })).rows;
  return rows.find((r) => r.user === user);
}

function infoOf(e: unknown) {
  const err = ConnectError.from(e);
  return { code: err.code, message: err.message, info: err.findDetails(ErrorInfoSchema)[0] };
}

describe("max_cost_usd held while tokens arrive", () => {
  it("REST through the openai SDK: the stream ends at the cap with an error event after the delivered text", async () => {
    const sdk = new OpenAI({ apiKey: env.K_ACME, baseURL: `${h.httpUrl}/v1`, maxRetries: 0 });
    const index = h.upstream.requests.length;
    const body = { model: "metered", user: "rest", messages: [{ role: "user" as const, content: "Say word." }], stream: true as const };
    const stream = await sdk.chat.completions.create({ ...body, max_cost_usd: 5.5 } as typeof body);
    const deltas: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) deltas.push(chunk.choices[0].delta.content);
    })().catch((e: unknown) => e);
    const spent = await heldAt(deltas, 5.5);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toMatch(
      /^max_cost_usd: the call reached its cap of \$5\.500000; stopped after/,
    );
    // The upstream is closed rather than left to write the whole answer.
    await h.upstream.waitForAbort(index);
    expect(h.upstream.requests[index]?.aborted).toBe(true);
    expect(await usageOf("acme", "rest")).toMatchObject({ requests: 1n, outputTokens: BigInt(spent) });
    expect((await usageOf("acme", "rest"))?.costUsd).toBeCloseTo(spent, 6);
  });

  it("gRPC stream: RESOURCE_EXHAUSTED with ErrorInfo BUDGET_EXCEEDED, after the delivered text", async () => {
    const deltas: string[] = [];
    const err = await (async () => {
      for await (const e of rpc(env.K_ACME).streamComplete(ask("grpc", { maxCostUsd: 3 })))
        if (e.event.case === "delta") deltas.push(e.event.value.text);
    })().catch((e: unknown) => e);
    const spent = await heldAt(deltas, 3);
    const { code, info } = infoOf(err);
    expect(code).toBe(Code.ResourceExhausted);
    expect(info?.reason).toBe("BUDGET_EXCEEDED");
    expect(info?.metadata).toMatchObject({ limit: "max_cost_usd", max_cost_usd: "3", delivered_chars: String(deltas.join("").length) });
    expect(Number(info?.metadata["spent_usd"])).toBe(spent);
    expect((await usageOf("acme", "grpc"))?.costUsd).toBeCloseTo(spent, 6);
  });

  it("the Anthropic face through the Anthropic SDK: an error event after the delivered text", async () => {
    const sdk = new Anthropic({ apiKey: env.K_ACME, baseURL: h.httpUrl, maxRetries: 0 });
    const body = {
      model: "metered-claude",
      max_tokens: 500,
      messages: [{ role: "user" as const, content: "Say word." }],
      stream: true as const,
    };
    const stream = await sdk.messages.create({ ...body, max_cost_usd: 4 } as typeof body);
    const deltas: string[] = [];
    const err = await (async () => {
      for await (const e of stream) if (e.type === "content_block_delta" && e.delta.type === "text_delta") deltas.push(e.delta.text);
    })().catch((e: unknown) => e);
    await heldAt(deltas, 4);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(String((err as Error).message)).toContain("max_cost_usd: the call reached its cap of $4.000000");
  });

  it("unary: the answer is the error, saying what was spent; the SDKs are told not to retry it", async () => {
    const { code, info, message } = infoOf(
      await rpc(env.K_ACME)
        .complete(ask("unary", { maxCostUsd: 2 }))
        .catch((e: unknown) => e),
    );
    expect(code).toBe(Code.ResourceExhausted);
    // Nothing reached the caller: what was spent is the error's to say, and it is what the cap bought.
    expect(info?.metadata["spent_usd"]).toBe((2).toFixed(9));
    expect(message).toContain("having spent $2.000000");
    const res = await fetch(`${h.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.K_ACME}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "metered", user: "unary", messages: [{ role: "user", content: "Say word." }], max_cost_usd: 2 }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("x-should-retry")).toBe("false");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");
    expect((await usageOf("acme", "unary"))?.requests).toBe(2n);
  });

  it("refuses up front, with no upstream call, a call whose prompt alone costs more than its cap", async () => {
    const before = h.upstream.requests.length;
    const { code, message } = infoOf(
      await rpc(env.K_ACME)
        .complete(ask("pricey", { model: "pricey", maxCostUsd: 1 }))
        .catch((e: unknown) => e),
    );
    expect(code).toBe(Code.ResourceExhausted);
    expect(message).toMatch(/refused: its prompt alone costs \$\d+\.\d{6}/);
    expect(h.upstream.requests.length).toBe(before);
  });

  it.each([0, -1, Number.POSITIVE_INFINITY])("refuses max_cost_usd %s, naming the field", async (bad) => {
    const { code, message } = infoOf(
      await rpc(env.K_ACME)
        .complete(ask("bad", { maxCostUsd: bad }))
        .catch((e: unknown) => e),
    );
    expect(code).toBe(Code.InvalidArgument);
    expect(message).toContain("max_cost_usd");
  });
});

describe("a budget level nearly spent", () => {
  it("stops a stream at what the level has left instead of overshooting by a whole answer, then refuses", async () => {
    // No max_tokens: the most the call could cost is the model's whole output ($4,096), far above the $10 left.
    const deltas: string[] = [];
    const err = await (async () => {
      for await (const e of rpc(env.K_NEARLY).streamComplete(ask("ann"))) if (e.event.case === "delta") deltas.push(e.event.value.text);
    })().catch((e: unknown) => e);
    const spent = await heldAt(deltas, DAILY);
    const { code, info } = infoOf(err);
    expect(code).toBe(Code.ResourceExhausted);
    expect(info).toMatchObject({ reason: "BUDGET_EXCEEDED", metadata: { level: "tenant", period: "daily", budget_usd: "10.000000" } });
    // The budget and the usage both hold what was delivered.
    const { levels } = await admin().getBudgets({ tenant: "nearly" });
    expect(levels.find((l) => l.level === "tenant")?.spentTodayUsd).toBeCloseTo(spent, 6);
    expect((await usageOf("nearly", "ann"))?.costUsd).toBeCloseTo(spent, 6);
    // Nothing is left: the next call is refused before it reaches the upstream.
    const before = h.upstream.requests.length;
    const next = infoOf(
      await rpc(env.K_NEARLY)
        .complete(ask("ann"))
        .catch((e: unknown) => e),
    );
    expect(next.info?.reason).toBe("BUDGET_EXCEEDED");
    expect(h.upstream.requests.length).toBe(before);
  });
});
