import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { AdminService } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { KeyService } from "../../gen/ts/llmgateway/v1/key_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { bearer, digest } from "../support/auth.js";
import { type Harness, startHarness } from "../support/harness.js";
import { redisClusterForFile } from "../support/redis-cluster.js";

/**
 * The stores issue 19 added, together on a three-master Redis Cluster: a runtime key made on one gateway
 * used at once on the other, its budget levels shared by both, and every call found through ListRequests
 * on either.
 */
const redis = redisClusterForFile();

const KEYS = { ops: "sk-ops-rc", acme: "sk-acme-rc" };
// Input free, output $1 a token, three tokens an answer: a key's $12 daily cap fits four calls.
const COST = 3;
const FITS = 4;
const CALLS = 10;
const metered = {
  name: "metered",
  provider: "fake-openai",
  upstreamModel: "gpt-4o-mini",
  pricing: { inputPerMillion: 0, outputPerMillion: 1e6 },
};

const replica = async (): Promise<Harness> => {
  const [url, ...nodes] = redis.cluster.urls;
  const h = redis.track(
    await startHarness({
      redisUrl: url!,
      redis: { mode: "cluster", nodes },
      keys: { store: "redis" },
      requestLog: { store: "redis" },
      usage: { store: "redis" },
      limits: { store: "redis" },
      cache: { enabled: false },
      extraModels: [metered],
      auth: {
        tenants: [
          { name: "ops", keys: [{ sha256: digest(KEYS.ops) }], admin: true },
          {
            name: "acme",
            keyAdmin: true,
            keys: [{ sha256: digest(KEYS.acme) }],
            projects: [{ name: "search", budget: { dailyUsd: 100 } }],
          },
        ],
      },
    }),
  );
  h.upstream.setDefault({ text: "one two three" });
  return h;
};

const ask = (user: string) => ({ model: "metered", user, maxTokens: COST, messages: [{ role: Role.USER, content: "hi" }] });

describe("runtime keys, budget levels and the request log on one Redis Cluster", () => {
  it("a key made on A works on B at once; its cap holds across both; each lists both's calls", async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    const made = await createClient(KeyService, a.rpcTransport({ interceptors: [bearer(KEYS.acme)] })).createKey({
      name: "cluster",
      project: "search",
      budget: { dailyUsd: FITS * COST },
    });
    const id = made.key!.id;
    const tag = `rc-${Date.now()}`;
    const completions = [a, b].map((h) => createClient(CompletionService, h.rpcTransport({ interceptors: [bearer(made.secret)] })));
    // Used on B first, before B has ever looked it up.
    expect((await completions[1]!.complete(ask(`${tag}-first`))).completion?.provider).toBe("fake-openai");
    const results = await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        completions[i % 2]!.complete(ask(`${tag}-${i}`)).then(
          () => "ok",
          (e: unknown) => {
            const err = ConnectError.from(e);
            const info = err.findDetails(ErrorInfoSchema)[0];
            return `${Code[err.code]} ${info?.reason} ${info?.metadata["level"]}`;
          },
        ),
      ),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(FITS - 1);
    expect(results.filter((r) => r !== "ok")).toEqual(Array(CALLS - FITS + 1).fill("ResourceExhausted BUDGET_EXCEEDED key"));

    const admins = [a, b].map((h) => createClient(AdminService, h.rpcTransport({ interceptors: [bearer(KEYS.ops)] })));
    const levels = (await admins[0]!.getBudgets({ tenant: "acme", keyIds: [id] })).levels;
    expect(levels.map((l) => [l.level, l.id, l.spentTodayUsd])).toEqual([
      ["tenant", "acme", 0],
      ["project", "search", FITS * COST],
      ["key", id, FITS * COST],
    ]);

    await Promise.all([a.app.requestLog!.writer.flush(), b.app.requestLog!.writer.flush()]);
    for (const admin of admins) {
      const { entries } = await admin.listRequests({ keyId: id, pageSize: 100 });
      const mine = entries.filter((e) => e.user.startsWith(tag));
      expect(mine).toHaveLength(CALLS + 1);
      expect(mine.filter((e) => e.code === "ok")).toHaveLength(FITS);
      expect(new Set(mine.map((e) => e.tenant))).toEqual(new Set(["acme"]));
    }
  });
});
