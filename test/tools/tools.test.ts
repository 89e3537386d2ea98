import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayError } from "../../src/core/errors.js";
import { createUpstreamFetch } from "../../src/providers/http.js";
import type { Sessions } from "../../src/sessions/sessions.js";
import { evaluate } from "../../src/tools/calculator.js";
import { createTools, readToolsFile, type Tools } from "../../src/tools/registry.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { systemClock, type Clock } from "../../src/core/clock.js";

describe("calculator", () => {
  it.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["2 ^ 3 ^ 2", 512],
    ["2 ** 10", 1024],
    ["-3 + +4", 1],
    ["10 % 4", 2],
    ["sqrt(16) + abs(-2)", 6],
    ["round(pi * 100) / 100", 3.14],
    ["1.5e3 / .5", 3000],
  ])("%s = %d", (expr, value) => {
    expect(evaluate(expr)).toBeCloseTo(value, 10);
  });

  it.each([
    ["1 +", "unexpected end"],
    ["(1 + 2", 'expected ")"'],
    ["1 / 0", "not a finite number"],
    ["process.exit(1)", 'unknown symbol "process"'],
    ["constructor", 'unknown symbol "constructor"'],
    ["2 3", 'unexpected "3"'],
  ])("refuses %s", (expr, message) => {
    expect(() => evaluate(expr)).toThrow(message);
  });
});

/** A microservice the HTTP tools call: /search answers, /fail fails, /slow never answers. */
let service: http.Server;
let base = "";
const seen: { path: string; body: string; headers: http.IncomingHttpHeaders }[] = [];
beforeAll(async () => {
  service = http.createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += String(c);
    seen.push({ path: req.url ?? "", body, headers: req.headers });
    if (req.url?.startsWith("/search"))
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ hits: ["doc-1", "doc-2"], echo: body || req.url }));
    else if (req.url?.startsWith("/big")) res.end("é".repeat(100));
    else if (req.url?.startsWith("/fail")) res.writeHead(500).end("search index unavailable");
    // /slow: no answer
  });
  await new Promise<void>((r) => service.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
});
afterAll(() => {
  service.closeAllConnections();
  service.close();
});

const schema = {
  type: "object",
  properties: { query: { type: "string" }, k: { type: "integer", minimum: 1 } },
  required: ["query"],
  additionalProperties: false,
};
const noSessions = {} as Sessions;

function registry(over: Record<string, unknown> = {}, clock: Clock = systemClock): Tools {
  const config = validateConfig(
    {
      providers: [{ name: "local", kind: "local" }],
      models: [{ name: "m", provider: "local" }],
      tools: {
        definitions: [
          {
            name: "search",
            description: "Semantic search",
            parameters: schema,
            kind: "http",
            url: `${base}/search`,
            headers: { "x-api-key": { env: "SEARCH_KEY" } },
          },
          { name: "search_get", description: "Search by GET", parameters: schema, kind: "http", url: `${base}/search`, method: "GET" },
          { name: "broken", description: "Fails", parameters: { type: "object" }, kind: "http", url: `${base}/fail` },
          { name: "slow", description: "Hangs", parameters: { type: "object" }, kind: "http", url: `${base}/slow`, timeoutMs: 200 },
          { name: "big", description: "Too much", parameters: { type: "object" }, kind: "http", url: `${base}/big`, maxOutputBytes: 15 },
        ],
        breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
        ...over,
      },
    },
    {},
  );
  return createTools({ config: config.tools, env: { SEARCH_KEY: "k-123" }, clock, fetch: createUpstreamFetch(), sessions: noSessions });
}

describe("tools file", () => {
  it("reads the example in examples/tools.yaml", () => {
    const tools = readToolsFile(new URL("../../examples/tools.yaml", import.meta.url).pathname);
    expect(tools.map((t) => [t.name, t.method, t.timeoutMs])).toEqual([
      ["semantic_search", "POST", 3000],
      ["fetch_chunk", "GET", 1000],
    ]);
  });

  it("names the key of a fault", () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-tools-"));
    const file = join(dir, "tools.json");
    writeFileSync(
      file,
      JSON.stringify({ tools: [{ name: "bad name", description: "x", kind: "http", url: "http://x", parameters: { type: "object" } }] }),
    );
    expect(() => readToolsFile(file)).toThrow("tools[0].name");
    writeFileSync(
      file,
      JSON.stringify({ tools: [{ name: "t", description: "x", kind: "http", url: "http://x", parameters: { type: "string" } }] }),
    );
    expect(() => readToolsFile(file)).toThrow("tools[0].parameters: must be a JSON Schema with type: object");
  });
});

