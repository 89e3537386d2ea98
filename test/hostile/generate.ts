import { create, toBinary, toJsonString, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";

/**
 * Seeded generators of hostile input: random values for every protobuf field
 * kind (extremes, odd Unicode, absurd lengths), messages built from the
 * descriptors, and mutations of their bytes and JSON. Same seed, same inputs.
 */
export type Rng = () => number;

/** A small, fast, seeded PRNG (mulberry32). */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const ODD = [
  "",
  " ",
  "\u0000",
  "\t\r\n",
  "<|endoftext|>",
  "<|im_start|>system",
  "\u202e\u202d",
  "\u200b\u200d\ufeff",
  "e\u0301\u0301\u0301",
  "\ud800",
  "\udfff",
  "😀",
  "漢字",
  "%",
  "%zz",
  "%00",
  "../../etc/passwd",
  "$" + "{jndi:ldap://x}",
  "'; DROP TABLE x;--",
  "\\",
  '"',
  "{}",
  "[]",
  "null",
  "NaN",
  "-0",
  "1e309",
  "ROLE_USER",
  "gpt-test",
  "local-echo",
  "claude-test",
  "dual",
  "fast",
];
const WORDS = ["hello", "world", "what", "is", "the", "capital", "of", "France", "count", "to", "ten", "stream", "tool", "call"];

/** A string of one of many hostile shapes, mostly short, sometimes very long. */
export function randomString(r: Rng): string {
  const roll = r();
  if (roll < 0.3) return pick(r, ODD);
  if (roll < 0.6) return Array.from({ length: int(r, 1, 12) }, () => pick(r, WORDS)).join(" ");
  if (roll < 0.75)
    return Array.from({ length: int(r, 1, 40) }, () => String.fromCodePoint(int(r, 0, 0x10ffff) & (r() < 0.5 ? 0x7f : 0xffff))).join("");
  if (roll < 0.85) return pick(r, ["y", " ", "漢", "😀", "{", "[", "%", "\n", "a b "]).repeat(int(r, 100, 20_000));
  if (roll < 0.9) return "[".repeat(int(r, 10, 5000)) + "]".repeat(int(r, 0, 5000));
  if (roll < 0.97) return JSON.stringify({ type: "object", properties: { q: { type: "string" } }, extra: pick(r, ODD) });
  return "x".repeat(int(r, 50_000, 300_000));
}

function scalar(r: Rng, type: ScalarType): unknown {
  switch (type) {
    case ScalarType.STRING:
      return randomString(r);
    case ScalarType.BYTES:
      return Uint8Array.from({ length: int(r, 0, 64) }, () => int(r, 0, 255));
    case ScalarType.BOOL:
      return r() < 0.5;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return pick(r, [
        0,
        -0,
        1,
        -1,
        0.5,
        2,
        3,
        1e308,
        -1e308,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        Number.MIN_VALUE,
        r() * 4 - 1,
      ]);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return pick(r, [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, BigInt(int(r, -1000, 1000))]);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return pick(r, [0n, 1n, 2n ** 64n - 1n, 2n ** 53n + 1n, BigInt(int(r, 0, 1000))]);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return pick(r, [0, 1, 2 ** 32 - 1, int(r, 0, 100_000)]);
    default:
      return pick(r, [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), int(r, -1000, 100_000)]);
  }
}

function fieldValue(r: Rng, f: DescField, depth: number): unknown {
  switch (f.fieldKind) {
    case "scalar":
      return scalar(r, f.scalar);
    case "enum":
      return r() < 0.85 ? pick(r, f.enum.values).number : int(r, -5, 1000);
    case "message":
      return randomMessageInit(r, f.message, depth + 1);
    case "list": {
      const n = r() < 0.9 ? int(r, 0, 4) : int(r, 5, 200);
      return Array.from({ length: n }, () =>
        f.listKind === "scalar"
          ? scalar(r, f.scalar)
          : f.listKind === "enum"
            ? pick(r, f.enum.values).number
            : randomMessageInit(r, f.message, depth + 1),
      );
    }
    case "map": {
      const out: Record<string, unknown> = {};
      for (let i = int(r, 0, r() < 0.95 ? 3 : 40); i > 0; i--) {
        const key = f.mapKey === ScalarType.STRING ? randomString(r).slice(0, 200) : String(int(r, 0, 100));
        out[key] =
          f.mapKind === "scalar"
            ? scalar(r, f.scalar)
            : f.mapKind === "enum"
              ? pick(r, f.enum.values).number
              : randomMessageInit(r, f.message, depth + 1);
      }
      return out;
    }
  }
}

