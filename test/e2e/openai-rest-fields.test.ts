import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

/**
 * The rule for the REST face: every field of a request is honoured, passed
 * through, or refused with 400 naming it. The fields are read from the
 * official openai SDK's own type declarations, so a field the SDK learns
 * tomorrow is checked too (and refused until the gateway carries it).
 */
function sdkRequestFields(): string[] {
  // The package's main entry lives at its root; its declarations sit beside it.
  const pkg = dirname(createRequire(import.meta.url).resolve("openai"));
  const dts = readFileSync(join(pkg, "resources/chat/completions/completions.d.ts"), "utf8");
  const start = dts.indexOf("export interface ChatCompletionCreateParamsBase {");
  const body = dts.slice(start, dts.indexOf("\n}\n", start));
  return [...body.matchAll(/^ {4}([a-z_]+)\??:/gm)].map((m) => m[1]!);
}

let h: Harness;
let lines: Record<string, unknown>[];
beforeAll(async () => {
  lines = [];
  h = await startHarness({ logSink: (l) => lines.push(JSON.parse(l)) });
});
afterAll(() => h.close());

const base = { model: "gpt-test", messages: [{ role: "user", content: "hi" }] };
const tool = { type: "function", function: { name: "lookup", description: "finds", parameters: { type: "object", properties: {} } } };

