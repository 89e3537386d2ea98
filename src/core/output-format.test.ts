import { describe, expect, it } from "vitest";
import { isGatewayError } from "./errors.js";
import { compileSchema, MAX_SCHEMA_NODES, outputProblem } from "./output-format.js";
import { schemaJobStats } from "./schema-jobs.js";
import type { ResponseFormat } from "./types.js";

const format = (schema: unknown, name = "s"): ResponseFormat => ({
  type: "json_schema",
  name,
  schemaJson: JSON.stringify(schema),
  strict: false,
});

/** The refusal compileSchema throws, as [reason, field, message], or "ok". */
async function refusal(schema: unknown): Promise<"ok" | [string, string | undefined, string]> {
  try {
    await compileSchema(typeof schema === "string" ? schema : JSON.stringify(schema));
    return "ok";
  } catch (err) {
    if (!isGatewayError(err)) throw err;
    return [err.reason, err.metadata.field, err.message];
  }
}

/** Runs `work` while a 10 ms interval ticks; returns its result and the longest gap between ticks. */
async function whileTicking<T>(work: () => Promise<T>): Promise<{ result: T; longestGapMs: number }> {
  let last = performance.now();
  let longestGapMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
  }, 10);
  try {
    return { result: await work(), longestGapMs };
  } finally {
    clearInterval(tick);
  }
}

describe("schema patterns run in linear time", () => {
  it('checks "^(a+)+$" against 5,000 a and a "!" quickly, without holding the event loop', async () => {
    const f = format({ type: "object", properties: { s: { type: "string", pattern: "^(a+)+$" } } });
    await compileSchema(f.type === "json_schema" ? f.schemaJson : "");
    const started = performance.now();
    const { result, longestGapMs } = await whileTicking(() => outputProblem(f, JSON.stringify({ s: `${"a".repeat(5000)}!` })));
    expect(result).toContain('/s must match pattern "^(a+)+$"');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(longestGapMs).toBeLessThan(200);
    expect(await outputProblem(f, JSON.stringify({ s: "a".repeat(5000) }))).toBeUndefined();
  });

  it("refuses a backreference or a lookaround at compile, naming the schema", async () => {
    for (const pattern of ["^(a)\\1$", "^(?=a)"]) {
      const [reason, field, message] = (await refusal({ type: "string", pattern })) as [string, string, string];
      expect([reason, field]).toEqual(["INVALID_REQUEST", "response_format.json_schema.schema"]);
      expect(message).toContain("is not supported (linear-time patterns only");
    }
    expect(await refusal({ patternProperties: { "^(?<=x)": { type: "string" } } })).not.toBe("ok");
  });

  it("reads ECMAScript \\u escapes", async () => {
    const f = format({ type: "string", pattern: "^[\\u0000-\\u007F]*\\uD83D\\uDE00$" });
    expect(await outputProblem(f, JSON.stringify("abc😀"))).toBeUndefined();
    expect(await outputProblem(f, JSON.stringify("é😀"))).toContain("must match pattern");
  });
});

describe("every schema on its own", () => {
  it("compiles two schemas with the same $id, each checking by its own rules", async () => {
    const a = format({ $id: "https://example.com/x", type: "object", required: ["a"] });
    const b = format({ $id: "https://example.com/x", type: "object", required: ["b"] });
    expect(await outputProblem(a, '{"a":1}')).toBeUndefined();
    expect(await outputProblem(b, '{"b":1}')).toBeUndefined();
    expect(await outputProblem(b, '{"a":1}')).toContain("must have required property 'b'");
  });

  it("does not resolve a $ref to another schema's $id", async () => {
    expect(await refusal({ $id: "https://tenant-a.example/secret", type: "object", required: ["a"] })).toBe("ok");
    const [reason, , message] = (await refusal({ $ref: "https://tenant-a.example/secret" })) as [string, string, string];
    expect(reason).toBe("INVALID_REQUEST");
    expect(message).toContain("can't resolve reference");
  });
});

