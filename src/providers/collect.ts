import type { ChatMessage } from "../core/types.js";
import type { ProviderChunk, ProviderResult } from "./provider.js";

/**
 * A provider's stream collected into its whole answer; undefined when the
 * stream ended without its "end" (cut short upstream).
 */
export async function collectChunks(chunks: AsyncIterable<ProviderChunk>): Promise<ProviderResult | undefined> {
  let text = "";
  let reasoning = "";
  for await (const chunk of chunks) {
    if (chunk.type === "delta") text += chunk.text;
    else if (chunk.type === "reasoning") reasoning += chunk.text;
    else if (chunk.type === "end") {
      const message: ChatMessage = { role: "assistant", content: text };
      if (chunk.toolCalls) message.toolCalls = chunk.toolCalls;
      if (reasoning) message.reasoning = reasoning;
      if (chunk.reasoningSignature) message.reasoningSignature = chunk.reasoningSignature;
      const result: ProviderResult = { message, finishReason: chunk.finishReason, model: chunk.model };
      if (chunk.usage) result.usage = chunk.usage;
      return result;
    }
  }
  return undefined;
}
