import { createHash } from "node:crypto";

/*
 * What the JavaScript client checks (ai-sdk.mjs, langchain.mjs) share: a gateway in front of the
 * fake upstream, from the project's dist/ build, with a tenant for the checks, one limited to a
 * request a minute (for 429), and the embedding models; and a runner that scripts each check's
 * upstream answers on its own. They run as plain JavaScript from the temporary directory the clients
 * are installed in (scripts/try-ai-sdk.sh, scripts/try-langchain-js.sh), so that their imports of
 * the clients resolve there and never in the project.
 */

const sha = (key) => createHash("sha256").update(key).digest("hex");

/** The key of the checks' tenant, and of the tenant limited to one request a minute. */
export const KEY = "sk-client-check";
export const LIMITED = "sk-client-limited";

/** Starts the gateway; `root` is the project's directory (its dist/ must be built). */
export async function startGateway(root) {
  const { startHarness } = await import(`${root}/dist/test/support/harness.js`);
  const { embeddingModels } = await import(`${root}/dist/test/support/embedding-models.js`);
  const h = await startHarness({
    providerTimeoutMs: 30_000,
    extraModels: [
      ...embeddingModels,
      // A name the AI SDK takes for an OpenAI reasoning model (it then sends reasoning options and items
      // back by reference), answered by an Anthropic deployment that thinks with signatures.
      {
        name: "gpt-5-mini",
        provider: "fake-anthropic",
        upstreamModel: "claude-haiku-4-5",
        capabilities: { tools: true, jsonMode: true, reasoning: true },
      },
    ],
    auth: {
      tenants: [
        { name: "checks", keys: [{ sha256: sha(KEY) }] },
        // The second call of a check is refused with 429 by the gateway's own limit.
        { name: "limited", keys: [{ sha256: sha(LIMITED) }], limits: { requestsPerMinute: 1 } },
      ],
    },
  });
  // Each check scripts its own answers: what one check left unused never reaches the next.
  let script = [];
  h.upstream.setScript(() => script.shift());
  return {
    h,
    enqueue: (...behaviours) => script.push(...behaviours),
    last: () => h.upstream.requests.at(-1),
    reset: () => {
      script = [];
    },
  };
}

export function assert(cond, what) {
  if (!cond) throw new Error(`expected: ${what}`);
}

/** Runs the checks whose names contain `only` (all without it), prints each outcome; exits 1 if any failed. */
export async function run(gateway, checks, only) {
  let failed = 0;
  for (const [name, check] of Object.entries(checks)) {
    if (only && !name.includes(only)) continue;
    gateway.reset();
    try {
      await check();
      console.log(`ok   ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e?.message ?? e}`.slice(0, 1500));
      if (process.env["VERBOSE"]) console.log(e?.responseBody ?? "", e?.stack);
    }
  }
  await gateway.h.close();
  console.log(failed ? `${failed} failed` : "all passed");
  process.exit(failed ? 1 : 0);
}

/** Anthropic's event stream of an answer that thinks (signed) before its text. */
export const thinkingEvents = (thinking, signature, text) => [
  {
    event: "message_start",
    data: {
      type: "message_start",
      message: {
        id: "msg_think",
        type: "message",
        role: "assistant",
        model: "claude-haiku-4-5",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 5, output_tokens: 0 },
      },
    },
  },
  {
    event: "content_block_start",
    data: { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
  },
  { event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking } } },
  { event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature } } },
  { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
  { event: "content_block_start", data: { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } } },
  { event: "content_block_delta", data: { type: "content_block_delta", index: 1, delta: { type: "text_delta", text } } },
  { event: "content_block_stop", data: { type: "content_block_stop", index: 1 } },
  {
    event: "message_delta",
    data: { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 7 } },
  },
  { event: "message_stop", data: { type: "message_stop" } },
];
