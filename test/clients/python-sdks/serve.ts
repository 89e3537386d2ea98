import { digest } from "../../support/auth.js";
import { embeddingModels } from "../../support/embedding-models.js";
import type { FakeBehaviour, RecordedRequest } from "../../support/fake-upstream.js";
import { startHarness } from "../../support/harness.js";

/*
 * A gateway in front of the fake upstream for the Python clients (openai, anthropic, litellm) that
 * scripts/try-python-sdks.sh runs: prints `<gateway url> <api key> <rate-limited key>` on its first line and serves
 * until it is stopped. The upstream's answer is chosen by markers in the prompt, so that each
 * Python check asks for what it needs without talking to this process:
 *   [tool]  the model calls get_weather({"city":"Paris"}); once a tool result is in the
 *           conversation, it answers in words.
 *   [json]  the answer is a JSON object {"city":"Paris","temperature":21} (structured output).
 *   [429]   the upstream refuses with 429 and retry-after (which the gateway answers with 503: another
 *           deployment, or the same later, can succeed).
 *   [think] (Anthropic deployments) the model thinks, signed, before it answers.
 *   [cut]   a streamed answer breaks off after two words (the connection is dropped).
 * The second key's tenant may make one request a minute: its second call meets the gateway's own 429.
 * Usage: npx tsx test/clients/python-sdks/serve.ts
 */

const KEY = "sk-python-sdks-1";
const TIGHT_KEY = "sk-python-sdks-tight";

/** True once the conversation carries a tool's result, in any of the wire formats. */
const hasToolResult = (body: string): boolean =>
  body.includes('"role":"tool"') || body.includes('"tool_result"') || body.includes('"function_call_output"');

/** The upstream's answer to one request, from the markers in its body. */
function scripted(request: RecordedRequest): FakeBehaviour | undefined {
  const body = JSON.stringify(request.body);
  if (body.includes("[429]")) return { status: 429, retryAfter: "7" };
  if (body.includes("[think]") && request.path.startsWith("/v1/messages")) return { rawEvents: thinkingEvents(request) };
  if (body.includes("[cut]")) return { abortAfterChunks: 2 };
  if (body.includes("[json]")) return { text: '{"city":"Paris","temperature":21}' };
  if (body.includes("[tool]")) {
    if (hasToolResult(body)) return { text: "It is sunny in Paris." };
    return { toolCalls: [{ id: "call_weather_1", name: "get_weather", arguments: '{"city":"Paris"}' }] };
  }
  return undefined;
}

const ev = (type: string, payload: object = {}) => ({ event: type, data: { type, ...payload } });

/** An Anthropic stream that thinks (a signed thinking block) and then answers. */
function thinkingEvents(request: RecordedRequest) {
  const usage = { input_tokens: 12, output_tokens: 1 };
  const message = { id: "msg_think", type: "message", role: "assistant", model: request.body["model"], content: [], usage };
  return [
    ev("message_start", { message: { ...message, stop_reason: null, stop_sequence: null } }),
    ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
    ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "The user wants " } }),
    ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "a greeting." } }),
    ev("content_block_delta", { index: 0, delta: { type: "signature_delta", signature: "c2lnbmVk" } }),
    ev("content_block_stop", { index: 0 }),
    ev("content_block_start", { index: 1, content_block: { type: "text", text: "" } }),
    ev("content_block_delta", { index: 1, delta: { type: "text_delta", text: "Hello after thinking." } }),
    ev("content_block_stop", { index: 1 }),
    ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 20 } }),
    ev("message_stop"),
  ];
}

const h = await startHarness({
  providerTimeoutMs: 60_000,
  auth: {
    tenants: [
      { name: "python", keys: [{ sha256: digest(KEY) }] },
      { name: "python-tight", keys: [{ sha256: digest(TIGHT_KEY) }], limits: { requestsPerMinute: 1 } },
    ],
  },
  extraModels: embeddingModels,
});
h.upstream.setScript(scripted);
console.log(`${h.httpUrl} ${KEY} ${TIGHT_KEY}`);
const stop = () => void h.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
