import { setTimeout as sleep } from "node:timers/promises";
import { invalidRequest } from "../core/errors.js";
import { countMessageTokens, encodeText, encodingOf } from "../core/tokens.js";
import type { ChatMessage, FinishReason } from "../core/types.js";
import type { Provider, ProviderChunk, ProviderRequest } from "./provider.js";

/** Options of the local provider. */
export interface LocalProviderOptions {
  name: string;
  /** Pause between streamed tokens, so that streaming can be seen. */
  tokenDelayMs: number;
}

/**
 * A provider that needs no network and no key: it answers by echoing the
 * last user message. It is not a language model, and says so in every answer,
 * but it behaves like a provider: it streams token by token, counts tokens with
 * a real tokenizer, honours max_tokens and stop sequences, and stops when the
 * signal aborts. It is what the gateway runs on when no API key is set.
 */
export function createLocalProvider(options: LocalProviderOptions): Provider {
  async function plan(request: ProviderRequest): Promise<{ tokens: number[]; finishReason: FinishReason; inputTokens: number }> {
    let text = replyTo(request.messages);
    let finishReason: FinishReason = "stop";
    const cut = firstStop(text, request.stop);
    if (cut !== undefined) text = text.slice(0, cut);
    // No token is longer than this many characters: the answer's max_tokens never need more of the text.
    const room = request.maxTokens * MAX_TOKEN_CHARS;
    const tokens = await encodeText(text.length > room ? text.slice(0, room) : text, "o200k_base", request.maxTokens + 1);
    if (tokens.length > request.maxTokens) {
      tokens.length = request.maxTokens;
      finishReason = "length";
    }
    return { tokens, finishReason, inputTokens: (await countMessageTokens(request.messages, "o200k_base")).tokens };
  }

  return {
    name: options.name,
    kind: "local",

    check,

    async *stream(request, signal): AsyncIterable<ProviderChunk> {
      signal.throwIfAborted();
      check(request);
      yield { type: "started" };
      const { tokens, finishReason, inputTokens } = await plan(request);
      for (const piece of (await encodingOf("o200k_base")).decodeGenerator(tokens)) {
        if (options.tokenDelayMs > 0) await sleep(options.tokenDelayMs, undefined, { signal });
        signal.throwIfAborted();
        if (piece) yield { type: "delta", text: piece };
      }
      yield { type: "end", finishReason, usage: { inputTokens, outputTokens: tokens.length }, model: request.model };
    },

    translateError: () => undefined,
  };
}

const MAX_TOKEN_CHARS = 256;

/**
 * What an echo cannot give is refused by name. Sampling and serving hints (temperature, top_p, top_k, penalties, seed,
 * service tier, prompt cache key) are honoured trivially: the echo is the same whatever they say.
 */
function check(request: ProviderRequest): void {
  if (request.logprobs) throw invalidRequest("logprobs", "the local echo model has no token probabilities");
  if (request.extraBody) throw invalidRequest("extra_body", "only openai-compatible providers take a pass-through body");
}

function replyTo(messages: readonly ChatMessage[]): string {
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const said = lastUser?.content.trim() ?? "";
  return said
    ? `[local model: offline echo, not an LLM] You said: ${said}`
    : "[local model: offline echo, not an LLM] There was no user message to answer.";
}

function firstStop(text: string, stops: readonly string[]): number | undefined {
  let first: number | undefined;
  for (const s of stops) {
    const at = s ? text.indexOf(s) : -1;
    if (at >= 0 && (first === undefined || at < first)) first = at;
  }
  return first;
}
