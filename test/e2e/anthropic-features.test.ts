import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { type Completion, FinishReason, Role, ToolChoiceMode, ToolExecution } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { type Harness, startHarness } from "../support/harness.js";

/*
 * Issue 15's features on claude-test (an Anthropic deployment behind the fake upstream), end to end
 * over native gRPC and Connect JSON: what the Messages API receives, and what the caller gets back.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const PNG = new Uint8Array(Buffer.from("89504e470d0a1a0a0000000d49484452000000100000000808020000", "hex"));
const PDF = new Uint8Array(Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"));
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** One scripted Messages stream: optional thinking (with its signature), then text, then usage. */
function answer(o: {
  thinking?: string;
  signature?: string;
  text: string;
  toolUse?: { id: string; name: string; input: Record<string, unknown> };
  usage?: Record<string, number>;
  stop?: string;
}) {
  const ev = (event: string, data: Record<string, unknown>) => ({ event, data: { type: event, ...data } });
  const events: unknown[] = [
    ev("message_start", {
      message: {
        id: "msg_e2e",
        type: "message",
        role: "assistant",
        model: "claude-haiku-4-5",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 1, ...o.usage },
      },
    }),
  ];
  let index = 0;
  if (o.thinking !== undefined) {
    events.push(ev("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } }));
    for (const piece of o.thinking.split(/(?<= )/)) {
      events.push(ev("content_block_delta", { index, delta: { type: "thinking_delta", thinking: piece } }));
    }
    events.push(ev("content_block_delta", { index, delta: { type: "signature_delta", signature: o.signature ?? "" } }));
    events.push(ev("content_block_stop", { index }));
    index++;
  }
  events.push(ev("content_block_start", { index, content_block: { type: "text", text: "" } }));
  events.push(ev("content_block_delta", { index, delta: { type: "text_delta", text: o.text } }));
  events.push(ev("content_block_stop", { index }));
  if (o.toolUse) {
    index++;
    const { input, ...block } = o.toolUse;
    events.push(ev("content_block_start", { index, content_block: { type: "tool_use", ...block, input: {} } }));
    events.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(input) } }));
    events.push(ev("content_block_stop", { index }));
  }
  events.push(
    ev("message_delta", {
      delta: { stop_reason: o.stop ?? "end_turn", stop_sequence: null },
      usage: { output_tokens: o.usage?.["output_tokens"] ?? 5 },
    }),
  );
  events.push(ev("message_stop", {}));
  return { rawEvents: events };
}

const lastBody = () => h.upstream.requests.at(-1)!.body;
const user = (content: string) => ({ role: Role.USER, content });
const weatherTool = {
  name: "weather",
  description: "Weather in a city",
  parametersJson: '{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}',
};

