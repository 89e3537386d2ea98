import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { SessionService } from "../../gen/ts/llmgateway/v1/session_service_pb.js";
import { ToolService } from "../../gen/ts/llmgateway/v1/tool_service_pb.js";
import { FinishReason, Role, ToolExecution, type Completion } from "../../gen/ts/llmgateway/v1/types_pb.js";
import type { RecordedRequest } from "../support/fake-upstream.js";
import { startHarness, type Harness } from "../support/harness.js";

/** The microservice behind the HTTP tools: /search answers, /fail fails, /slow never answers. */
let service: http.Server;
let base = "";
let serviceCalls = 0;
beforeAll(async () => {
  service = http.createServer(async (req, res) => {
    serviceCalls++;
    let body = "";
    for await (const c of req) body += String(c);
    if (req.url === "/search")
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ hits: ["The answer is 42"], query: JSON.parse(body).query }));
    else if (req.url === "/fail") res.writeHead(503).end("index rebuilding");
  });
  await new Promise<void>((r) => service.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
});
afterAll(() => {
  service.closeAllConnections();
  service.close();
});

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

const searchSchema = { type: "object", properties: { query: { type: "string" } }, required: ["query"] };
async function start(searchPath = "/search"): Promise<Harness> {
  const h = await startHarness({
    tools: {
      definitions: [
        {
          name: "search",
          description: "Searches the docs",
          parameters: searchSchema,
          kind: "http",
          url: `${base}${searchPath}`,
          timeoutMs: 300,
        },
      ],
    },
  });
  harnesses.push(h);
  return h;
}
const clients = (h: Harness) => {
  const t = h.rpcTransport();
  return { completion: createClient(CompletionService, t), tools: createClient(ToolService, t), sessions: createClient(SessionService, t) };
};

/** Whether the upstream request already carries tool results, in either wire format. */
function hasToolResults(r: RecordedRequest): boolean {
  const messages = r.body["messages"] as { role: string; content: unknown }[];
  return messages.some(
    (m) => m.role === "tool" || (Array.isArray(m.content) && m.content.some((b: { type?: string }) => b.type === "tool_result")),
  );
}
/** The model: first asks for two tools, then answers from their results. */
function scriptModel(h: Harness, always = false) {
  h.upstream.setScript((r) =>
    always || !hasToolResults(r)
      ? {
          text: "",
          toolCalls: [
            { id: "call_1", name: "calculator", arguments: '{"expression":"6*7"}' },
            { id: "call_2", name: "search", arguments: '{"query":"meaning of life"}' },
          ],
        }
      : { text: "The answer is 42." },
  );
}
/** The tool results the upstream received in its second request, as [call id, content], in either format. */
function toolResults(r: RecordedRequest): [string, string][] {
  const messages = r.body["messages"] as { role: string; content: unknown; tool_call_id?: string }[];
  const openai = messages.filter((m) => m.role === "tool").map((m): [string, string] => [m.tool_call_id ?? "", String(m.content)]);
  const anthropic = messages.flatMap((m) =>
    Array.isArray(m.content)
      ? (m.content as { type: string; tool_use_id: string; content: string }[])
          .filter((b) => b.type === "tool_result")
          .map((b): [string, string] => [b.tool_use_id, b.content])
      : [],
  );
  return [...openai, ...anthropic];
}
const offered = (r: RecordedRequest) =>
  (r.body["tools"] as { name?: string; function?: { name: string } }[]).map((t) => t.function?.name ?? t.name).sort();
const ask = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: Role.USER, content: "What is six times seven, and what do the docs say?" }],
  tools: { names: ["calculator", "search"], ...extra },
});