describe("the draft a schema names", () => {
  // Zod 4's toJSONSchema names 2020-12: LangChain JS's withStructuredOutput sends its schemas so.
  it.each([
    ["https://json-schema.org/draft/2020-12/schema", { prefixItems: [{ type: "string" }], items: false }],
    ["https://json-schema.org/draft/2019-09/schema", { items: [{ type: "string" }], additionalItems: false }],
  ])("compiles a schema that names %s, and checks answers by that draft's rules", async ($schema, tuple) => {
    const f = format({ $schema, type: "object", properties: { t: { type: "array", ...tuple } }, required: ["t"] });
    expect(await refusal(f.type === "json_schema" ? f.schemaJson : "")).toBe("ok");
    expect(await outputProblem(f, JSON.stringify({ t: ["a"] }))).toBeUndefined();
    expect(await outputProblem(f, JSON.stringify({ t: ["a", "b"] }))).toContain("/t must NOT have more than 1 items");
  });

  it("still refuses what is not a schema of the draft it names", async () => {
    const [reason, , message] = (await refusal({ $schema: "https://json-schema.org/draft/2020-12/schema", type: 7 })) as string[];
    expect(reason).toBe("INVALID_REQUEST");
    expect(message).toContain("is not a valid JSON Schema");
  });
});

describe("the cost of a schema is bounded", () => {
  const anyOf = (n: number) => ({ anyOf: Array.from({ length: n }, (_, i) => ({ const: i })) });

  it("refuses a schema over the node cap, naming the schema", async () => {
    const [reason, field, message] = (await refusal(anyOf(MAX_SCHEMA_NODES))) as [string, string, string];
    expect([reason, field]).toEqual(["INVALID_REQUEST", "response_format.json_schema.schema"]);
    expect(message).toContain(`more than ${MAX_SCHEMA_NODES} nodes`);
  });

  it("compiles the largest anyOf under the cap off the event loop", async () => {
    const n = Math.floor((MAX_SCHEMA_NODES - 2) / 2);
    const { result, longestGapMs } = await whileTicking(() => refusal(anyOf(n)));
    expect(result).toBe("ok");
    expect(longestGapMs).toBeLessThan(200);
    expect(await outputProblem(format(anyOf(n)), String(n - 1))).toBeUndefined();
    expect(await outputProblem(format(anyOf(n)), String(n))).toContain("does not conform");
  });

  it("compiles the same schema spelt with other whitespace once, and remembers a failure", async () => {
    const jobsFor = async (text: string) => {
      const before = schemaJobStats().jobs;
      const r = await refusal(text);
      return { r, jobs: schemaJobStats().jobs - before };
    };
    expect(await jobsFor('{"type":"object","required":["once"]}')).toEqual({ r: "ok", jobs: 1 });
    expect(await jobsFor('{ "type" : "object",\n  "required" : [ "once" ] }')).toEqual({ r: "ok", jobs: 0 });
    const bad = await jobsFor('{"type":"string","pattern":"(a)\\\\1"}');
    expect(bad.jobs).toBe(1);
    expect(bad.r).not.toBe("ok");
    expect(await jobsFor('{"type": "string",  "pattern": "(a)\\\\1"}')).toEqual({ r: bad.r, jobs: 0 });
  });
});

describe("the worker fails alone", () => {
  it("answers a check that runs over its time limit as a problem, and starts a new worker", async () => {
    // uniqueItems compares every pair of items: 20,000 objects take seconds.
    const f = format({ type: "array", uniqueItems: true });
    await compileSchema(f.type === "json_schema" ? f.schemaJson : "");
    const before = schemaJobStats().workers;
    const items = Array.from({ length: 20_000 }, (_, i) => ({ i: [i, i, i] }));
    expect(await outputProblem(f, JSON.stringify(items))).toContain("could not be checked within 250 ms");
    expect(await outputProblem(f, "[1,2]")).toBeUndefined();
    expect(schemaJobStats().workers).toBe(before + 1);
  });
});
