import type { IncomingMessage, ServerResponse } from "node:http";
import { type AnthropicCloudCall, anthropicCloudRoute } from "./fake-anthropic-cloud.js";
import { type AzureCall, azureRoute } from "./fake-azure.js";
import { answerBedrock, type BedrockCall } from "./fake-bedrock.js";
import { answerMistral } from "./fake-mistral.js";
import { answerCohere } from "./fake-cohere.js";
import type { FakeBehaviour, RecordedRequest } from "./fake-upstream.js";

/** What the fake upstream saw of a request on a cloud platform's own paths. */
export interface PlatformCall {
  /** An Azure OpenAI request's deployment and api-version (test/support/fake-azure.ts). */
  azure?: AzureCall;
  /** A Vertex AI or Bedrock request's model, platform and credentials (test/support/fake-anthropic-cloud.ts). */
  cloud?: AnthropicCloudCall;
  /** A Bedrock Converse request's model id and SigV4 credential scope (test/support/fake-bedrock.ts). */
  bedrock?: BedrockCall;
}

/** How the fake upstream answers a request: as the OpenAI or Anthropic path it stands for, or with the platform's refusal. */
export interface PlatformRoute {
  /** The path to answer as (/v1/chat/completions, /v1/messages...), the request's own when it is no platform's. */
  path: string;
  /** The body to answer as: the platform's body with what it moves into the path put back. */
  body: Record<string, unknown>;
  /** The body as it came. */
  wire: Record<string, unknown>;
  seen: PlatformCall;
  refusal?: { status: number; body: unknown; headers?: Record<string, string> } | undefined;
}

/** Routes a request on a platform's paths (Azure OpenAI, Claude on Vertex AI or Bedrock); others pass as they are. */
export async function platformRoute(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<PlatformRoute> {
  const wire = JSON.parse(raw.toString() || "{}") as Record<string, unknown>;
  const cloud = await anthropicCloudRoute(req, res, raw, wire);
  if (cloud) return { path: cloud.path, body: cloud.body, wire, seen: { cloud: cloud.cloud }, refusal: cloud.refusal };
  const azure = azureRoute(req.url ?? "", req.headers);
  return { path: azure.path, body: wire, wire, seen: azure.azure ? { azure: azure.azure } : {}, refusal: azure.refusal };
}

/** What a platform with a wire format of its own needs to answer a request (test/support/fake-<kind>.ts). */
export interface PlatformAnswer {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  /** The request's body as it came (Bedrock's signature covers its hash). */
  raw: Buffer;
  next: () => FakeBehaviour;
  defaultText: string;
}

/** Answers the request in its platform's own wire format (Bedrock's Converse, Mistral's chat API, Cohere's v2), returning true; false for others. */
export async function answerPlatform(call: PlatformAnswer): Promise<boolean> {
  return (await answerBedrock(call)) || (await answerMistral(call)) || (await answerCohere(call));
}
