import { expect } from "vitest";
import { providerContract } from "./contract.js";
import { BEDROCK_MODEL, bedrockProvider, claudePricing, claudeRates, cloudEnv, keyId } from "./anthropic-cloud.js";
import { anthropicWire } from "./wires.js";

/*
 * Claude on Bedrock through @anthropic-ai/bedrock-sdk: InvokeModel with Anthropic's body, signed (SigV4;
 * the fake checks the signature), streams in AWS's event-stream framing, and Bedrock's 403 for credentials.
 */
providerContract({
  kind: "anthropic-bedrock",
  ...anthropicWire,
  provider: bedrockProvider,
  env: cloudEnv,
  upstreamModel: BEDROCK_MODEL,
  pricing: claudePricing,
  rates: claudeRates,
  listed: { cachedInputPricePerMillion: 0.3, cacheWritePricePerMillion: 3.75 },
  authFailures: [{ status: 403 }],
  sent: (request) =>
    expect(request.cloud).toMatchObject({
      platform: "bedrock",
      model: BEDROCK_MODEL,
      stream: true,
      accessKeyId: keyId,
      signingRegion: "us-east-1",
    }),
});
