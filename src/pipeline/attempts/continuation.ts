import { GatewayError } from "../../core/errors.js";
import type { ChatMessage } from "../../core/types.js";
import type { Provider } from "../../providers/provider.js";
import type { Round, UpstreamParams } from "../stage.js";
import { createSplice, type Splice } from "./splice.js";

/**
 * How a provider kind is asked to go on from a partial answer.
 * prefill: the partial answer is the conversation's last, assistant message, and the model continues
 * it (Anthropic's documented prefill; Claude on Vertex AI and Bedrock's Anthropic API take the same body).
 * instruct: the partial answer as an assistant message, then a user message asking to continue exactly
 * where it stopped. OpenAI-format chat has no prefill: a final assistant message is answered, not
 * continued. The model may repeat a few words or not, which the splice trims (docs/resilience.md
 * "Continuing a cut stream" says what is left to chance).
 */
export type ContinueBy = "prefill" | "instruct";

const BY_KIND = {
  openai: "instruct",
  "openai-compatible": "instruct",
  "azure-openai": "instruct",
  anthropic: "prefill",
  "anthropic-vertex": "prefill",
  "anthropic-bedrock": "prefill",
  // Converse serves models of many makers; not all of them take a prefill.
  bedrock: "instruct",
  gemini: "instruct",
  vertex: "instruct",
  mistral: "instruct",
  cohere: "instruct",
  // The echo provider answers the last user message: it has no way to continue anything.
  local: undefined,
} as const satisfies Record<Provider["kind"], ContinueBy | undefined>;

/** What is asked of an instructed continuation, as a user message after the partial answer. */
export const CONTINUE_INSTRUCTION =
  "Your previous message was cut off. Continue it exactly where it stopped, from the next character: " +
  "do not repeat any of it, do not comment, do not start over.";

/** How a deployment of this kind continues, or undefined when it cannot. */
export function continueBy(kind: string): ContinueBy | undefined {
  return (BY_KIND as Record<string, ContinueBy | undefined>)[kind];
}

/** What reached the caller before the cut. */
export interface Delivered {
  text: string;
  reasoning: string;
  /** A tool call had begun streaming (its arguments may be half sent). */
  toolCall: boolean;
}

/**
 * Why this round's cut stream cannot be continued, or undefined when it can. Each reason is one the
 * caller is told in the STREAM_INTERRUPTED it gets instead.
 */
export function whyNotContinued(round: Round, delivered: Delivered): string | undefined {
  if (round.model.continueStreams === false) return `continuation is off for model "${round.model.name}"`;
  if (round.upstream.responseFormat) return "a structured answer (response format) cannot be continued mid-object";
  if (round.upstream.logprobs) return "a continuation's log probabilities would not be those of the answer delivered";
  // The arguments already sent cannot be taken back, and another attempt would send the call again whole.
  if (delivered.toolCall) return "a tool call was being streamed";
  // No provider continues a model's thinking: a new attempt would think again, from the start.
  if (delivered.text === "") return "only reasoning had been delivered, and reasoning cannot be continued";
  return undefined;
}

/**
 * A stream being continued: what the caller has, the request that continues it on a deployment of a
 * given kind, and the splice that joins what comes next.
 */
export class Continuation {
  readonly splice: Splice;

  constructor(
    /** What the caller has (all attempts so far). */
    readonly delivered: Delivered,
    /** The caller's first token, from the first attempt. */
    readonly firstTokenAt: number | undefined,
    /** What the caller is told if no deployment continues. */
    readonly error: GatewayError,
  ) {
    this.splice = createSplice(delivered.text);
  }

  /** The round as a deployment of `kind` is asked to continue it; undefined when that kind cannot. */
  roundFor(round: Round, kind: string): Round | undefined {
    const by = continueBy(kind);
    if (!by) return undefined;
    const text = this.delivered.text;
    const partial = by === "prefill" ? text.trimEnd() : text;
    const messages: ChatMessage[] = [...round.upstream.messages];
    // Anthropic refuses a prefill that ends in whitespace, and one that is empty: the splice puts back
    // the whitespace the model re-sends, and an answer that was only whitespace starts over.
    if (partial) messages.push({ role: "assistant", content: partial });
    if (partial && by === "instruct") messages.push({ role: "user", content: CONTINUE_INSTRUCTION });
    const sentTokens = Math.ceil(text.length / 4);
    const { reasoning: _thinking, ...rest } = round.upstream;
    // Thinking is not asked again (a prefill with thinking on must begin with a signed thinking block
    // we do not have); the continuation gets what is left of the answer's token allowance.
    const upstream: UpstreamParams = { ...rest, messages, maxTokens: Math.max(1, round.upstream.maxTokens - sentTokens) };
    return { ...round, upstream, promptTokens: round.promptTokens + sentTokens };
  }
}

/** The caller's error when a cut stream is not continued: STREAM_INTERRUPTED saying why not. */
export function notContinued(error: GatewayError, why: string): GatewayError {
  return new GatewayError(error.reason, `${error.message} (not continued: ${why})`, {
    metadata: { ...error.metadata, not_continued: why },
    cause: error.cause ?? error,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  });
}

/**
 * The continuation of a stream whose replica stopped while generating it (src/durable/): what the
 * caller has is the round's `continueFrom`; undefined when there is nothing to continue.
 */
export function takenOver(round: Round): Continuation | undefined {
  if (!round.continueFrom) return undefined;
  const delivered: Delivered = { text: round.continueFrom, reasoning: "", toolCall: false };
  const error = new GatewayError("STREAM_INTERRUPTED", "the replica serving the stream stopped mid-answer");
  const why = whyNotContinued(round, delivered);
  if (why) throw notContinued(error, why);
  return new Continuation(delivered, undefined, error);
}
