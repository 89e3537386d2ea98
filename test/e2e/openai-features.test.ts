import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { ReasoningEffort, Role, ToolExecution, type Completion, type TokenLogprob } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";

/*
 * Issue 15's features through the whole gateway to an OpenAI-format upstream, over gRPC (or gRPC-Web,
 * see the harness) and over Connect: what the upstream received for each, and what the caller got
 * back from answers scripted exactly (usage details, reasoning, logprobs, non-conforming JSON).
 */

let h: Harness;
beforeAll(async () => {
  // One retry, so that a non-conforming answer is seen to be asked again before it is refused.
  h = await startHarness({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, budgetRatio: 1, budgetBurst: 100 } });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.setDefault({ text: "ok" }));

/** A PNG's first bytes: the signature and an IHDR chunk of a 64 × 32 image (what the token estimate reads). */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from("IHDR"),
  Buffer.from([0, 0, 0, 64, 0, 0, 0, 32, 8, 6, 0, 0, 0]),
]);
const PDF = Buffer.from("%PDF-1.4\n%%EOF\n");
const user = (content: string) => [{ role: Role.USER, content }];
const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta, finish_reason: null, logprobs: null, ...extra }],
});
const stop = chunk({}, { finish_reason: "stop" });
const usageChunk = (usage: Record<string, unknown>) => ({ ...chunk({}), choices: [], usage });
/** A streamed answer of these text pieces, as an OpenAI-format server sends it. */
const answer = (...texts: string[]) => ({ rawEvents: [...texts.map((t) => chunk({ content: t })), stop, "[DONE]"] });
const lastBody = () => h.upstream.requests.at(-1)!.body;

function errorOf(e: unknown) {
  const err = ConnectError.from(e);
  const info = err.findDetails(ErrorInfoSchema)[0];
  return { code: err.code, reason: info?.reason, field: info?.metadata["field"], attempts: info?.metadata["attempts"] };
}

const transports: [string, (h: Harness) => Transport][] = [
  ["gRPC", (h) => h.rpcTransport()],
  ["Connect", (h) => createConnectTransport({ baseUrl: h.httpUrl, httpVersion: "1.1" })],
];

