import Anthropic from "@anthropic-ai/sdk";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { AdminService } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { KeyService } from "../../gen/ts/llmgateway/v1/key_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { bearer, digest } from "../support/auth.js";
import { type Harness, startHarness } from "../support/harness.js";

/**
 * Runtime keys made through KeyService meet budget levels and the request log: a key's own cap and its
 * project's are enforced with the level named, and every face records the key's id.
 */
// Input is free, output $1 a token, three tokens an answer: a $6 daily cap fits two calls, $9 three.
const COST = 3;
const metered = {
  name: "metered",
  provider: "fake-openai",
  upstreamModel: "gpt-4o-mini",
  pricing: { inputPerMillion: 0, outputPerMillion: 1e6 },
};
const KEYS = { ops: "sk-ops-1", acme: "sk-acme-admin-2" };
const auth = {
  tenants: [
    { name: "ops", keys: [{ sha256: digest(KEYS.ops) }], admin: true },
    { name: "acme", keyAdmin: true, keys: [{ sha256: digest(KEYS.acme) }], projects: [{ name: "search", budget: { dailyUsd: 3 * COST } }] },
  ],
};

let gw: Harness;
beforeAll(async () => {
  gw = await startHarness({ auth, cache: { enabled: false }, extraModels: [metered] });
  gw.upstream.setDefault({ text: "one two three" });
});
afterAll(async () => {
  await gw?.close();
});

const keys = () => createClient(KeyService, gw.rpcTransport({ interceptors: [bearer(KEYS.acme)] }));
const newKey = (over: Record<string, unknown>) => keys().createKey({ name: "ci", ...over });
const ask = { model: "metered", maxTokens: COST, messages: [{ role: Role.USER, content: "hi" }] };

/** Calls one at a time until the first refusal: how many got through, and the refusal's reason, level and period. */
async function spendUntilRefused(secret: string, most = 6): Promise<[number, string]> {
  const client = createClient(CompletionService, gw.rpcTransport({ interceptors: [bearer(secret)] }));
  for (let ok = 0; ok < most; ok++) {
    const err = await client.complete(ask).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    if (err) {
      const info = err.findDetails(ErrorInfoSchema)[0];
      return [ok, `${Code[err.code]} ${info?.reason} ${info?.metadata["level"]} ${info?.metadata["period"]}`];
    }
  }
  return [most, "never refused"];
}

describe("runtime keys × budget levels × request log", () => {
  it("refuses a runtime key at its own cap with level key", async () => {
    const { key, secret } = await newKey({ budget: { dailyUsd: 2 * COST } });
    expect(await spendUntilRefused(secret)).toEqual([2, "ResourceExhausted BUDGET_EXCEEDED key daily"]);
    // GetBudgets shows the key's cap from KeyService beside its spending.
    const admin = createClient(AdminService, gw.rpcTransport({ interceptors: [bearer(KEYS.ops)] }));
    const level = (await admin.getBudgets({ tenant: "acme", keyIds: [key!.id] })).levels.find((l) => l.level === "key");
    expect([level?.id, level?.dailyBudgetUsd, level?.spentTodayUsd]).toEqual([key!.id, 2 * COST, 2 * COST]);
  });

  it("counts a runtime key's calls against its project's cap, shared with the project's other keys", async () => {
    const first = await newKey({ project: "search" });
    const second = await newKey({ project: "search" });
    expect(await spendUntilRefused(first.secret, 2)).toEqual([2, "never refused"]);
    expect(await spendUntilRefused(second.secret)).toEqual([1, "ResourceExhausted BUDGET_EXCEEDED project daily"]);
  });

  it("refuses a runtime key naming a project its tenant has not declared, as the configuration does", async () => {
    const err = ConnectError.from(await newKey({ project: "nope" }).catch((e: unknown) => e));
    expect([err.code, err.findDetails(ErrorInfoSchema)[0]?.metadata["field"]]).toEqual([Code.InvalidArgument, "project"]);
  });

  it("records the runtime key's id for its calls on every face, and the configured key's for its own", async () => {
    const { key, secret } = await newKey({});
    const id = key!.id;
    const tag = `rk-${Date.now()}`;
    await new OpenAI({ apiKey: secret, baseURL: `${gw.httpUrl}/v1`, maxRetries: 0 }).chat.completions.create({
      model: "metered",
      user: `${tag}-openai`,
      messages: [{ role: "user", content: "hi" }],
    });
    await new Anthropic({ apiKey: secret, baseURL: gw.httpUrl, maxRetries: 0 }).messages.create({
      model: "metered",
      max_tokens: COST,
      metadata: { user_id: `${tag}-anthropic` },
      messages: [{ role: "user", content: "hi" }],
    });
    await createClient(CompletionService, gw.rpcTransport({ interceptors: [bearer(secret)] })).complete({ ...ask, user: `${tag}-grpc` });
    await createClient(CompletionService, gw.rpcTransport({ interceptors: [bearer(KEYS.acme)] })).complete({ ...ask, user: `${tag}-cfg` });
    await gw.app.requestLog!.writer.flush();
    const admin = createClient(AdminService, gw.rpcTransport({ interceptors: [bearer(KEYS.ops)] }));
    const { entries } = await admin.listRequests({ tenant: "acme", pageSize: 100 });
    const mine = entries.filter((e) => e.user.startsWith(tag)).map((e) => [e.user.slice(tag.length + 1), e.keyId]);
    expect(mine.sort()).toEqual(
      [
        ["anthropic", id],
        ["cfg", `cfg-${digest(KEYS.acme).slice(0, 12)}`],
        ["grpc", id],
        ["openai", id],
      ].sort(),
    );
    expect((await admin.listRequests({ keyId: id, pageSize: 100 })).entries.length).toBeGreaterThanOrEqual(3);

    // The runtime key itself reads its own calls only: not its tenant's configured key's, nor another runtime key's.
    const own = createClient(AdminService, gw.rpcTransport({ interceptors: [bearer(secret)] }));
    const seen = (await own.listRequests({ pageSize: 100 })).entries;
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen.map((e) => e.keyId))).toEqual(new Set([id]));
    const other = await own.listRequests({ keyId: `cfg-${digest(KEYS.acme).slice(0, 12)}` }).catch((e: unknown) => ConnectError.from(e));
    expect(other).toMatchObject({ code: Code.PermissionDenied });
  });
});
