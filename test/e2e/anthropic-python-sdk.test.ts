import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

/*
 * What the official `anthropic` Python SDK sends and needs, replayed without it (scripts/try-python-sdks.sh
 * runs the SDK itself). Its tool runner (`client.beta.messages.tool_runner`, anthropic 2.14) threads the
 * conversation by default: the first turn asks the server to hold it (`thread: {type: "create"}`, beta
 * message-threads-2026-08-12). The gateway holds no threads; it must refuse with Anthropic's code for a
 * request that cannot be threaded, `error.details.error_code: "thread_unsupported_request"`, on which the
 * runner sends the conversation again without `thread`. A refusal without the code ends the run in an error.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** The tool runner's first turn, as the SDK sent it. */
const runnerTurn = {
  max_tokens: 200,
  messages: [{ role: "user", content: "What is the weather in Paris?" }],
  model: "claude-test",
  thread: { type: "create" },
  tools: [
    {
      name: "get_weather",
      description: "The weather in a city.",
      input_schema: {
        additionalProperties: false,
        properties: { city: { title: "City", type: "string" } },
        required: ["city"],
        type: "object",
      },
    },
  ],
};

async function post(body: object) {
  const res = await fetch(`${h.httpUrl}/v1/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "anthropic-version": "2026-10-21",
      "anthropic-beta": "message-threads-2026-08-12",
      "x-api-key": "unused",
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { type: string; error: Record<string, unknown> } };
}

describe("the anthropic Python SDK's tool runner", () => {
  it.each([
    ["create", { type: "create" }],
    ["continue", { type: "continue", previous_message_id: "msg_01" }],
  ])("a thread (%s) is refused as thread_unsupported_request, before any upstream is asked", async (_kind, thread) => {
    const before = h.upstream.requests.length;
    const r = await post({ ...runnerTurn, thread });
    expect(r.status).toBe(400);
    expect(r.json.type).toBe("error");
    expect(r.json.error["type"]).toBe("invalid_request_error");
    expect(String(r.json.error["message"])).toMatch(/^thread: /);
    // What the SDK reads to stop threading and send the whole conversation again (ThreadState.recovers_from).
    expect(r.json.error["details"]).toEqual({ error_code: "thread_unsupported_request" });
    expect(h.upstream.requests.length).toBe(before);
  });

  it("the same turn without thread, as the runner sends it next, is answered", async () => {
    const { thread: _thread, ...unthreaded } = runnerTurn;
    h.upstream.enqueue({ toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' }] });
    const r = await post(unthreaded);
    expect(r.status).toBe(200);
    const answer = r.json as unknown as { stop_reason: string; content: { type: string; name?: string }[] };
    expect(answer.stop_reason).toBe("tool_use");
    expect(answer.content.filter((b) => b.type === "tool_use").map((b) => b.name)).toEqual(["get_weather"]);
  });

  it("other refusals carry no details (nothing for the SDK to branch on)", async () => {
    const r = await post({ ...runnerTurn, thread: undefined, container: "c_1" });
    expect(r.status).toBe(400);
    expect(r.json.error["details"]).toBeUndefined();
  });
});

describe("the anthropic SDKs' models.list() and retrieve() on the shared GET /v1/models", () => {
  const get = async (path: string) =>
    (await (
      await fetch(`${h.httpUrl}${path}`, { headers: { "anthropic-version": "2023-06-01", "x-api-key": "unused" } })
    ).json()) as Record<string, unknown>;

  it("each model carries Anthropic's type, display_name and created_at beside OpenAI's fields", async () => {
    const one = await get("/v1/models/claude-test");
    expect(one).toMatchObject({
      id: "claude-test",
      type: "model",
      display_name: "claude-test",
      object: "model",
      owned_by: "fake-anthropic",
    });
    expect(Number.isNaN(Date.parse(String(one["created_at"])))).toBe(false);
    // lifecycle is required in the SDK's ModelInfo (anthropic-python 2.14); the limits are the catalogue's.
    expect(one["lifecycle"]).toBe("active");
    expect(await get("/v1/models/tiny")).toMatchObject({ max_input_tokens: 300, max_tokens: 50 });
  });

  it("the list is one page in Anthropic's terms: has_more false, first_id and last_id", async () => {
    const list = (await get("/v1/models")) as {
      data: { id: string; type: string }[];
      has_more: boolean;
      first_id: string;
      last_id: string;
    };
    expect(list.data.length).toBeGreaterThan(1);
    expect(list.data.every((m) => m.type === "model")).toBe(true);
    expect(list).toMatchObject({ object: "list", has_more: false, first_id: list.data[0]!.id, last_id: list.data.at(-1)!.id });
  });
});