describe.each(transports)("OpenAI-format features over %s", (_, transport) => {
  const client = () => createClient(CompletionService, transport(h));

  it.each(["gpt-test", "gpt-sdk"])("sends an image and a PDF as content parts (%s)", async (model) => {
    const parts = [
      { part: { case: "text" as const, value: "Compare these." } },
      { part: { case: "image" as const, value: { data: PNG, mediaType: "image/png", detail: "high" } } },
      { part: { case: "file" as const, value: { data: PDF, mediaType: "application/pdf", filename: "a.pdf" } } },
    ];
    const res = await client().complete({ model, messages: [{ role: Role.USER, parts }] });
    expect(res.completion?.message?.content).toBe("ok");
    expect(lastBody()["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Compare these." },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG.toString("base64")}`, detail: "high" } },
          { type: "file", file: { file_data: `data:application/pdf;base64,${PDF.toString("base64")}`, filename: "a.pdf" } },
        ],
      },
    ]);
  });

  it.each([
    [
      "a file by URL, which OpenAI does not fetch",
      Role.USER,
      { case: "file" as const, value: { url: "https://example.com/a.pdf" } },
      "messages[0].parts[1].file.url",
    ],
    [
      "an image in a tool result",
      Role.TOOL,
      { case: "image" as const, value: { data: PNG, mediaType: "image/png" } },
      "messages[0].parts[1]",
    ],
  ])("refuses %s, naming the part, without an upstream call", async (_, role, part, field) => {
    const before = h.upstream.requests.length;
    const message = {
      role,
      toolCallId: role === Role.TOOL ? "c1" : "",
      parts: [{ part: { case: "text" as const, value: "See:" } }, { part }],
    };
    const err = await client()
      .complete({ model: "gpt-test", messages: [message] })
      .catch((e: unknown) => errorOf(e));
    expect(err).toMatchObject({ code: Code.InvalidArgument, reason: "INVALID_REQUEST", field });
    expect(h.upstream.requests.length).toBe(before);
  });

  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
  const jsonSchema = {
    format: { case: "jsonSchema" as const, value: { name: "place", schemaJson: JSON.stringify(schema), strict: true } },
  };

  it("passes a json_schema answer that conforms", async () => {
    h.upstream.enqueue(answer('{"city":', '"Paris"}'));
    const res = await client().complete({ model: "gpt-test", messages: user("Where?"), responseFormat: jsonSchema });
    expect(res.completion?.message?.content).toBe('{"city":"Paris"}');
    expect(lastBody()["response_format"]).toEqual({ type: "json_schema", json_schema: { name: "place", schema, strict: true } });
  });

  it("asks again after a non-conforming answer, then refuses it, each attempt failed as INVALID_OUTPUT", async () => {
    h.upstream.enqueue(answer('{"town":1}'), answer("not json"));
    const before = h.upstream.requests.length;
    const err = await client()
      .complete({ model: "gpt-test", messages: user("Where, again?"), responseFormat: jsonSchema })
      .catch((e: unknown) => errorOf(e));
    // When every attempt answered but none conformed, that is the reason the caller gets, each attempt named.
    expect(err).toMatchObject({
      code: Code.Unavailable,
      reason: "INVALID_OUTPUT",
      attempts: "fake-openai:INVALID_OUTPUT,fake-openai:INVALID_OUTPUT",
    });
    expect(h.upstream.requests.length - before).toBe(2);
  });

  it("ends a stream whose answer does not conform with INVALID_OUTPUT", async () => {
    h.upstream.enqueue(answer('{"town":1}'));
    const stream = client().streamComplete({ model: "gpt-test", messages: user("Where, streamed?"), responseFormat: jsonSchema });
    const err = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => errorOf(e));
    expect(err).toMatchObject({ reason: "INVALID_OUTPUT" });
  });

  it("sends a named tool choice, strict tools and parallel_tool_calls", async () => {
    h.upstream.enqueue({ text: "", toolCalls: [{ id: "c1", name: "lookup_order", arguments: '{"id":"A-1"}' }] });
    const definitions = [{ name: "lookup_order", description: "Finds an order", parametersJson: '{"type":"object"}', strict: true }];
    const res = await client().complete({
      model: "gpt-test",
      messages: user("Where is A-1?"),
      tools: {
        definitions,
        execution: ToolExecution.CLIENT,
        choice: { choice: { case: "function", value: "lookup_order" } },
        parallelToolCalls: false,
      },
    });
    expect(res.completion?.message?.toolCalls.map((t) => t.name)).toEqual(["lookup_order"]);
    expect(lastBody()).toMatchObject({
      tool_choice: { type: "function", function: { name: "lookup_order" } },
      parallel_tool_calls: false,
      tools: [{ type: "function", function: { name: "lookup_order", strict: true } }],
    });
  });

  it.each(["gpt-test", "gpt-sdk"])(
    "streams a compatible server's reasoning as ReasoningDelta events, apart from the text (%s)",
    async (model) => {
      h.upstream.enqueue({
        rawEvents: [
          chunk({ role: "assistant", reasoning_content: "Six sevens " }),
          chunk({ reasoning_content: "are 42." }),
          chunk({ content: "42" }),
          stop,
          usageChunk({ prompt_tokens: 10, completion_tokens: 9, completion_tokens_details: { reasoning_tokens: 7 } }),
          "[DONE]",
        ],
      });
      let reasoning = "";
      let text = "";
      let completion: Completion | undefined;
      const stream = client().streamComplete({ model, messages: user("6*7?"), reasoning: { effort: ReasoningEffort.HIGH } });
      for await (const e of stream) {
        if (e.event.case === "reasoning") reasoning += e.event.value.text;
        else if (e.event.case === "delta") text += e.event.value.text;
        else if (e.event.case === "completion") completion = e.event.value;
      }
      expect(lastBody()["reasoning_effort"]).toBe("high");
      expect([reasoning, text]).toEqual(["Six sevens are 42.", "42"]);
      expect(completion?.message).toMatchObject({ content: "42", reasoning: "Six sevens are 42." });
      expect(completion?.usage).toMatchObject({ inputTokens: 10n, outputTokens: 9n, reasoningTokens: 7n });
    },
  );

  it.each(["gpt-test", "gpt-sdk"])("returns logprobs in the completion and with the streamed deltas (%s)", async (model) => {
    const lp = (token: string, logprob: number) => ({
      token,
      logprob,
      bytes: [...Buffer.from(token)],
      top_logprobs: [{ token, logprob, bytes: null }],
    });
    const script = () => ({
      rawEvents: [
        chunk({ content: "Hi" }, { logprobs: { content: [lp("Hi", -0.25)] } }),
        chunk({ content: "!" }, { logprobs: { content: [lp("!", -0.5)] } }),
        stop,
        "[DONE]",
      ],
    });
    const simple = (l: TokenLogprob[]) =>
      l.map((t) => [t.token, t.logprob, Buffer.from(t.bytes).toString(), t.topLogprobs.map((x) => x.token)]);
    const expected = [
      ["Hi", -0.25, "Hi", ["Hi"]],
      ["!", -0.5, "!", ["!"]],
    ];
    h.upstream.enqueue(script());
    const res = await client().complete({ model, messages: user("Hello?"), logprobs: true, topLogprobs: 1 });
    expect(lastBody()).toMatchObject({ logprobs: true, top_logprobs: 1 });
    expect(simple(res.completion!.logprobs)).toEqual(expected);

    h.upstream.enqueue(script());
    const streamed: TokenLogprob[] = [];
    for await (const e of client().streamComplete({ model, messages: user("Hello, streamed?"), logprobs: true })) {
      if (e.event.case === "delta") streamed.push(...e.event.value.logprobs);
    }
    expect(simple(streamed)).toEqual(expected);
  });

  it("reports cached and reasoning tokens, pricing cached input at its own rate", async () => {
    const usage = {
      prompt_tokens: 100,
      completion_tokens: 30,
      prompt_tokens_details: { cached_tokens: 64 },
      completion_tokens_details: { reasoning_tokens: 20 },
    };
    h.upstream.enqueue({ rawEvents: [chunk({ content: "ok" }), stop, usageChunk(usage), "[DONE]"] });
    // OpenAI itself (gpt-native, kind openai) charges half the input rate for cached input by default:
    // 36 plain input tokens at $1/M, 64 cached at $0.5/M, 30 output at $2/M.
    const res = await client().complete({ model: "gpt-native", messages: user("Cached?") });
    expect(res.completion?.usage).toMatchObject({ inputTokens: 100n, outputTokens: 30n, cachedInputTokens: 64n, reasoningTokens: 20n });
    expect(res.completion?.costUsd).toBeCloseTo((36 * 1 + 64 * 0.5 + 30 * 2) / 1_000_000, 12);
  });

  it("passes extra_body to an openai-compatible provider", async () => {
    await client().complete({
      model: "gpt-test",
      messages: user("Extra?"),
      extraBody: { top_k: 40, chat_template_kwargs: { enable_thinking: false } },
    });
    expect(lastBody()).toMatchObject({ model: "gpt-4o-mini", top_k: 40, chat_template_kwargs: { enable_thinking: false } });
  });

  it("refuses extra_body for OpenAI itself, naming the field, without an upstream call", async () => {
    const before = h.upstream.requests.length;
    const err = await client()
      .complete({ model: "gpt-native", messages: user("Extra, native?"), extraBody: { top_k: 40 } })
      .catch((e: unknown) => errorOf(e));
    expect(err).toMatchObject({ code: Code.InvalidArgument, reason: "INVALID_REQUEST", field: "extra_body" });
    expect(h.upstream.requests.length).toBe(before);
  });
});
