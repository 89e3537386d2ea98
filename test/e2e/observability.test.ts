import { createClient, type Interceptor } from "@connectrpc/connect";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";

const exporter = new InMemorySpanExporter();
const lines: string[] = [];
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    spanProcessor: new SimpleSpanProcessor({ exporter }),
    logSink: (l) => lines.push(l),
    limits: { requestsPerMinute: 1_000 },
  });
});
afterAll(() => h.close());

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const traceparent: Interceptor = (next) => (req) => {
  req.header.set("traceparent", `00-${TRACE}-00f067aa0ba902b7-01`);
  return next(req);
};
const client = () => createClient(CompletionService, h.rpcTransport({ interceptors: [traceparent] }));
const PROMPT = "a secret prompt that must not be logged";
const ask = (extra: object = {}) => ({
  model: "gpt-test",
  temperature: 0,
  user: "ann",
  messages: [{ role: Role.USER, content: PROMPT }],
  ...extra,
});
const byName = (name: string) => exporter.getFinishedSpans().filter((s: ReadableSpan) => s.name === name);

describe("tracing", () => {
  it("makes one span per call in the caller's trace, with children for the cache lookup and each attempt, per the GenAI conventions", async () => {
    exporter.reset();
    h.upstream.enqueue({ status: 503 }, { text: "fine" });
    // No temperature: the Anthropic deployment refuses it (its Messages API has none); force keeps the cache lookup.
    await client().complete(ask({ model: "dual", temperature: undefined, cache: { force: true } }));
    const [server] = byName("llmgateway.v1.CompletionService/Complete");
    expect(server?.spanContext().traceId).toBe(TRACE);
    expect(server?.attributes).toMatchObject({
      "rpc.service": "llmgateway.v1.CompletionService",
      "gen_ai.request.model": "dual",
      // The Anthropic fake: 13 input tokens plus 5 from its prompt cache.
      "gen_ai.usage.input_tokens": 18,
      "llm_gateway.cache_status": "miss",
      "llm_gateway.provider": "fake-anthropic",
      "llm_gateway.attempts": 2,
    });
    const children = exporter.getFinishedSpans().filter((s) => s.parentSpanContext?.spanId === server?.spanContext().spanId);
    expect(children.map((s) => s.name).sort()).toEqual(["cache.lookup", "chat claude-haiku-4-5", "chat gpt-4o-mini"]);
    const failed = children.find((s) => s.name === "chat gpt-4o-mini");
    expect(failed?.attributes).toMatchObject({
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "error.type": "UPSTREAM_UNAVAILABLE",
    });
    const answered = children.find((s) => s.name === "chat claude-haiku-4-5");
    expect(answered?.attributes).toMatchObject({
      "gen_ai.system": "anthropic",
      "gen_ai.usage.output_tokens": 1,
      "gen_ai.response.finish_reasons": ["stop"],
    });
  });

  it("traces each tool the gateway runs", async () => {
    exporter.reset();
    h.upstream.setScript((r) =>
      (r.body["messages"] as { role: string }[]).some((m) => m.role === "tool")
        ? { text: "6*7 is 42" }
        : { text: "", toolCalls: [{ id: "c1", name: "calculator", arguments: '{"expression":"6*7"}' }] },
    );
    await client().complete(
      ask({ tools: { names: ["calculator"] }, temperature: undefined, messages: [{ role: Role.USER, content: "6*7?" }] }),
    );
    h.upstream.setScript(undefined);
    const [tool] = byName("execute_tool calculator");
    expect(tool?.attributes).toMatchObject({ "gen_ai.tool.name": "calculator" });
    expect(tool?.spanContext().traceId).toBe(TRACE);
    expect(byName("chat gpt-4o-mini")).toHaveLength(2);
  });
});

describe("metrics", () => {
  it("counts calls, tokens, cost, first tokens, breakers and refusals for Prometheus", async () => {
    await client().complete(ask());
    for await (const _ of client().streamComplete({ ...ask(), temperature: 0.5 })) void _;
    const text = await (await fetch(`${h.httpUrl}/metrics`)).text();
    expect(text).toMatch(/llmgw_requests_total\{service="llmgateway.v1.CompletionService",method="Complete",code="ok"\} \d+/);
    expect(text).toMatch(/llmgw_tokens_total\{model="gpt-test",provider="fake-openai",direction="input"\} \d+/);
    expect(text).toMatch(/llmgw_cost_usd_total\{model="gpt-test",provider="fake-openai"\} [\d.e-]+/);
    expect(text).toMatch(/llmgw_time_to_first_token_seconds_count\{model="gpt-test"\} [1-9]/);
    expect(text).toMatch(/llmgw_breaker_state\{model="gpt-test",provider="fake-openai"\} 0/);
    expect(text).toMatch(/llmgw_dependency_up\{name="fake-openai",kind="provider"\} 1/);
    expect(text).toMatch(/llmgw_streams_in_flight 0/);
    expect(text).toContain("llmgw_request_duration_seconds_bucket");
  });
});

describe("logs", () => {
  it("write one JSON line per call with its request id and trace id, and never the prompt", async () => {
    lines.length = 0;
    await client().complete(ask());
    const access = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l["msg"] === "call" && l["method"] === "llmgateway.v1.CompletionService/Complete");
    expect(access).toMatchObject({ level: "info", code: "ok", trace_id: TRACE });
    expect(String(access?.["request_id"])).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.join("\n")).not.toContain(PROMPT);
  });

  it("include the prompt and the answer only when log.prompts is on", async () => {
    const seen: string[] = [];
    const verbose = await startHarness({ log: { prompts: true }, logSink: (l) => seen.push(l) });
    try {
      await createClient(CompletionService, verbose.rpcTransport()).complete(ask());
      const content = seen.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l["msg"] === "completion content");
      expect(JSON.stringify(content)).toContain(PROMPT);
      expect(content?.["request_id"]).toBeTruthy();
    } finally {
      await verbose.close();
    }
  });
});