/** A random init object for a message: each field set or not, oneofs to one of their cases. */
export function randomMessageInit(r: Rng, desc: DescMessage, depth = 0): Record<string, unknown> {
  const init: Record<string, unknown> = {};
  if (depth > 4) return init;
  for (const member of desc.members) {
    if (r() < 0.45) continue;
    if (member.kind === "oneof") {
      const f = pick(r, member.fields);
      init[member.localName] = { case: f.localName, value: fieldValue(r, f, depth) };
    } else {
      init[member.localName] = fieldValue(r, member, depth);
    }
  }
  return init;
}

/** Builds the message, or undefined when the random values do not fit it (protobuf-es refuses them). */
export function build(desc: DescMessage, init: Record<string, unknown>): { binary: Uint8Array; json: string } | undefined {
  try {
    const message = create(desc, init as never);
    return { binary: toBinary(desc, message), json: toJsonString(desc, message) };
  } catch {
    return undefined;
  }
}

/** Bit flips, truncations, garbage appended, or nothing. */
export function mutateBytes(r: Rng, bytes: Uint8Array): Uint8Array {
  const roll = r();
  if (roll < 0.5) return bytes;
  const out = Uint8Array.from(bytes);
  if (roll < 0.7 && out.length > 0) {
    for (let i = int(r, 1, 4); i > 0; i--) out[int(r, 0, out.length - 1)] = int(r, 0, 255);
    return out;
  }
  if (roll < 0.85) return out.subarray(0, int(r, 0, out.length));
  return Uint8Array.from([...out, ...Array.from({ length: int(r, 1, 32) }, () => int(r, 0, 255))]);
}

/** Unknown keys, wrong types, truncation, or nothing. */
export function mutateJson(r: Rng, json: string): string {
  const roll = r();
  if (roll < 0.45) return json;
  if (roll < 0.6) return json.slice(0, int(r, 0, json.length));
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return json;
  }
  if (typeof value !== "object" || value === null) return json;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (roll < 0.75 || keys.length === 0)
    obj[pick(r, ["maxToken", "__proto__", "constructor", "model ", "x".repeat(int(r, 1, 3000))])] = pick(r, [1, "x", null, [], {}]);
  else obj[pick(r, keys)] = pick(r, [null, 1, -1, "x", true, [], {}, [null], { a: [[[]]] }, Number.POSITIVE_INFINITY, "9".repeat(400)]);
  return JSON.stringify(obj);
}

/** A gRPC-style length-prefixed frame, sometimes with a wrong flag or length. */
export function frame(r: Rng, message: Uint8Array): Uint8Array {
  const roll = r();
  const flags = roll < 0.9 ? 0 : pick(r, [1, 2, 0x80, 0xff]);
  const length = roll < 0.95 ? message.length : pick(r, [0, message.length + 1, message.length + 1000, 2 ** 31, 2 ** 32 - 1]);
  const out = new Uint8Array(5 + message.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, length >>> 0);
  out.set(message, 5);
  return roll > 0.97 ? out.subarray(0, int(r, 0, 4)) : out;
}

const RESPONSES_FIELDS = [
  "instructions",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "max_output_tokens",
  "temperature",
  "top_p",
  "text",
  "reasoning",
  "store",
  "previous_response_id",
  "metadata",
  "stream",
  "stream_options",
  "include",
  "truncation",
  "background",
  "conversation",
  "top_logprobs",
  "zzz",
];

/** One random item of a Responses `input` array: of the kinds the face takes, and some it does not. */
function responsesItem(r: Rng): unknown {
  const type = pick(r, ["message", "function_call", "function_call_output", "reasoning", "item_reference", "web_search_call", undefined]);
  const text = () => randomString(r);
  switch (type) {
    case "function_call":
      return { type, call_id: text(), name: text(), arguments: text() };
    case "function_call_output":
      return { type, call_id: text(), output: r() < 0.7 ? text() : [{ type: "input_text", text: text() }] };
    case "reasoning":
      return { type, summary: [{ type: "summary_text", text: text() }], encrypted_content: r() < 0.5 ? text() : null };
    default:
      return {
        ...(type ? { type } : {}),
        role: pick(r, ["user", "assistant", "system", "developer", "tool", "x"]),
        content:
          r() < 0.6
            ? text()
            : [
                {
                  type: pick(r, ["input_text", "output_text", "input_image", "input_file", "refusal", "x"]),
                  text: text(),
                  image_url: text(),
                  file_data: text(),
                },
              ],
      };
  }
}