async function post(
  body: object,
): Promise<{ status: number; json: { error?: { param: string | null; type: string } } | undefined; text: string; headers: Headers }> {
  const res = await fetch(`${h.httpUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: { error?: { param: string | null; type: string } } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

const upstream = () => h.upstream.requests.at(-1)!.body;

/** Fields the gateway honours: a request that sets them, and how to see it was honoured. */
const honoured: Record<string, { before?: () => void; extra: object; check: (r: Awaited<ReturnType<typeof post>>) => void }> = {
  messages: {
    extra: { messages: [{ role: "user", content: "carried" }] },
    check: () => expect(upstream()["messages"]).toEqual([{ role: "user", content: "carried" }]),
  },
  model: { extra: { model: "fast" }, check: (r) => expect(r.status).toBe(200) },
  max_tokens: { extra: { max_tokens: 7 }, check: () => expect(upstream()["max_tokens"]).toBe(7) },
  max_completion_tokens: { extra: { max_completion_tokens: 9 }, check: () => expect(upstream()["max_tokens"]).toBe(9) },
  temperature: { extra: { temperature: 0.3 }, check: () => expect(upstream()["temperature"]).toBe(0.3) },
  top_p: { extra: { top_p: 0.5 }, check: () => expect(upstream()["top_p"]).toBe(0.5) },
  seed: { extra: { seed: 42 }, check: () => expect(upstream()["seed"]).toBe(42) },
  stop: { extra: { stop: ["END"] }, check: () => expect(upstream()["stop"]).toEqual(["END"]) },
  user: { extra: { user: "u-1" }, check: () => expect(upstream()["user"]).toBe("u-1") },
  tools: {
    extra: { tools: [tool] },
    check: () => expect((upstream()["tools"] as { function: { name: string } }[])[0]?.function.name).toBe("lookup"),
  },
  tool_choice: { extra: { tools: [tool], tool_choice: "none" }, check: () => expect(upstream()["tool_choice"]).toBe("none") },
  stream: { extra: { stream: true }, check: (r) => expect(r.headers.get("content-type")).toBe("text/event-stream") },
  stream_options: {
    extra: { stream: true, stream_options: { include_usage: true } },
    check: (r) => expect(r.text).toContain('"usage":{"prompt_tokens"'),
  },
  metadata: {
    extra: { metadata: { team: "search" } },
    check: () => expect(lines.filter((l) => l["msg"] === "call").at(-1)?.["metadata"]).toEqual({ team: "search" }),
  },
  // Issue 15: carried to the provider, in OpenAI's wire format for gpt-test.
  parallel_tool_calls: {
    extra: { tools: [tool], parallel_tool_calls: false },
    check: () => expect(upstream()["parallel_tool_calls"]).toBe(false),
  },
  response_format: {
    before: () => h.upstream.enqueue({ text: '{"ok":true}' }),
    extra: { response_format: { type: "json_object" } },
    check: () => expect(upstream()["response_format"]).toEqual({ type: "json_object" }),
  },
  reasoning_effort: { extra: { reasoning_effort: "low" }, check: () => expect(upstream()["reasoning_effort"]).toBe("low") },
  presence_penalty: { extra: { presence_penalty: 0.5 }, check: () => expect(upstream()["presence_penalty"]).toBe(0.5) },
  frequency_penalty: { extra: { frequency_penalty: 0.5 }, check: () => expect(upstream()["frequency_penalty"]).toBe(0.5) },
  logprobs: { extra: { logprobs: true }, check: () => expect(upstream()["logprobs"]).toBe(true) },
  top_logprobs: {
    extra: { logprobs: true, top_logprobs: 2 },
    check: () => expect(upstream()).toMatchObject({ logprobs: true, top_logprobs: 2 }),
  },
  service_tier: { extra: { service_tier: "flex" }, check: () => expect(upstream()["service_tier"]).toBe("flex") },
  prompt_cache_key: { extra: { prompt_cache_key: "k-1" }, check: () => expect(upstream()["prompt_cache_key"]).toBe("k-1") },
};

/** Non-default values for fields the gateway does not carry (docs/request-fields.md says why). */
const refusedSamples: Record<string, unknown> = {
  audio: { voice: "alloy", format: "wav" },
  function_call: "auto",
  functions: [{ name: "f" }],
  logit_bias: { "50256": -100 },
  modalities: ["text", "audio"],
  moderation: { model: "omni-moderation-latest" },
  n: 2,
  prediction: { type: "content", content: "x" },
  prompt_cache_options: { mode: "explicit" },
  prompt_cache_retention: "24h",
  safety_identifier: "user-hash",
  store: true,
  verbosity: "low",
  web_search_options: {},
};

describe("every OpenAI chat completions field is honoured or refused by name", () => {
  const fields = sdkRequestFields();

  it("reads the SDK's fields", () => {
    expect(fields.length).toBeGreaterThan(30);
    expect(fields).toEqual(expect.arrayContaining(["messages", "model", "response_format", "tool_choice", "logprobs"]));
  });

  it.each(sdkRequestFields())("%s", async (field) => {
    const rule = honoured[field];
    const before = h.upstream.requests.length;
    if (rule) {
      rule.before?.();
      const r = await post({ ...base, ...rule.extra });
      expect(r.status, r.text).toBe(200);
      expect(h.upstream.requests.length).toBe(before + 1);
      rule.check(r);
      return;
    }
    // Anything else, including fields this gateway has never heard of: refused by name, upstream never called.
    const r = await post({ ...base, [field]: field in refusedSamples ? refusedSamples[field] : "some value" });
    expect(r.status, r.text).toBe(400);
    expect(r.json?.error).toMatchObject({ param: field, type: "invalid_request_error" });
    expect(h.upstream.requests.length).toBe(before);
  });

  it.each(Object.keys(refusedSamples))("%s: its default (null) asks for nothing and is accepted", async (field) => {
    expect((await post({ ...base, [field]: null })).status).toBe(200);
  });

  it("accepts defaults clients send explicitly: n 1, logprobs false, a text response_format, parallel_tool_calls true", async () => {
    const before = h.upstream.requests.length;
    const r = await post({
      ...base,
      n: 1,
      logprobs: false,
      response_format: { type: "text" },
      parallel_tool_calls: true,
      store: false,
      frequency_penalty: 0,
      presence_penalty: 0,
    });
    expect(r.status, r.text).toBe(200);
    // Defaults ask for nothing: none of them is sent on (a provider without penalties takes the request too).
    for (const key of ["n", "logprobs", "response_format", "parallel_tool_calls", "store", "frequency_penalty", "presence_penalty"])
      expect(h.upstream.requests[before]?.body, key).not.toHaveProperty(key);
  });

  it("refuses values the core cannot carry, by name: n 2, an effort beyond high, store true", async () => {
    for (const [field, value] of [
      ["n", 2],
      ["reasoning_effort", "xhigh"],
      ["store", true],
    ] as const) {
      const r = await post({ ...base, [field]: value });
      expect(r.status, field).toBe(400);
      expect(r.json?.error?.param).toBe(field);
    }
  });

  it("refuses a field no API has (a typo) by name", async () => {
    const r = await post({ ...base, max_token: 5 });
    expect(r.status).toBe(400);
    expect(r.json?.error?.param).toBe("max_token");
  });

  it("refuses unknown fields inside messages and tools by path", async () => {
    expect((await post({ ...base, messages: [{ role: "user", content: "hi", extra: 1 }] })).json?.error?.param).toBe("messages[0].extra");
    expect((await post({ ...base, tools: [{ ...tool, function: { ...tool.function, cached: true } }] })).json?.error?.param).toBe(
      "tools[0].function.cached",
    );
    expect(
      (await post({ ...base, messages: [{ role: "user", content: [{ type: "text", text: "x", weight: 2 }] }] })).json?.error?.param,
    ).toBe("messages[0].content[0].weight");
  });

  it("accepts an assistant message echoed back as the SDK returned it", async () => {
    const r = await post({
      ...base,
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello", refusal: null, annotations: [] },
        { role: "user", content: "again" },
      ],
    });
    expect(r.status, r.text).toBe(200);
  });
});

describe("bad bodies are 400 in OpenAI's error shape, never 500", () => {
  const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
  const cases: [string, string][] = [
    ["messages: [null]", JSON.stringify({ model: "gpt-test", messages: [null] })],
    ["content: [null]", JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: [null] }] })],
    ['tool_calls: "abc"', JSON.stringify({ model: "gpt-test", messages: [{ role: "assistant", content: "", tool_calls: "abc" }] })],
    ["tool_calls: [null]", JSON.stringify({ model: "gpt-test", messages: [{ role: "assistant", content: "", tool_calls: [null] }] })],
    ["tools: [null]", JSON.stringify({ ...base, tools: [null] })],
    ["stop: [{toString}]", JSON.stringify({ ...base, stop: [{ toString: 1 }] })],
    ["deeply nested stop", `{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"stop":${deep(5000)}}`],
    [
      "deeply nested tool parameters",
      `{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"a":${deep(5000)}}}}]}`,
    ],
    ["content parts of an unknown type", JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: [{ type: "nope" }] }] })],
    ["a model that is a number", JSON.stringify({ model: 7, messages: [{ role: "user", content: "hi" }] })],
    ["not JSON", "{"],
    ["a JSON array", "[]"],
    ["a JSON string", '"hello"'],
    ["an empty body", ""],
    ["messages an object", JSON.stringify({ model: "gpt-test", messages: { role: "user" } })],
    ["temperature a string", JSON.stringify({ ...base, temperature: "hot" })],
    ["max_tokens fractional", JSON.stringify({ ...base, max_tokens: 1.5 })],
    ["__proto__ key", '{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"__proto__":{"polluted":1}}'],
  ];
  it.each(cases)("%s", async (_name, body) => {
    const res = await fetch(`${h.httpUrl}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const json = (await res.json()) as { error: { type: string; message: string; param: string | null } };
    expect(res.status, JSON.stringify(json)).toBe(400);
    expect(json.error.type).toBe("invalid_request_error");
    expect(json.error.message.length).toBeGreaterThan(0);
  });
});
