import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingModels } from "../support/embedding-models.js";
import { startHarness, type Harness } from "../support/harness.js";

/**
 * Every field of the openai SDK's embeddings request type, read from its declarations: a field the
 * SDK gains tomorrow is checked too (and refused by name until the gateway carries it).
 */
function sdkRequestFields(): string[] {
  const pkg = dirname(createRequire(import.meta.url).resolve("openai"));
  const dts = readFileSync(join(pkg, "resources/embeddings.d.ts"), "utf8");
  const start = dts.indexOf("export interface EmbeddingCreateParams {");
  const body = dts.slice(start, dts.indexOf("\n}\n", start));
  return [...body.matchAll(/^ {4}([a-z_]+)\??:/gm)].map((m) => m[1]!);
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ extraModels: embeddingModels });
});
afterAll(() => h.close());

async function post(body: unknown): Promise<{ status: number; error?: { param: string | null; code: string; message: string } }> {
  const res = await fetch(`${h.httpUrl}/v1/embeddings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: { param: string | null; code: string; message: string } };
  return { status: res.status, ...(json.error ? { error: json.error } : {}) };
}

/** A value for each field the SDK may send, as a caller would. */
const sample: Record<string, unknown> = {
  input: "every field",
  model: "embed-small",
  dimensions: 32,
  encoding_format: "float",
  user: "ann",
};

describe("POST /v1/embeddings: every field honoured or refused by name", () => {
  it("honours every field of the SDK's request type", async () => {
    const fields = sdkRequestFields();
    expect(fields).toEqual(expect.arrayContaining(["input", "model", "dimensions", "encoding_format", "user"]));
    for (const f of fields) expect(sample, `no sample for the SDK's field ${f}`).toHaveProperty(f);
    const body = Object.fromEntries(fields.map((f) => [f, sample[f]]));
    expect(await post(body)).toEqual({ status: 200 });
    expect(h.upstream.requests.at(-1)?.body).toMatchObject({ input: ["every field"], dimensions: 32, user: "ann" });
  });

  it.each([
    [{ ...sample, n: 1 }, "n", /unknown field/],
    [{ ...sample, encoding_format: "int8" }, "encoding_format", /value/],
    [{ model: "embed-small" }, "input", /required/],
    [{ ...sample, input: "" }, "input[0]", /empty/],
    [{ ...sample, input: [] }, "input", /at least one/],
    [{ ...sample, input: ["a", ""] }, "input[1]", /empty/],
    [{ ...sample, input: ["a", [1, 2]] }, "input[1]", /mixed/],
    [{ ...sample, input: [[1, 2], [1.5]] }, "input[1]", /integers/],
    [{ ...sample, input: [[-1]] }, "input[0]", /integers from 0/],
    [{ ...sample, input: [{ text: "a" }] }, "input[0]", /string or an array/],
    [{ ...sample, input: 42 }, "input", /must be a string/],
    [{ ...sample, input: Array(2049).fill("a") }, "input", /at most 2048/],
    [{ ...sample, dimensions: 0 }, "dimensions", /from 1 to 256/],
    [{ ...sample, dimensions: 257 }, "dimensions", /from 1 to 256/],
    [{ ...sample, model: "gpt-test" }, "model", /chat model/],
    [{ ...sample, model: "nope" }, "model", /not in the catalogue/],
    [{ ...sample, user: "u".repeat(257) }, "user", /at most 256/],
  ])("refuses %j naming %s", async (body, param, message) => {
    const before = h.upstream.requests.length;
    const { status, error } = await post(body);
    expect(status, JSON.stringify(error)).toBe(param === "model" && String(message).includes("catalogue") ? 404 : 400);
    if (param !== "model" || !String(message).includes("catalogue")) expect(error?.param).toBe(param);
    expect(error?.message).toMatch(message);
    expect(h.upstream.requests.length).toBe(before);
  });

  it("refuses an input longer than the model's window, counted in its tokenizer", async () => {
    const { status, error } = await post({ ...sample, input: ["fine", "word ".repeat(9000)] });
    expect([status, error?.param]).toEqual([400, "input[1]"]);
    expect(error?.message).toMatch(/8191/);
  });
});
