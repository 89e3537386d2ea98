import { expect } from "vitest";
import { FAKE_AWS_SECRET } from "../../support/fake-bedrock.js";
import { PNG, providerContract, SCHEMA, TOOL_CALL, TOOL_RESULT } from "./contract.js";

/*
 * Amazon Bedrock's Converse API through @aws-sdk/client-bedrock-runtime, signed (SigV4) with the keys
 * from the environment; the fake checks the signature. Bedrock's input tokens leave out the cache's reads
 * and writes; its throttling names no delay, so the AWS SDKs' base delay (0.5 s) stands in.
 */
const SONNET = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
const thinking = [
  { event: "messageStart", data: { role: "assistant" } },
  { event: "contentBlockDelta", data: { contentBlockIndex: 0, delta: { reasoningContent: { text: "Let me think." } } } },
  { event: "contentBlockDelta", data: { contentBlockIndex: 0, delta: { reasoningContent: { signature: "sig-1" } } } },
  { event: "contentBlockStop", data: { contentBlockIndex: 0 } },
  { event: "contentBlockDelta", data: { contentBlockIndex: 1, delta: { text: "42" } } },
  { event: "messageStop", data: { stopReason: "end_turn" } },
];

providerContract({
  kind: "bedrock",
  provider: (upstream) => ({ kind: "bedrock", region: "us-east-1", endpoint: upstream.anthropicBaseUrl }),
  env: { AWS_ACCESS_KEY_ID: "AKIDE2E", AWS_SECRET_ACCESS_KEY: FAKE_AWS_SECRET },
  upstreamModel: SONNET,
  pricing: { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, cacheWritePerMillion: 3.75 },
  listed: { cachedInputPricePerMillion: 0.3 },
  usage: (words) => ({ fresh: 13, cached: 3, cacheWrite: 2, output: words, reasoning: 0 }),
  sent: (request) => {
    expect(request.path).toBe(`/model/${encodeURIComponent(SONNET)}/converse-stream`);
    expect(request.bedrock).toMatchObject({ modelId: SONNET, accessKeyId: "AKIDE2E", region: "us-east-1", service: "bedrock" });
  },
  messages: (body) => body["messages"],
  imageTurn: { role: "user", content: [{ text: "what is it?" }, { image: { format: "png", source: { bytes: PNG } } }] },
  toolTurns: (id) => [
    { role: "assistant", content: [{ toolUse: { toolUseId: id, name: TOOL_CALL.name, input: JSON.parse(TOOL_CALL.arguments) } }] },
    { role: "user", content: [{ toolResult: { toolUseId: id, content: [{ text: TOOL_RESULT }], status: "success" } }] },
  ],
  rateLimited: { behaviour: { status: 429, errorCode: "ThrottlingException" }, delay: { seconds: 0n, nanos: 500_000_000 } },
  authFailures: [
    { status: 403, errorCode: "AccessDeniedException" },
    { status: 403, errorCode: "UnrecognizedClientException" },
  ],
  // A guardrail's intervention.
  safety: { text: "Sorry.", finishReason: "guardrail_intervened" },
  jsonSchema: (body) =>
    expect(body["outputConfig"]).toEqual({
      textFormat: { type: "json_schema", structure: { jsonSchema: { schema: JSON.stringify(SCHEMA), name: "answer" } } },
    }),
  thinking: {
    answer: { rawEvents: thinking },
    sent: (body) => expect(body["additionalModelRequestFields"]).toEqual({ thinking: { type: "enabled", budget_tokens: 1024 } }),
  },
});
