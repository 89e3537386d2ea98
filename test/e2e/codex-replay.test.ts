import { readFileSync } from "node:fs";
import * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CodexScenario, CODEX_KEY, codexScenarios, OPENAI_PROVIDER_SCENARIOS } from "../clients/codex/scenarios.js";
import { digest } from "../support/auth.js";
import { type Harness, startHarness } from "../support/harness.js";

/*
 * The requests the real Codex CLI sent (test/fixtures/codex/, recorded by scripts/try-codex.sh),
 * replayed in order with their headers against a gateway whose fake upstream answers as it did for
 * Codex; the answers must have the shapes Codex reads: an event stream numbered without a gap, from
 * response.created to response.completed, each output item whole in its output_item.done (Codex keeps
 * those and sends them back), usage in the completed response.
 */

interface Fixture {
  scenario: string;
  requests: { method: string; path: string; headers: Record<string, string>; body: Record<string, unknown> }[];
}

interface Event {
  type: string;
  sequence_number: number;
  item?: Record<string, unknown>;
  response?: Record<string, unknown>;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ auth: { tenants: [{ name: "codex", keys: [{ sha256: digest(CODEX_KEY) }] }] } });
});
afterAll(() => h.close());

const fixture = (name: string): Fixture => JSON.parse(readFileSync(new URL(`../fixtures/codex/${name}.json`, import.meta.url), "utf8"));

/** Sends one recorded request as Codex sent it (its headers, less those of the connection; fetch would not send an upgrade). */
function replay(r: Fixture["requests"][number], body: unknown = r.body): Promise<{ status: number; type: string; text: string }> {
  const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => !["host", "content-length"].includes(k)));
  const payload = r.method === "GET" ? undefined : JSON.stringify(body);
  if (payload) headers["content-length"] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const req = http.request(`${h.httpUrl}${r.path}`, { method: r.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), text: Buffer.concat(chunks).toString() }),
      );
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** The events of a Responses stream, checked for the framing Codex's parser needs. */
function eventsOf(text: string): Event[] {
  const blocks = text.split("\n\n").filter((b) => b.trim());
  const events = blocks.map((b) => {
    const name = /^event: (.+)$/m.exec(b)?.[1];
    const data = JSON.parse(/^data: (.+)$/m.exec(b)?.[1] ?? "null") as Event;
    expect(data.type).toBe(name);
    return data;
  });
  expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  expect(events[0]?.type).toBe("response.created");
  expect(events.at(-1)?.type).toBe("response.completed");
  const completed = events.at(-1)!.response!;
  expect(completed["id"]).toMatch(/^resp_/);
  expect(completed["usage"]).toMatchObject({
    input_tokens: expect.any(Number),
    output_tokens: expect.any(Number),
    total_tokens: expect.any(Number),
  });
  return events;
}

const doneItems = (events: Event[]) => events.filter((e) => e.type === "response.output_item.done").map((e) => e.item!);

/** Replays a scenario's requests in order; the upstream answers as scripted. Returns each answer's finished items. */
async function run(s: CodexScenario, f: Fixture): Promise<Record<string, unknown>[][]> {
  const from = h.upstream.requests.length;
  h.upstream.enqueue(...s.upstream);
  const turns: Record<string, unknown>[][] = [];
  for (const r of f.requests) {
    expect(r.path).toBe("/v1/responses");
    if (r.method === "GET") {
      // OpenAI's Responses WebSocket, which Codex's built-in provider tries first: 426 makes it use HTTP at once.
      expect(r.headers["upgrade"]).toBe("websocket");
      const refused = await replay(r);
      expect([refused.status, JSON.parse(refused.text).error.code]).toEqual([426, "websocket_not_supported"]);
      continue;
    }
    expect(r.method).toBe("POST");
    const res = await replay(r);
    expect(res.status, res.text).toBe(200);
    expect(res.type).toContain("text/event-stream");
    turns.push(doneItems(eventsOf(res.text)));
  }
  s.check(h.upstream.requests.slice(from));
  const last = turns.at(-1)!.find((i) => i["type"] === "message") as { content: { text: string }[] } | undefined;
  expect(last?.content[0]?.text).toBe(s.finalText);
  return turns;
}

const scenario = (name: string) => codexScenarios.find((s) => s.name === name)!;

