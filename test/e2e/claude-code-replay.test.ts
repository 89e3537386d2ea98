import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SseEvent, SseReader } from "../../src/providers/sse.js";
import { CLAUDE_CODE_KEY, CLAUDE_CODE_MODELS, HELLO_FILE, READ_ID, SCENARIOS } from "../clients/claude-code-scenarios.js";
import { digest } from "../support/auth.js";
import { type Harness, startHarness } from "../support/harness.js";
import type { RecordedExchange } from "../support/recording-proxy.js";

/*
 * Claude Code's own requests, recorded from the real CLI (test/clients/claude-code.live.ts, through
 * scripts/try-claude-code.sh) into test/fixtures/claude-code/, replayed in order with their headers and
 * bodies against a gateway whose upstream answers as it did then. Each answer must have what the CLI
 * needs: the recorded status, Anthropic's event order, the blocks the upstream sent (signed thinking,
 * text, tool calls with their input), and the next request's tool result must reach the upstream.
 */

const DIR = "test/fixtures/claude-code";
interface Fixture {
  client: string;
  args: string[];
  cwd: string;
  exchanges: RecordedExchange[];
}
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ name: f.replace(/\.json$/, ""), ...(JSON.parse(readFileSync(join(DIR, f), "utf8")) as Fixture) }));

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    auth: { tenants: [{ name: "claude-code", keys: [{ sha256: digest(CLAUDE_CODE_KEY) }] }] },
    extraModels: CLAUDE_CODE_MODELS,
  });
});
afterAll(() => h.close());

function events(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  const reader = new SseReader();
  reader.push(Buffer.from(text), out);
  reader.end(out);
  return out;
}

type Block = Record<string, unknown> & { type: string };
interface Assembled {
  content: Block[];
  stop_reason: unknown;
  usage: Record<string, unknown>;
}

/**
 * A Messages event stream put together as the SDK Claude Code is built on does, failing on anything
 * out of order: the message first, each block started, filled and stopped by its index, then the
 * message's delta and its stop. Every event's name is its data's type.
 */
function assemble(list: SseEvent[]): Assembled {
  const data = list.map((e) => {
    const d = JSON.parse(e.data) as Record<string, unknown> & { type: string };
    expect(e.event).toBe(d.type);
    return d;
  });
  expect(data[0]?.type).toBe("message_start");
  expect(data.at(-1)?.type).toBe("message_stop");
  const message = data[0]!["message"] as Assembled;
  expect(message.content).toEqual([]);
  const json: string[] = [];
  let open: number | undefined;
  let ended = false;
  for (const d of data.slice(1, -1)) {
    expect(ended).toBe(false);
    const index = d["index"] as number;
    if (d.type === "ping") continue;
    if (d.type === "content_block_start") {
      expect([open, index]).toEqual([undefined, message.content.length]);
      message.content.push({ ...(d["content_block"] as Block) });
      json[index] = "";
      open = index;
    } else if (d.type === "content_block_delta") {
      expect(index).toBe(open);
      const block = message.content[index]!;
      const delta = d["delta"] as Record<string, string>;
      if (delta["type"] === "text_delta") block["text"] = `${block["text"]}${delta["text"]}`;
      else if (delta["type"] === "thinking_delta") block["thinking"] = `${block["thinking"]}${delta["thinking"]}`;
      else if (delta["type"] === "signature_delta") block["signature"] = delta["signature"];
      else if (delta["type"] === "input_json_delta") json[index] += delta["partial_json"] ?? "";
      else throw new Error(`unexpected delta ${delta["type"]}`);
    } else if (d.type === "content_block_stop") {
      expect(index).toBe(open);
      const block = message.content[index]!;
      if (block.type === "tool_use") block["input"] = JSON.parse(json[index] || "{}");
      open = undefined;
    } else {
      expect(d.type).toBe("message_delta");
      expect(open).toBeUndefined();
      message.stop_reason = (d["delta"] as Record<string, unknown>)["stop_reason"];
      message.usage = { ...message.usage, ...(d["usage"] as Record<string, unknown>) };
      ended = true;
    }
  }
  expect(ended).toBe(true);
  return message;
}

/** The blocks as the CLI keeps them, without the fields the gateway adds for newer API versions. */
const essentials = (content: Block[]) => content.map(({ citations: _c, caller: _k, ...b }) => b);