describe.each([
  ["OpenAI format", "gpt-test"],
  ["Anthropic format", "claude-test"],
])("server-side tools (%s)", (_format, model) => {
  it("runs the tools the model calls, in parallel, feeds the results back, and returns the final answer with usage over every round", async () => {
    const h = await start();
    scriptModel(h);
    const { completion } = clients(h);
    const c = (await completion.complete(ask(model))).completion!;
    expect(c.message?.content).toBe("The answer is 42.");
    expect(c.finishReason).toBe(FinishReason.STOP);
    expect(c.rounds).toBe(2);
    expect(c.toolTurns.map((m) => [Role[m.role], m.toolCallId, m.toolCalls.map((t) => t.name).join(",")])).toEqual([
      ["ASSISTANT", "", "calculator,search"],
      ["TOOL", "call_1", ""],
      ["TOOL", "call_2", ""],
    ]);
    expect(c.attempts).toHaveLength(2);
    const [first, second] = h.upstream.requests;
    expect(offered(first!)).toEqual(["calculator", "search"]);
    const results = toolResults(second!);
    expect(results[0]).toEqual(["call_1", "42"]);
    expect(results[1]![0]).toBe("call_2");
    expect(JSON.parse(results[1]![1])).toEqual({ hits: ["The answer is 42"], query: "meaning of life" });
    // Usage and cost add up both rounds.
    // The Anthropic fake reports 13 input tokens plus 2 written to and 3 read from its prompt cache.
    const perRound = model === "gpt-test" ? 11 : 18;
    expect(c.usage?.inputTokens).toBe(BigInt(2 * perRound));
    expect(c.costUsd).toBeGreaterThan(0);
  });

  it("streams typed events: tool calls started, tool results, then the text and the final completion", async () => {
    const h = await start();
    scriptModel(h);
    const { completion } = clients(h);
    const events: string[] = [];
    let final: Completion | undefined;
    for await (const e of completion.streamComplete(ask(model))) {
      if (e.event.case === "toolCall")
        events.push(`call ${e.event.value.id} ${e.event.value.name} ${e.event.value.argumentsJson} round ${e.event.value.round}`);
      else if (e.event.case === "toolResult") events.push(`result ${e.event.value.id} error=${e.event.value.isError}`);
      else if (e.event.case === "delta") events.push(`text ${e.event.value.text}`);
      else if (e.event.case === "completion") final = e.event.value;
    }
    expect(events.slice(0, 2)).toEqual([
      'call call_1 calculator {"expression":"6*7"} round 1',
      'call call_2 search {"query":"meaning of life"} round 1',
    ]);
    expect(events.slice(2, 4).sort()).toEqual(["result call_1 error=false", "result call_2 error=false"]);
    expect(events.slice(4).join("").replaceAll("text ", "")).toBe("The answer is 42.");
    expect(final!.rounds).toBe(2);
    expect(final!.message?.content).toBe("The answer is 42.");
    expect(final!.toolTurns).toHaveLength(3);
  });

  it("tells the model when a tool fails or times out, and still answers", async () => {
    for (const [path, expected] of [
      ["/fail", "HTTP 503: index rebuilding"],
      ["/slow", 'tool "search" did not answer within 300 ms'],
    ]) {
      const h = await start(path);
      scriptModel(h);
      const c = (await clients(h).completion.complete(ask(model))).completion!;
      expect(c.message?.content).toBe("The answer is 42.");
      const search = c.toolTurns.find((m) => m.toolCallId === "call_2");
      expect(search?.content).toContain(expected);
      expect(search?.content.startsWith("error: ")).toBe(true);
      expect(toolResults(h.upstream.requests[1]!)[1]![1]).toContain(expected);
    }
  });
});