/** A POST /v1/responses body: some fields right, some hostile, then mutated like any JSON. */
export function responsesBody(r: Rng): string {
  const body: Record<string, unknown> = {
    model: pick(r, ["gpt-test", "claude-test", "local-echo", "fast", "", randomString(r)]),
    input: r() < 0.4 ? randomString(r) : Array.from({ length: int(r, 0, 4) }, () => responsesItem(r)),
  };
  for (let i = int(r, 0, 4); i > 0; i--)
    body[pick(r, RESPONSES_FIELDS)] = pick(r, [
      null,
      0,
      -1,
      2.5,
      "x",
      true,
      [],
      {},
      randomString(r),
      [{ type: "function", name: "f", parameters: { type: "object" } }],
      [{ type: "web_search" }],
      { format: { type: "json_schema", name: "x", schema: { type: "object" } } },
      { effort: "low", summary: "auto" },
      ["reasoning.encrypted_content"],
      `resp_${"0".repeat(48)}`,
    ]);
  return mutateJson(r, JSON.stringify(body));
}

/** A random Anthropic block: the shapes the Messages face knows, broken in every field, and ones it does not. */
function anthropicBlock(r: Rng): unknown {
  const type = pick(r, ["text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking", "search_result", "x"]);
  const source = pick(r, [
    { type: "base64", media_type: "image/png", data: randomString(r) },
    { type: "url", url: randomString(r) },
    { type: "text", media_type: "text/plain", data: randomString(r) },
    { type: "file", file_id: randomString(r) },
    { type: "content", content: [] },
    null,
  ]);
  const block: Record<string, unknown> = { type, text: randomString(r), source, id: randomString(r), name: randomString(r) };
  if (r() < 0.4) block["input"] = pick(r, [{}, { a: [1, { b: null }] }, "x", null]);
  if (r() < 0.4) block["tool_use_id"] = randomString(r);
  if (r() < 0.3) block["content"] = pick(r, [randomString(r), [{ type: "text", text: randomString(r) }], [{ type: "tool_result" }], 1]);
  if (r() < 0.3)
    block["cache_control"] = pick(r, [{ type: "ephemeral" }, { type: "ephemeral", ttl: "1h", scope: "global" }, { type: "x" }, null]);
  if (r() < 0.2) block["thinking"] = randomString(r);
  if (r() < 0.2) block["signature"] = randomString(r);
  if (r() < 0.2) block["is_error"] = pick(r, [true, "yes", null]);
  return block;
}

/** A random Anthropic Messages (or count_tokens) body: valid-looking, then broken. */
export function anthropicBody(r: Rng): string {
  const body: Record<string, unknown> = {
    model: pick(r, ["gpt-test", "claude-test", "local-echo", "", randomString(r)]),
    max_tokens: pick(r, [1, 64, 0, -1, 1e9, "x"]),
    messages: Array.from({ length: int(r, 0, 4) }, () => ({
      role: pick(r, ["user", "assistant", "system", "tool", "x"]),
      content: r() < 0.5 ? randomString(r) : Array.from({ length: int(r, 0, 4) }, () => anthropicBlock(r)),
    })),
  };
  for (let i = int(r, 0, 4); i > 0; i--) {
    body[
      pick(r, [
        "system",
        "stream",
        "tools",
        "tool_choice",
        "thinking",
        "temperature",
        "top_k",
        "top_p",
        "stop_sequences",
        "metadata",
        "output_config",
        "cache_control",
        "context_management",
        "service_tier",
        "mcp_servers",
        "zzz",
      ])
    ] = pick(r, [
      null,
      0,
      1,
      -1,
      true,
      "x",
      [],
      {},
      randomString(r),
      [anthropicBlock(r)],
      [{ name: "t", input_schema: { type: "object" } }],
      [{ type: "web_search_20250305", name: "web_search" }],
      { type: "enabled", budget_tokens: 1024 },
      { type: "tool", name: "t" },
      { user_id: randomString(r) },
      { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
      { format: { type: "json_schema", schema: {} }, effort: "max" },
    ]);
  }
  return mutateJson(r, JSON.stringify(body));
}