describe.each(fixtures)("Claude Code's $name, replayed", (fixture) => {
  const scenario = SCENARIOS.find((s) => s.name === fixture.name);

  it("was recorded from the CLI for a scenario it still runs", () => {
    expect(scenario).toBeDefined();
    expect(fixture.args).toEqual(scenario!.args);
    expect(fixture.exchanges.filter((e) => e.response.status === 200)).toHaveLength(scenario!.upstream("").length);
  });

  it("gets the answers the CLI needs, and its tool results reach the upstream", async () => {
    const file = join(fixture.cwd, HELLO_FILE);
    // Without the scripted pauses: a quiet upstream's pings are the gateway's clock's, not the CLI's needs.
    const answers = scenario!.upstream(file).map(({ chunkDelayMs: _d, ...b }) => b);
    const seen = h.upstream.requests.length;
    h.upstream.enqueue(...answers);
    const assembled: Assembled[] = [];
    const roles: string[][] = [];
    for (const { request, response } of fixture.exchanges) {
      // The CLI's `HEAD /` is a reachability probe whose answer it ignores; what `/` serves (the playground,
      // once built, or 404) is not the face's.
      if (!request.path.startsWith("/v1/")) continue;
      const res = await fetch(`${h.httpUrl}${request.path}`, {
        method: request.method,
        headers: request.headers,
        ...(request.body === null ? {} : { body: JSON.stringify(request.body) }),
      });
      const text = await res.text();
      expect(res.status, `${request.method} ${request.path}: ${text}`).toBe(response.status);
      // A refusal the CLI acted on (a max_tokens too large for the window) says the same again.
      if (request.method === "POST" && response.status !== 200) expect(JSON.parse(text).error).toEqual(JSON.parse(response.body).error);
      if (request.method !== "POST" || response.status !== 200) continue;
      expect(res.headers.get("content-type")).toBe("text/event-stream");
      expect(res.headers.get("request-id")).toBeTruthy();
      const replayed = events(text);
      // The same events, in the same order, as the CLI accepted when it was recorded (pings aside).
      const names = (list: SseEvent[]) => list.map((e) => e.event).filter((e) => e !== "ping");
      expect(names(replayed)).toEqual(names(events(response.body)));
      const message = assemble(replayed);
      expect(message.usage["output_tokens"]).toBeGreaterThan(0);
      assembled.push(message);
      roles.push((request.body as { messages: { role: string }[] }).messages.map((m) => m.role));
    }
    const upstream = h.upstream.requests.slice(seen);
    expect(upstream).toHaveLength(answers.length);
    // Anthropic receives the turns as the CLI wrote them, its mid-conversation system messages in place.
    upstream.forEach((u, k) => {
      if (u.path === "/v1/messages") expect((u.body["messages"] as { role: string }[]).map((m) => m.role)).toEqual(roles[k]);
    });
    const last = assembled.at(-1)!;
    expect(last.stop_reason).toBe("end_turn");
    expect(essentials(last.content)).toEqual([{ type: "text", text: answers.at(-1)!.text }]);
    if (answers.length === 1) return;

    // The tool round trip: the first answer asked for Read, as the upstream did…
    const first = assembled[0]!;
    expect(first.stop_reason).toBe("tool_use");
    const call = first.content.find((b) => b.type === "tool_use");
    expect(call).toMatchObject({ type: "tool_use", id: READ_ID, name: "Read", input: { file_path: file } });
    // …the CLI sent the turn back with its result…
    const posts = fixture.exchanges.filter((e) => e.request.method === "POST" && e.response.status === 200);
    const again = (posts[1]!.request.body as { messages: { role: string; content: Block[] }[] }).messages;
    expect(essentials(again.at(-2)!.content)).toEqual(essentials(first.content));
    expect(again.at(-1)!.content[0]).toMatchObject({ type: "tool_result", tool_use_id: READ_ID });
    // …and the upstream received both, with the file's text.
    const sent = upstream[1]!.body["messages"] as { role: string; content: unknown }[];
    expect(JSON.stringify(sent.at(-1))).toContain("The secret word is pelican.");
    if (upstream[1]!.path !== "/v1/messages") {
      expect(sent.at(-2)).toMatchObject({ role: "assistant", tool_calls: [{ id: READ_ID, function: { name: "Read" } }] });
      return;
    }
    // Anthropic needs the signed thinking back, first, in a tool loop; and the first message as it
    // was sent the turn before (blocks, without the moved cache mark), or its cached prefix is lost.
    expect(sent.at(-2)).toEqual({ role: "assistant", content: essentials(first.content) });
    const before = (upstream[0]!.body["messages"] as { content: Block[] }[])[0]!;
    expect(sent[0]).toEqual({ ...before, content: before.content.map(({ cache_control: _c, ...b }) => b) });
  });
});