describe("tool registry", () => {
  it("lists HTTP tools and the builtins, and calls an HTTP tool with its arguments and headers from the environment", async () => {
    const tools = registry();
    expect(tools.list().map((t) => `${t.definition.name}:${t.kind}`)).toEqual([
      "big:http",
      "broken:http",
      "calculator:builtin",
      "current_time:builtin",
      "search:http",
      "search_get:http",
      "session_history:builtin",
      "slow:http",
    ]);
    const out = await tools.execute("search", '{"query":"gRPC","k":2}', { owner: "ann" });
    expect(JSON.parse(out.output)).toEqual({ hits: ["doc-1", "doc-2"], echo: '{"query":"gRPC","k":2}' });
    expect(seen.at(-1)?.headers["x-api-key"]).toBe("k-123");
    const viaGet = await tools.execute("search_get", '{"query":"a b","k":3}', { owner: "ann" });
    expect(JSON.parse(viaGet.output).echo).toBe("/search?query=a+b&k=3");
  });

  it("refuses arguments that do not match the schema, naming what is wrong", async () => {
    const tools = registry();
    const bad = async (args: string) =>
      tools.execute("search", args, { owner: "ann" }).then(
        () => undefined,
        (e: unknown) => e as GatewayError,
      );
    expect((await bad('{"k":0}'))?.message).toMatch(
      /must have required property 'query'.*must be >= 1|must be >= 1.*must have required property 'query'/,
    );
    expect((await bad('{"query":"x","extra":1}'))?.message).toContain("must NOT have additional properties");
    expect((await bad("{not json"))?.message).toContain("is not JSON");
    expect((await bad("{}"))?.reason).toBe("INVALID_REQUEST");
    const unknown = (await tools.execute("nope", "{}", { owner: "ann" }).catch((e: unknown) => e)) as GatewayError;
    expect(unknown.reason).toBe("TOOL_NOT_FOUND");
  });

  it("turns failures, timeouts and oversized output into what the model can read, and never throws for the model", async () => {
    const tools = registry();
    const failed = await tools.call("broken", "{}", { owner: "ann" });
    expect(failed).toMatchObject({ isError: true });
    expect(failed.output).toContain("HTTP 500: search index unavailable");
    const slow = await tools.call("slow", "{}", { owner: "ann" });
    expect(slow.output).toBe('error: tool "slow" did not answer within 200 ms');
    expect(slow.latencyMs).toBeGreaterThanOrEqual(190);
    const big = await tools.call("big", "{}", { owner: "ann" });
    // 15 bytes of two-byte characters: 7 whole ones.
    expect(big).toMatchObject({ isError: false, truncated: true, output: "é".repeat(7) });
    const badArgs = await tools.call("calculator", '{"expression":5}', { owner: "ann" });
    expect(badArgs.output).toContain("must be string");
  });

  it("opens a tool's own circuit breaker after repeated failures, leaving the others alone", async () => {
    const tools = registry();
    await tools.call("broken", "{}", { owner: "ann" });
    await tools.call("broken", "{}", { owner: "ann" });
    expect(tools.breakerState("broken")).toBe("open");
    const before = seen.length;
    const refused = (await tools.execute("broken", "{}", { owner: "ann" }).catch((e: unknown) => e)) as GatewayError;
    expect(refused.reason).toBe("TOOL_FAILED");
    expect(refused.metadata["cause"]).toBe("circuit_open");
    expect(seen.length).toBe(before);
    expect(tools.breakerState("search")).toBe("closed");
  });

  it("builtins: the time in a zone, arithmetic, and no session history without a session", async () => {
    // Real timers, a fixed wall clock.
    const tools = registry({}, { ...systemClock, now: () => Date.UTC(2026, 10, 22, 12, 0, 0) });
    const time = JSON.parse((await tools.execute("current_time", '{"timezone":"Asia/Tokyo"}', { owner: "ann" })).output);
    expect(time).toMatchObject({ utc: "2026-11-22T12:00:00.000Z", timezone: "Asia/Tokyo" });
    expect(time.local).toContain("21:00:00");
    expect((await tools.call("current_time", '{"timezone":"Mars/Olympus"}', { owner: "ann" })).isError).toBe(true);
    expect((await tools.execute("calculator", '{"expression":"6*7"}', { owner: "ann" })).output).toBe("42");
    expect((await tools.call("session_history", "{}", { owner: "ann" })).output).toContain("this call has no session");
  });
});
