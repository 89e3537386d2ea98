import type { ProviderConfig } from "../config/schema.js";

/**
 * The SDK modules each provider kind imports when it is built. A provider
 * starts its import at once but does not wait for it; a reload waits for the
 * new kinds' imports before the swap, so that no call on the new
 * configuration waits for a module to load. (The Mistral SDK holds the event
 * loop for a second or two while it loads the first time: that happens once
 * per process, during the reload, not during a call.)
 */
const SDKS: Record<ProviderConfig["kind"], readonly (() => Promise<unknown>)[]> = {
  local: [],
  openai: [() => import("openai")],
  "openai-compatible": [() => import("openai")],
  "azure-openai": [() => import("openai")],
  anthropic: [() => import("@anthropic-ai/sdk")],
  "anthropic-vertex": [() => import("@anthropic-ai/vertex-sdk")],
  "anthropic-bedrock": [() => import("@anthropic-ai/bedrock-sdk")],
  bedrock: [() => import("@aws-sdk/client-bedrock-runtime")],
  gemini: [() => import("@google/genai")],
  vertex: [() => import("@google/genai")],
  mistral: [() => import("@mistralai/mistralai"), () => import("@mistralai/mistralai/models/errors")],
  cohere: [() => import("cohere-ai")],
};

/** Loads the SDKs of the given provider kinds; a module that fails to load fails its provider's calls, not the reload. */
export async function warmProviderSdks(kinds: Iterable<ProviderConfig["kind"]>): Promise<void> {
  const loads = [...new Set(kinds)].flatMap((k) => (SDKS[k] ?? []).map((load) => load().catch(() => undefined)));
  await Promise.all(loads);
}