describe("tool calls that go back to the caller", () => {
  it("client execution: the model's tool calls are returned, nothing is run", async () => {
    const h = await start();
    scriptModel(h);
    const before = serviceCalls;
    const c = (await clients(h).completion.complete(ask("gpt-test", { execution: ToolExecution.CLIENT }))).completion!;
    expect(c.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(c.message?.toolCalls.map((t) => t.name)).toEqual(["calculator", "search"]);
    expect(c.rounds).toBe(1);
    expect(serviceCalls).toBe(before);
    expect(h.upstream.requests).toHaveLength(1);
  });

  it("tools the caller defines are offered to the model and their calls returned", async () => {
    const h = await start();
    h.upstream.setDefault({ text: "", toolCalls: [{ id: "c9", name: "lookup_order", arguments: '{"id":"A-1"}' }] });
    const req = {
      model: "claude-test",
      messages: [{ role: Role.USER, content: "Where is order A-1?" }],
      tools: {
        definitions: [
          {
            name: "lookup_order",
            description: "Finds an order",
            parametersJson: '{"type":"object","properties":{"id":{"type":"string"}}}',
          },
        ],
      },
    };
    const c = (await clients(h).completion.complete(req)).completion!;
    expect(c.finishReason).toBe(FinishReason.TOOL_CALLS);
    expect(c.message?.toolCalls[0]).toMatchObject({ id: "c9", name: "lookup_order", argumentsJson: '{"id":"A-1"}' });
    expect(offered(h.upstream.requests[0]!)).toEqual(["lookup_order"]);
  });

  it("stops at max_iterations: the last round asks the model for text (tool_choice none)", async () => {
    const h = await start();
    scriptModel(h, true);
    const c = (await clients(h).completion.complete(ask("gpt-test", { maxIterations: 2 }))).completion!;
    expect(h.upstream.requests).toHaveLength(2);
    expect(h.upstream.requests[0]!.body["tool_choice"]).toBeUndefined();
    expect(h.upstream.requests[1]!.body["tool_choice"]).toBe("none");
    expect(c.rounds).toBe(2);
  });

  it("refuses an unknown tool name and a bad definition before calling anyone", async () => {
    const h = await start();
    const { completion } = clients(h);
    const unknown = ConnectError.from(await completion.complete(ask("gpt-test", { names: ["nope"] })).catch((e: unknown) => e));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.findDetails(ErrorInfoSchema)[0]?.reason).toBe("TOOL_NOT_FOUND");
    const bad = ConnectError.from(
      await completion
        .complete({ ...ask("gpt-test"), tools: { definitions: [{ name: "x", description: "", parametersJson: '{"type":"string"}' }] } })
        .catch((e: unknown) => e),
    );
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.rawMessage).toContain("tools.definitions[0].parameters_json");
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe("tools in a session", () => {
  it("records the whole turn: the question, the tool rounds and the answer", async () => {
    const h = await start();
    scriptModel(h);
    const { completion, sessions } = clients(h);
    const id = (await sessions.createSession({ user: "ann" })).session!.id;
    await completion.complete({ ...ask("gpt-test"), user: "ann", sessionId: id });
    const got = await sessions.getSession({ user: "ann", sessionId: id });
    expect(got.messages.map((m) => Role[m.message!.role])).toEqual(["USER", "ASSISTANT", "TOOL", "TOOL", "ASSISTANT"]);
    // The builtin reads the caller's own session.
    const history = await clients(h).tools.executeTool({
      name: "session_history",
      argumentsJson: '{"limit":2}',
      user: "ann",
      sessionId: id,
    });
    expect(JSON.parse(history.output).map((m: { role: string }) => m.role)).toEqual(["tool", "assistant"]);
    const foreign = ConnectError.from(
      await clients(h)
        .tools.executeTool({ name: "session_history", argumentsJson: "{}", user: "eve", sessionId: id })
        .catch((e: unknown) => e),
    );
    expect(foreign.code).toBe(Code.NotFound);
  });
});

describe("ToolService", () => {
  it("lists and describes tools, runs one, and types its errors", async () => {
    const h = await start();
    const { tools } = clients(h);
    const listed = await tools.listTools({});
    expect(listed.tools.map((t) => t.name)).toEqual(["calculator", "current_time", "search", "session_history"]);
    const search = (await tools.getTool({ name: "search" })).tool!;
    expect(search).toMatchObject({ kind: "http", timeoutMs: 300, breakerState: "closed" });
    expect(JSON.parse(search.parametersJson)).toEqual(searchSchema);
    expect((await tools.executeTool({ name: "calculator", argumentsJson: '{"expression":"2^10"}' })).output).toBe("1024");

    const bad = ConnectError.from(await tools.executeTool({ name: "search", argumentsJson: '{"q":1}' }).catch((e: unknown) => e));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.rawMessage).toContain("must have required property 'query'");
    expect(bad.findDetails(ErrorInfoSchema)[0]?.metadata["field"]).toBe("arguments_json");
    expect(ConnectError.from(await tools.getTool({ name: "nope" }).catch((e: unknown) => e)).code).toBe(Code.NotFound);
    expect(ConnectError.from(await tools.executeTool({ name: "nope", argumentsJson: "{}" }).catch((e: unknown) => e)).code).toBe(
      Code.NotFound,
    );
  });
});
