import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knownResponseFields } from "../../src/server/rest/responses-request.js";
import { type Harness, startHarness } from "../support/harness.js";

/**
 * The rule for the Responses face: every field of a request is honoured, passed through, or
 * refused with 400 naming it. The fields are read from the official openai SDK's own type
 * declarations, so a field the SDK learns tomorrow is checked too (and refused until carried).
 */
const dts = readFileSync(join(dirname(createRequire(import.meta.url).resolve("openai")), "resources/responses/responses.d.ts"), "utf8");

/** The fields of one interface of the declarations (`indent`: 4 at the top level, 8 inside a namespace). */
function sdkFields(declaration: string, indent = 4): string[] {
  const start = dts.indexOf(declaration);
  if (start < 0) throw new Error(`${declaration} is not in the SDK's declarations`);
  const end = dts.indexOf(`\n${" ".repeat(indent - 4)}}\n`, start);
  const pattern = new RegExp(`^ {${indent}}([a-z_]+)\\??:`, "gm");
  return [...dts.slice(start, end).matchAll(pattern)].map((m) => m[1]!);
}

let h: Harness;
let lines: Record<string, unknown>[];
beforeAll(async () => {
  lines = [];
  h = await startHarness({ logSink: (l) => lines.push(JSON.parse(l)) });
});
afterAll(() => h.close());

const base = { model: "gpt-test", input: "hi" };
const tool = { type: "function", name: "lookup", description: "finds", parameters: { type: "object", properties: {} }, strict: false };

