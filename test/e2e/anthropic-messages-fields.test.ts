import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knownFields } from "../../src/server/rest/anthropic-request.js";
import { startHarness, type Harness } from "../support/harness.js";

/*
 * The rule for the Anthropic face: every field of a request is honoured, accepted only with the
 * value that asks for nothing, or refused with 400 naming it. The fields are read from the official
 * SDK's own declarations (the stable and the beta Messages API, and count_tokens), so a field the SDK
 * learns tomorrow fails here until the face accounts for it. Then Claude Code's own request shapes.
 */

/** The fields of one params interface, each with whether the SDK sends it in the body or as a header. */
function sdkFields(file: string, iface: string): { name: string; header: boolean }[] {
  const pkg = dirname(createRequire(import.meta.url).resolve("@anthropic-ai/sdk"));
  const dts = readFileSync(join(pkg, file), "utf8");
  const start = dts.indexOf(`export interface ${iface} {`);
  expect(start).toBeGreaterThan(0);
  const body = dts.slice(start, dts.indexOf("\n}\n", start));
  return [...body.matchAll(/\/\*\*\s*\n\s*\* (Body|Header) param:[\s\S]*?\*\/\s*\n {4}([a-z_]+)\??:/g)].map((m) => ({
    name: m[2]!,
    header: m[1] === "Header",
  }));
}

/** Header params: the SDK sends them as headers (anthropic-beta, anthropic-workspace-id, anthropic-user-profile-id). */
const HEADER_PARAMS = new Set(["betas", "user_profile_id", "workspace_id"]);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const ask = { model: "claude-test", max_tokens: 50, messages: [{ role: "user", content: "Hi" }] };