describe("Codex CLI's recorded requests, replayed against the Responses face", () => {
  it("every request is what this face takes: Codex's own fields and tools as it sends them", () => {
    const recorded = [
      ...codexScenarios.map((s) => [s, fixture(s.name)] as const),
      ...codexScenarios
        .filter((s) => OPENAI_PROVIDER_SCENARIOS.includes(s.name))
        .map((s) => [s, fixture(`openai-provider-${s.name}`)] as const),
    ];
    for (const [s, f] of recorded) {
      const posts = f.requests.filter((r) => r.method === "POST");
      expect(posts.length, f.scenario).toBe(s.upstream.length);
      for (const r of posts) {
        expect(r.headers["authorization"]).toBe(`Bearer ${CODEX_KEY}`);
        expect(r.body).toMatchObject({ stream: true, store: false, include: ["reasoning.encrypted_content"] });
        expect(Object.keys(r.body)).toEqual(expect.arrayContaining(["prompt_cache_key", "client_metadata", "tools"]));
      }
    }
  });

  it("one-shot: the answer's text in a whole message item", async () => {
    await run(scenario("one-shot"), fixture("one-shot"));
  });

  it("streamed reasoning: a reasoning item with the summary Codex asked for, then the text in pieces", async () => {
    const s = scenario("streamed-reasoning");
    const [items] = await run(s, fixture("streamed-reasoning"));
    expect(items!.map((i) => i["type"])).toEqual(["reasoning", "message"]);
    expect(items![0]).toMatchObject({ summary: [{ type: "summary_text", text: "Counting is easy." }] });
  });

  it("tool round trip: exec_command called, and Codex's output of it goes back to the upstream", async () => {
    const [first] = await run(scenario("tool-round-trip"), fixture("tool-round-trip"));
    expect(first!.find((i) => i["type"] === "function_call")).toMatchObject({
      call_id: "call_codex_1",
      name: "exec_command",
      arguments: JSON.stringify({ cmd: "echo codex-tool-ok" }),
    });
  });

  it("a namespace's tool: called under its namespace, as Codex sends it back", async () => {
    const f = fixture("namespace-tool-call");
    const [first] = await run(scenario("namespace-tool-call"), f);
    expect(first!.find((i) => i["type"] === "function_call")).toMatchObject({
      namespace: "multi_agent_v1",
      name: "close_agent",
      call_id: "call_codex_ns",
    });
    expect(f.requests[1]!.body["input"]).toContainEqual(
      expect.objectContaining({ type: "function_call", namespace: "multi_agent_v1", name: "close_agent" }),
    );
  });

  it("routed to Anthropic: signed thinking goes to Codex on the reasoning item and comes back to Anthropic with the tool result", async () => {
    const [first] = await run(scenario("anthropic-tool-round-trip"), fixture("anthropic-tool-round-trip"));
    expect(first!.map((i) => i["type"])).toEqual(["reasoning", "message", "function_call"]);
    expect(first![0]).toMatchObject({ encrypted_content: "sig-codex-1" });
  });
  it.each(OPENAI_PROVIDER_SCENARIOS)(
    "through Codex's built-in OpenAI provider (%s): the WebSocket refused with 426, then the same answers over HTTP",
    async (name) => {
      const f = fixture(`openai-provider-${name}`);
      expect(f.requests[0]!.method).toBe("GET");
      const posts = f.requests.filter((r) => r.method === "POST");
      expect(
        posts.every((r) => (r.body["input"] as Record<string, unknown>[]).some((i) => "internal_chat_message_metadata_passthrough" in i)),
      ).toBe(true);
      await run(scenario(name), f);
    },
  );

  it("a GET of /v1/responses that asks for no WebSocket is 405", async () => {
    const res = await replay({ method: "GET", path: "/v1/responses", headers: { authorization: `Bearer ${CODEX_KEY}` }, body: {} });
    expect([res.status, JSON.parse(res.text).error.code]).toEqual([405, "method_not_allowed"]);
  });
  it("compaction through the built-in provider: compaction_trigger answered with a compaction item, which Codex sends back in place of the conversation", async () => {
    const f = fixture("openai-provider-compaction");
    const turns = await run(scenario("compaction"), f);
    expect(turns[1]!.map((i) => i["type"])).toEqual(["compaction"]);
    const posts = f.requests.filter((r) => r.method === "POST").map((r) => r.body["input"] as Record<string, unknown>[]);
    expect(posts[1]!.at(-1)).toEqual({ type: "compaction_trigger" });
    expect(posts[2]!.map((i) => i["type"])).toContain("compaction");
    expect(posts[2]!.map((i) => i["type"])).not.toContain("function_call_output");
  });

  it("compaction through a provider of Codex's own: its own summary request, then the summary in place of the conversation", async () => {
    await run(scenario("compaction"), fixture("compaction"));
  });
});