describe.each([
  ["gRPC", (): Transport => h.rpcTransport()],
  ["Connect JSON", (): Transport => createConnectTransport({ baseUrl: h.httpUrl, httpVersion: "1.1", useBinaryFormat: false })],
])("Anthropic features over %s", (_face, transport) => {
  const client = () => createClient(CompletionService, transport());

  it("sends an image and a PDF as image and document blocks", async () => {
    h.upstream.enqueue(answer({ text: "A chart and a report." }));
    const res = await client().complete({
      model: "claude-test",
      messages: [
        {
          role: Role.USER,
          parts: [
            { part: { case: "text", value: "What are these?" } },
            { part: { case: "image", value: { data: PNG, mediaType: "image/png" } } },
            { part: { case: "file", value: { data: PDF, mediaType: "application/pdf", filename: "q3.pdf" } } },
          ],
        },
      ],
    });
    expect(res.completion?.message?.content).toBe("A chart and a report.");
    expect(lastBody()["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What are these?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: b64(PNG) } },
          { type: "document", source: { type: "base64", media_type: "application/pdf", data: b64(PDF) }, title: "q3.pdf" },
        ],
      },
    ]);
  });

  it("passes cache_control on the system prompt and tools, and tool_choice required and named", async () => {
    const system = { role: Role.SYSTEM, content: "A long, stable instruction.", cacheControl: { ttl: "1h" } };
    const tools = (choice: { case: "mode"; value: ToolChoiceMode } | { case: "function"; value: string }) => ({
      definitions: [{ ...weatherTool, cacheControl: { ttl: "" } }],
      execution: ToolExecution.CLIENT,
      choice: { choice },
      parallelToolCalls: false,
    });
    h.upstream.enqueue(answer({ text: "ok" }), answer({ text: "ok" }));
    await client().complete({
      model: "claude-test",
      messages: [system, user("Weather?")],
      tools: tools({ case: "mode", value: ToolChoiceMode.REQUIRED }),
    });
    const body = lastBody();
    expect(body["system"]).toEqual([
      { type: "text", text: "A long, stable instruction.", cache_control: { type: "ephemeral", ttl: "1h" } },
    ]);
    expect(body["tools"]).toEqual([
      {
        name: "weather",
        description: "Weather in a city",
        input_schema: JSON.parse(weatherTool.parametersJson),
        cache_control: { type: "ephemeral" },
      },
    ]);
    expect(body["tool_choice"]).toEqual({ type: "any", disable_parallel_tool_use: true });
    await client().complete({
      model: "claude-test",
      messages: [system, user("Weather?")],
      tools: tools({ case: "function", value: "weather" }),
    });
    expect(lastBody()["tool_choice"]).toEqual({ type: "tool", name: "weather", disable_parallel_tool_use: true });
  });

  it("asks for a json_schema answer in output_config and returns it once it conforms", async () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const responseFormat = {
      format: { case: "jsonSchema" as const, value: { name: "place", schemaJson: JSON.stringify(schema), strict: true } },
    };
    h.upstream.enqueue(answer({ text: '{"city":"Lyon"}' }));
    const res = await client().complete({ model: "claude-test", messages: [user("Where?")], responseFormat });
    expect(JSON.parse(res.completion?.message?.content ?? "")).toEqual({ city: "Lyon" });
    expect(lastBody()["output_config"]).toEqual({ format: { type: "json_schema", schema } });
    // An answer that does not conform is the model's failure, named as such (claude-test has one deployment, no retries).
    h.upstream.enqueue(answer({ text: '{"town":"Lyon"}' }));
    const err = await client()
      .complete({ model: "claude-test", messages: [user("Where?")], responseFormat })
      .catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).findDetails(ErrorInfoSchema)[0]?.reason).toBe("INVALID_OUTPUT");
  });

  it("streams thinking as reasoning events, never in the text, and returns it with its signature", async () => {
    h.upstream.enqueue(answer({ thinking: "Seventeen twenties and three more seventeens.", signature: "sig-e2e", text: "391" }));
    const kinds: string[] = [];
    let reasoning = "";
    let text = "";
    let completion: Completion | undefined;
    for await (const e of client().streamComplete({
      model: "claude-test",
      maxTokens: 4096,
      messages: [user("17 × 23?")],
      reasoning: { budgetTokens: 2048 },
    })) {
      if (e.event.case) kinds.push(e.event.case);
      if (e.event.case === "reasoning") reasoning += e.event.value.text;
      if (e.event.case === "delta") text += e.event.value.text;
      if (e.event.case === "completion") completion = e.event.value;
    }
    expect(lastBody()["thinking"]).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(kinds.filter((k) => k === "reasoning").length).toBeGreaterThan(1);
    expect(kinds.indexOf("delta")).toBeGreaterThan(kinds.lastIndexOf("reasoning"));
    expect(reasoning).toBe("Seventeen twenties and three more seventeens.");
    expect(text).toBe("391");
    expect(completion?.message?.content).toBe("391");
    expect(completion?.message?.reasoning).toBe("Seventeen twenties and three more seventeens.");
    expect(completion?.message?.reasoningSignature).toBe("sig-e2e");
  });

  it("sends the thinking back, signed, before the tool call it led to, when the gateway runs the tool", async () => {
    const before = h.upstream.requests.length;
    h.upstream.setScript((r) =>
      (r.body["messages"] as { content: unknown }[]).some((m) => JSON.stringify(m.content).includes("tool_result"))
        ? answer({ text: "It is 391." })
        : answer({
            thinking: "Better to compute it.",
            signature: "sig-tool",
            text: "Let me compute.",
            toolUse: { id: "toolu_e2e", name: "calculator", input: { expression: "17*23" } },
            stop: "tool_use",
          }),
    );
    const res = await client()
      .complete({
        model: "claude-test",
        maxTokens: 4096,
        messages: [user("17 × 23?")],
        reasoning: { budgetTokens: 1024 },
        tools: { names: ["calculator"] },
      })
      .finally(() => h.upstream.setScript(undefined));
    expect(res.completion?.message?.content).toBe("It is 391.");
    expect(h.upstream.requests.length - before).toBe(2);
    expect(lastBody()["messages"]).toEqual([
      { role: "user", content: "17 × 23?" },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "Better to compute it.", signature: "sig-tool" },
          { type: "text", text: "Let me compute." },
          { type: "tool_use", id: "toolu_e2e", name: "calculator", input: { expression: "17*23" } },
        ],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_e2e", content: "391" }] },
    ]);
  });

  it("reports a prompt-cached answer's usage apart and prices each part at its own rate", async () => {
    h.upstream.enqueue(
      answer({
        text: "From the cached manual: yes.",
        usage: { input_tokens: 10, cache_read_input_tokens: 3000, cache_creation_input_tokens: 500, output_tokens: 200 },
      }),
    );
    const res = await client().complete({ model: "claude-test", messages: [user("Is it in the manual?")] });
    const usage = res.completion?.usage;
    expect(usage?.inputTokens).toBe(3510n);
    expect(usage?.cachedInputTokens).toBe(3000n);
    expect(usage?.cacheWriteTokens).toBe(500n);
    expect(usage?.outputTokens).toBe(200n);
    expect(usage?.estimated).toBe(false);
    // claude-test: input $3 and output $15 per million; Anthropic's defaults put cache reads at 0.1× (0.30)
    // and cache writes at 1.25× (3.75): 10×3 + 3000×0.30 + 500×3.75 + 200×15 = 30 + 900 + 1875 + 3000 = 5805 per million.
    expect(res.completion?.costUsd).toBeCloseTo(0.005805, 9);
    expect(res.completion?.finishReason).toBe(FinishReason.STOP);
  });

  it("refuses what Anthropic cannot take, naming the field, without calling it", async () => {
    const before = h.upstream.requests.length;
    for (const [extra, field] of [
      [{ temperature: 0.3 }, "temperature"],
      [{ presencePenalty: 0.5 }, "presence_penalty"],
      [{ seed: 7n }, "seed"],
      [{ serviceTier: "priority" }, "service_tier"],
    ] as const) {
      const err = await client()
        .complete({ model: "claude-test", messages: [user("Hi")], ...extra })
        .catch((e: unknown) => ConnectError.from(e));
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.InvalidArgument);
      const info = (err as ConnectError).findDetails(ErrorInfoSchema)[0];
      expect([info?.reason, info?.metadata["field"]]).toEqual(["INVALID_REQUEST", field]);
    }
    expect(h.upstream.requests.length).toBe(before);
  });
});
