import { ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { ReasoningEffort, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";

/**
 * A field one provider cannot take routes around that provider's deployments instead of failing the call
 * there: "dual" is an OpenAI-format deployment first and an Anthropic one second, and Anthropic's Messages
 * API has no temperature and no logprobs.
 */
let h: Harness;
let client: ReturnType<typeof createClient<typeof CompletionService>>;
const hello = [{ role: Role.USER, content: "hello" }];

beforeAll(async () => {
  h = await startHarness();
  client = createClient(CompletionService, h.rpcTransport());
});
afterAll(() => h.close());
beforeEach(() => {
  h.upstream.setDefault({});
  h.upstream.requests.length = 0;
});

const anthropicCalls = () => h.upstream.requests.filter((r) => r.path.startsWith("/v1/messages")).length;

describe("routing around deployments that cannot carry a request", () => {
  it("skips a preferred deployment that cannot take a field, and answers from one that can", async () => {
    const { completion } = await client.complete({
      model: "dual",
      messages: hello,
      temperature: 0.2,
      routing: { preferredProviders: ["fake-anthropic"] },
    });
    expect(completion?.provider).toBe("fake-openai");
    expect(anthropicCalls()).toBe(0);
  });

  it("does not fall back to a deployment that cannot take the request: the failure that happened is the answer", async () => {
    h.upstream.enqueue({ status: 500 });
    const error = ConnectError.from(await client.complete({ model: "dual", messages: hello, logprobs: true }).catch((e: unknown) => e));
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_UNAVAILABLE");
    expect(anthropicCalls()).toBe(0);
  });

  it("refuses up front, naming the field, when no deployment can take it, and calls nobody", async () => {
    const error = ConnectError.from(
      await client.complete({ model: "claude-test", messages: hello, logprobs: true, topLogprobs: 2 }).catch((e: unknown) => e),
    );
    const info = error.findDetails(ErrorInfoSchema)[0];
    expect([info?.reason, info?.metadata["field"]]).toEqual(["INVALID_REQUEST", "logprobs"]);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("a request every deployment can take still falls back as before", async () => {
    h.upstream.enqueue({ status: 500 }, { text: "from the fallback" });
    const { completion } = await client.complete({ model: "dual", messages: hello });
    expect([completion?.provider, completion?.message?.content]).toEqual(["fake-anthropic", "from the fallback"]);
  });
});

describe("reasoning effort none", () => {
  it("tells an OpenAI-format model not to reason, asks Anthropic for no thinking, and asks nothing of a model that does not reason", async () => {
    const none = { reasoning: { effort: ReasoningEffort.NONE } };
    await client.complete({ model: "gpt-test", messages: hello, ...none });
    expect(h.upstream.requests.at(-1)?.body["reasoning_effort"]).toBe("none");
    await client.complete({ model: "claude-test", messages: hello, ...none });
    expect(h.upstream.requests.at(-1)?.body).not.toHaveProperty("thinking");
    const local = await client.complete({ model: "local-echo", messages: hello, ...none });
    expect(local.completion?.provider).toBe("local");
    const both = ConnectError.from(
      await client
        .complete({ model: "gpt-test", messages: hello, reasoning: { effort: ReasoningEffort.NONE, budgetTokens: 2048 } })
        .catch((e: unknown) => e),
    );
    expect(both.findDetails(ErrorInfoSchema)[0]?.metadata["field"]).toBe("reasoning");
  });
});