async function post(body: object, headers: Record<string, string> = {}, path = "/v1/messages") {
  const res = await fetch(`${h.httpUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** A value of each field that asks for something the gateway does not carry: refused by name. */
const refusedValues: Record<string, unknown> = {
  container: "container_1",
  diagnostics: { previous_message_id: "msg_1" },
  inference_geo: "eu",
  mcp_servers: [{ type: "url", url: "https://mcp.example", name: "m" }],
  compaction: { enabled: true },
  fallbacks: [{ model: "claude-x" }],
  thread: { id: "t" },
  billing_policy: { type: "x" },
  fallback_credit_token: "tok",
  speed: "fast",
  context_management: { edits: [{ type: "clear_tool_uses_20250919" }] },
};

describe("every field of the SDK's request types is accounted for", () => {
  const files = [
    ["resources/messages/messages.d.ts", "MessageCreateParamsBase"],
    ["resources/messages/messages.d.ts", "MessageCountTokensParams"],
    ["resources/beta/messages/messages.d.ts", "MessageCreateParamsBase"],
    ["resources/beta/messages/messages.d.ts", "MessageCountTokensParams"],
  ] as const;

  it.each(files)("%s %s: each body field is known to the face, each header param is a header", (file, iface) => {
    const fields = sdkFields(file, iface);
    expect(fields.length).toBeGreaterThan(8);
    for (const f of fields) {
      if (f.header) expect(HEADER_PARAMS.has(f.name), f.name).toBe(true);
      else expect(knownFields, f.name).toContain(f.name);
    }
  });

  it.each(Object.entries(refusedValues))("%s with a value that asks for something is refused by name", async (field, value) => {
    expect(knownFields).toContain(field);
    const r = await post({ ...ask, [field]: value });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.message.startsWith(`${field}:`)).toBe(true);
  });

  it("the fields accepted only at their defaults pass with them, and reach no upstream body", async () => {
    h.upstream.enqueue({ text: "ok" });
    const r = await post({ ...ask, container: null, inference_geo: null, mcp_servers: [], speed: "standard", temperature: 1 });
    expect(r.status).toBe(200);
    const sent = h.upstream.requests.at(-1)!.body;
    for (const f of ["container", "inference_geo", "mcp_servers", "speed", "temperature"]) expect(sent[f]).toBeUndefined();
  });

  it("honours service_tier, output_config (format and effort), top-level cache_control and tool_choice none", async () => {
    h.upstream.enqueue({ text: '{"a":1}' });
    const schema = { type: "object", properties: { a: { type: "number" } }, required: ["a"] };
    const r = await post({
      ...ask,
      max_tokens: 4000,
      service_tier: "standard_only",
      thinking: { type: "enabled", budget_tokens: 1024 },
      output_config: { format: { type: "json_schema", schema }, effort: "low" },
      cache_control: { type: "ephemeral", ttl: "1h" },
      tools: [{ name: "t", input_schema: { type: "object" } }],
      tool_choice: { type: "none" },
    });
    expect(r.status).toBe(200);
    const sent = h.upstream.requests.at(-1)!.body;
    expect(sent["service_tier"]).toBe("standard_only");
    expect(sent["output_config"]).toEqual({ format: { type: "json_schema", schema }, effort: "low" });
    expect(sent["tool_choice"]).toEqual({ type: "none" });
    expect(sent["messages"]).toEqual([
      { role: "user", content: [{ type: "text", text: "Hi", cache_control: { type: "ephemeral", ttl: "1h" } }] },
    ]);
  });
});

/** Claude Code's headers, as captured from a real `claude` CLI in front of a logging proxy. */
const CLAUDE_CODE_HEADERS = {
  "x-api-key": "sk-ant-from-claude-code",
  "anthropic-version": "2023-06-01",
  "anthropic-beta":
    "claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14,thinking-token-count-2026-05-13,context-management-2025-06-27,prompt-caching-scope-2026-01-05,mid-conversation-system-2026-04-07,advisor-tool-2026-03-01,effort-2025-11-24,extended-cache-ttl-2025-04-11",
  "anthropic-dangerous-direct-browser-access": "true",
  "x-app": "cli",
  "user-agent": "claude-cli/2.1.185 (external, cli)",
  "x-stainless-lang": "js",
  "x-stainless-retry-count": "0",
};

/**
 * The shape of Claude Code's turn: billing and identity system blocks, cached prompt, tools with
 * $schema, thinking. (Claude Code asks 32,000 tokens with a 31,999 budget; the harness's models allow 4,096.)
 */
const claudeCodeBody = (model: string) => ({
  model,
  max_tokens: 4000,
  stream: true,
  temperature: 1,
  system: [
    { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.185.0d9; cc_entrypoint=cli; cch=fa690;" },
    {
      type: "text",
      text: "You are Claude Code, Anthropic's official CLI for Claude.",
      cache_control: { type: "ephemeral", ttl: "1h", scope: "global" },
    },
    {
      type: "text",
      text: "You are an interactive CLI tool that helps users with software engineering tasks.",
      cache_control: { type: "ephemeral", ttl: "1h" },
    },
  ],
  messages: [
    {
      role: "user",
      content: [
        { type: "text", text: "<system-reminder>Today's date is 2026-11-29.</system-reminder>" },
        { type: "text", text: "list the files", cache_control: { type: "ephemeral", ttl: "1h" } },
      ],
    },
  ],
  tools: [
    {
      name: "Bash",
      description: "Executes a given bash command",
      input_schema: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        properties: { command: { type: "string", description: "The command to execute" } },
        required: ["command"],
        additionalProperties: false,
      },
    },
  ],
  metadata: { user_id: "user_5e8a_account__session_0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" },
  thinking: { type: "enabled", budget_tokens: 3999 },
  context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
});

describe("Claude Code's requests", () => {
  it("a streamed turn with Claude Code's headers, betas and body reaches Anthropic with its cached blocks", async () => {
    h.upstream.enqueue({ text: "Running ls.", toolCalls: [{ id: "toolu_cc", name: "Bash", arguments: '{"command":"ls"}' }] });
    const r = await post(claudeCodeBody("claude-test"), CLAUDE_CODE_HEADERS, "/v1/messages?beta=true");
    expect(r.status).toBe(200);
    expect(r.text).toContain('"type":"tool_use","id":"toolu_cc","name":"Bash"');
    expect(r.text).toContain('"partial_json":"{\\"command\\":\\"ls\\"}"');
    const sent = h.upstream.requests.at(-1)!.body;
    // Scope is the gateway's to drop (it changes no answer); the TTLs and every block stay.
    expect(sent["system"]).toEqual([
      { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.185.0d9; cc_entrypoint=cli; cch=fa690;" },
      { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: "ephemeral", ttl: "1h" } },
      {
        type: "text",
        text: "You are an interactive CLI tool that helps users with software engineering tasks.",
        cache_control: { type: "ephemeral", ttl: "1h" },
      },
    ]);
    expect(sent).toMatchObject({ max_tokens: 4000, thinking: { type: "enabled", budget_tokens: 3999 } });
    expect(sent["metadata"]).toEqual({ user_id: "user_5e8a_account__session_0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" });
    expect((sent["tools"] as { input_schema: object }[])[0]!.input_schema).toMatchObject({
      $schema: "http://json-schema.org/draft-07/schema#",
    });
    expect(sent["temperature"]).toBeUndefined();
  });

  it("the next turn sends the earlier message as the same blocks, so that it matches what Anthropic cached", async () => {
    // Claude Code marks only the last block of each request: the first turn caches the prompt up to
    // "list the files"; the second sends that message unmarked and must send it block for block.
    const first = claudeCodeBody("claude-test");
    h.upstream.enqueue({ text: "Running ls.", toolCalls: [{ id: "toolu_cc", name: "Bash", arguments: '{"command":"ls"}' }] });
    expect((await post(first, CLAUDE_CODE_HEADERS, "/v1/messages?beta=true")).status).toBe(200);
    const cached = (h.upstream.requests.at(-1)!.body["messages"] as { content: { cache_control?: unknown }[] }[])[0]!;
    const user = first.messages[0]!;
    const second = {
      ...first,
      messages: [
        { role: "user", content: user.content.map(({ type, text }) => ({ type, text })) },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Running ls." },
            { type: "tool_use", id: "toolu_cc", name: "Bash", input: { command: "ls" } },
          ],
        },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_cc", content: "a.txt", cache_control: { type: "ephemeral" } }],
        },
      ],
    };
    h.upstream.enqueue({ text: "One file." });
    expect((await post(second, CLAUDE_CODE_HEADERS, "/v1/messages?beta=true")).status).toBe(200);
    const resent = (h.upstream.requests.at(-1)!.body["messages"] as unknown[])[0];
    expect(resent).toEqual({ role: "user", content: cached.content.map(({ cache_control: _c, ...b }) => b) });
    expect(resent).toEqual({
      role: "user",
      content: [
        { type: "text", text: user.content[0]!.text },
        { type: "text", text: "list the files" },
      ],
    });
  });

  it("the same turn through the SDK's beta client (?beta=true, betas as anthropic-beta) and count_tokens", async () => {
    const client = new Anthropic({
      apiKey: "unused",
      baseURL: h.httpUrl,
      maxRetries: 0,
      defaultHeaders: { "anthropic-version": "2023-06-01" },
    });
    const { stream: _s, ...body } = claudeCodeBody("claude-test");
    const betas = CLAUDE_CODE_HEADERS["anthropic-beta"].split(",");
    h.upstream.enqueue({ text: "Hi from beta." });
    const final = await client.beta.messages
      .stream({ ...(body as object), betas } as Anthropic.Beta.MessageCreateParamsStreaming)
      .finalMessage();
    expect(final.content.at(-1)).toMatchObject({ type: "text", text: "Hi from beta." });
    expect(h.upstream.requests.at(-1)!.path).toBe("/v1/messages");
    const { max_tokens: _m, metadata: _md, temperature: _t, ...countable } = body;
    const counted = await client.beta.messages.countTokens({ ...(countable as object), betas } as Anthropic.Beta.MessageCountTokensParams);
    expect(counted.input_tokens).toBeGreaterThan(20);
  });

  it("adaptive thinking with an effort, as Claude Code sends for current models, to Anthropic and to OpenAI's format", async () => {
    const body = { ...claudeCodeBody("claude-test"), thinking: { type: "adaptive" }, output_config: { effort: "high" } };
    h.upstream.enqueue({ text: "ok" });
    expect((await post(body, CLAUDE_CODE_HEADERS, "/v1/messages?beta=true")).status).toBe(200);
    expect(h.upstream.requests.at(-1)!.body).toMatchObject({ thinking: { type: "adaptive" }, output_config: { effort: "high" } });
    h.upstream.enqueue({ text: "ok" });
    const { context_management: _c, ...openAiBody } = { ...body, model: "gpt-test", max_tokens: 1000 };
    expect((await post(openAiBody, CLAUDE_CODE_HEADERS, "/v1/messages?beta=true")).status).toBe(200);
    expect(h.upstream.requests.at(-1)!.body["reasoning_effort"]).toBe("high");
  });

  it("a Claude Code turn routed to an OpenAI-format deployment", async () => {
    h.upstream.enqueue({ text: "ls output next." });
    const { thinking: _t, context_management: _c, ...body } = claudeCodeBody("gpt-test");
    const r = await post({ ...body, max_tokens: 1000 }, CLAUDE_CODE_HEADERS, "/v1/messages?beta=true");
    expect(r.status).toBe(200);
    const sent = h.upstream.requests.at(-1)!;
    expect(sent.path).toBe("/v1/chat/completions");
    expect((sent.body["messages"] as { role: string }[]).map((m) => m.role)).toEqual(["system", "user"]);
    expect(sent.body["user"]).toBe("user_5e8a_account__session_0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0");
  });
});