async function post(body: object): Promise<{
  status: number;
  json: Record<string, unknown> & { error?: { param: string | null; type: string } };
  text: string;
  headers: Headers;
}> {
  const res = await fetch(`${h.httpUrl}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json = {};
  try {
    json = JSON.parse(text);
  } catch {
    // A stream: its text is checked instead.
  }
  return { status: res.status, json, text, headers: res.headers };
}

const upstream = () => h.upstream.requests.at(-1)!.body;

/** Fields the gateway honours: a request that sets them, and how to see it was honoured. */
const honoured: Record<string, { before?: () => void; extra: object; check: (r: Awaited<ReturnType<typeof post>>) => void }> = {
  input: {
    extra: { input: [{ role: "user", content: "carried" }] },
    check: () => expect(upstream()["messages"]).toEqual([{ role: "user", content: "carried" }]),
  },
  instructions: {
    extra: { instructions: "Be terse." },
    check: () =>
      expect(upstream()["messages"]).toEqual([
        { role: "system", content: "Be terse." },
        { role: "user", content: "hi" },
      ]),
  },
  model: { extra: { model: "fast" }, check: (r) => expect(r.status).toBe(200) },
  max_output_tokens: { extra: { max_output_tokens: 7 }, check: () => expect(upstream()["max_tokens"]).toBe(7) },
  temperature: { extra: { temperature: 0.3 }, check: () => expect(upstream()["temperature"]).toBe(0.3) },
  top_p: { extra: { top_p: 0.5 }, check: () => expect(upstream()["top_p"]).toBe(0.5) },
  user: { extra: { user: "u-1" }, check: () => expect(upstream()["user"]).toBe("u-1") },
  // OpenAI's newer name for what `user` was for: the same upstream field.
  safety_identifier: {
    extra: { safety_identifier: "hash-1" },
    check: (r) => expect([upstream()["user"], r.json["safety_identifier"]]).toEqual(["hash-1", "hash-1"]),
  },
  tools: {
    extra: { tools: [tool] },
    check: () => expect((upstream()["tools"] as { function: { name: string } }[])[0]?.function.name).toBe("lookup"),
  },
  tool_choice: {
    extra: { tools: [tool], tool_choice: { type: "function", name: "lookup" } },
    check: () => expect(upstream()["tool_choice"]).toEqual({ type: "function", function: { name: "lookup" } }),
  },
  parallel_tool_calls: {
    extra: { tools: [tool], parallel_tool_calls: false },
    check: () => expect(upstream()["parallel_tool_calls"]).toBe(false),
  },
  stream: {
    extra: { stream: true },
    check: (r) =>
      expect([r.headers.get("content-type"), r.text.includes("event: response.completed")]).toEqual(["text/event-stream", true]),
  },
  stream_options: {
    extra: { stream: true, stream_options: { include_obfuscation: false } },
    check: (r) => expect(r.text).toContain("response.completed"),
  },
  metadata: {
    extra: { metadata: { team: "search" } },
    check: (r) =>
      expect([lines.filter((l) => l["msg"] === "call").at(-1)?.["metadata"], r.json["metadata"]]).toEqual([
        { team: "search" },
        { team: "search" },
      ]),
  },
  text: {
    before: () => h.upstream.enqueue({ text: '{"ok":true}' }),
    extra: { text: { format: { type: "json_object" } } },
    check: () => expect(upstream()["response_format"]).toEqual({ type: "json_object" }),
  },
  reasoning: {
    extra: { reasoning: { effort: "low", summary: "auto" } },
    check: (r) => expect([upstream()["reasoning_effort"], r.json["reasoning"]]).toEqual(["low", { effort: "low", summary: "auto" }]),
  },
  top_logprobs: { extra: { top_logprobs: 2 }, check: () => expect(upstream()).toMatchObject({ logprobs: true, top_logprobs: 2 }) },
  include: { extra: { include: ["message.output_text.logprobs"] }, check: () => expect(upstream()["logprobs"]).toBe(true) },
  service_tier: { extra: { service_tier: "flex" }, check: () => expect(upstream()["service_tier"]).toBe("flex") },
  prompt_cache_key: { extra: { prompt_cache_key: "k-1" }, check: () => expect(upstream()["prompt_cache_key"]).toBe("k-1") },
  store: { extra: { store: false }, check: (r) => expect(r.json["store"]).toBe(false) },
  truncation: { extra: { truncation: "auto" }, check: (r) => expect(r.json["truncation"]).toBe("auto") },
  // Bounds built-in tool calls; with none, any bound holds: echoed.
  max_tool_calls: { extra: { max_tool_calls: 3 }, check: (r) => expect(r.json["max_tool_calls"]).toBe(3) },
  previous_response_id: {
    before: () => h.upstream.enqueue({ text: "first answer" }),
    extra: {},
    check: () => {},
  },
};

/** Non-default values for fields the gateway does not carry (docs/faces/responses.md says why). */
const refusedSamples: Record<string, unknown> = {
  background: true,
  context_management: [{ type: "compaction", compact_threshold: 1000 }],
  conversation: "conv_123",
  moderation: { model: "omni-moderation-latest" },
  prompt: { id: "pmpt_1" },
  prompt_cache_options: { mode: "explicit" },
  prompt_cache_retention: "24h",
};

describe("every OpenAI Responses request field is honoured or refused by name", () => {
  const fields = sdkFields("export interface ResponseCreateParamsBase {");

  it("reads the SDK's fields, and knows each of them", () => {
    expect(fields.length).toBeGreaterThan(25);
    expect(fields).toEqual(expect.arrayContaining(["input", "instructions", "previous_response_id", "tools", "text"]));
    expect(knownResponseFields).toEqual(expect.arrayContaining(fields));
  });

  it.each(fields)("%s", async (field) => {
    const rule = honoured[field];
    const before = h.upstream.requests.length;
    if (field === "previous_response_id") {
      h.upstream.enqueue({ text: "first answer" });
      const first = await post(base);
      const r = await post({ ...base, input: "again", previous_response_id: first.json["id"] });
      expect(r.status, r.text).toBe(200);
      expect(upstream()["messages"]).toEqual([
        { role: "user", content: "hi" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: "again" },
      ]);
      return;
    }
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
    expect(r.json.error).toMatchObject({ param: field, type: "invalid_request_error" });
    expect(h.upstream.requests.length).toBe(before);
  });

  it.each(Object.keys(refusedSamples))("%s: its default (null) asks for nothing and is accepted", async (field) => {
    const r = await post({ ...base, [field]: null });
    expect(r.status, r.text).toBe(200);
  });

  it("refuses a field no API has (a typo), and unknown keys inside items, parts and tools, by path", async () => {
    expect((await post({ ...base, max_tokens: 5 })).json.error?.param).toBe("max_tokens");
    expect((await post({ ...base, input: [{ role: "user", content: "hi", extra: 1 }] })).json.error?.param).toBe("input[0].extra");
    expect(
      (await post({ ...base, input: [{ role: "user", content: [{ type: "input_text", text: "x", weight: 2 }] }] })).json.error?.param,
    ).toBe("input[0].content[0].weight");
    expect((await post({ ...base, tools: [{ ...tool, cached: true }] })).json.error?.param).toBe("tools[0].cached");
    expect((await post({ ...base, text: { format: { type: "text" }, verbosity: "low" } })).json.error?.param).toBe("text.verbosity");
  });
});

describe("a Responses call in the access log", () => {
  it("is one line with its method, model, provider, tokens and cost, like any call", async () => {
    h.upstream.enqueue({ text: "logged" });
    const r = await post({ ...base, metadata: { run: "log-check" } });
    expect(r.status).toBe(200);
    const line = lines.filter((l) => l["msg"] === "call").at(-1);
    expect(line).toMatchObject({
      method: "openai.rest/responses.create",
      status: 200,
      model: "gpt-test",
      provider: "fake-openai",
      input_tokens: 11,
      output_tokens: 1,
      metadata: { run: "log-check" },
    });
    expect(line?.["cost_usd"]).toBeGreaterThan(0);
  });
});

/** The input items this face takes, by the SDK's declaration: each SDK field is accepted (with a sample) or refused by path. */
const itemCases: [string, string, number, object, Record<string, unknown>][] = [
  ["message", "export interface EasyInputMessage {", 4, { role: "user", content: "hi", type: "message" }, { phase: "commentary" }],
  [
    "function_call",
    "export interface ResponseFunctionToolCall {",
    4,
    { type: "function_call", call_id: "c1", name: "f", arguments: "{}", id: "fc_1", status: "completed", namespace: "ns" },
    { caller: { type: "direct" } },
  ],
  [
    "function_call_output",
    "    interface FunctionCallOutput {",
    8,
    { type: "function_call_output", call_id: "c1", output: "42", id: "fco_1", status: "completed" },
    { caller: { type: "direct" } },
  ],
  [
    "reasoning",
    "export interface ResponseReasoningItem {",
    4,
    {
      type: "reasoning",
      id: "rs_1",
      summary: [],
      content: [{ type: "reasoning_text", text: "hmm" }],
      encrypted_content: "sig",
      status: "completed",
    },
    {},
  ],
];

describe("every field of the input items the face takes is accepted or refused by path", () => {
  it.each(itemCases)("%s", async (type, declaration, indent, sample, refused) => {
    const fields = sdkFields(declaration, indent);
    expect(fields.length).toBeGreaterThan(2);
    const prior = type === "function_call_output" ? [{ type: "function_call", call_id: "c1", name: "f", arguments: "{}" }] : [];
    const after = type === "reasoning" || type === "function_call" ? [{ role: "user", content: "go on" }] : [];
    for (const field of fields) {
      if (field in refused) {
        const r = await post({ ...base, input: [...prior, { ...sample, [field]: refused[field] }, ...after] });
        expect([r.status, r.json.error?.param], field).toEqual([400, `input[${prior.length}].${field}`]);
      } else expect(Object.keys(sample), `${type}.${field} has a sample`).toContain(field);
    }
    const r = await post({ ...base, input: [...prior, sample, ...after] });
    expect(r.status, r.text).toBe(200);
  });
});
