import type { Clock } from "../../core/clock.js";
import { GatewayError } from "../../core/errors.js";
import type { ChatStreamEvent, TokenLogprob } from "../../core/types.js";
import type { ProviderChunk } from "../../providers/provider.js";
import type { Round } from "../stage.js";
import type { Continuation, Delivered } from "./continuation.js";
import { nextAnswerChunk, type Run } from "./race.js";

export type End = Extract<ProviderChunk, { type: "end" }>;

/** How reading the winning run ended. */
export type Read =
  | { ok: true; end: End; text: string; reasoning: string; logprobs: TokenLogprob[] | undefined; firstTokenAt: number | undefined }
  /** It failed; `sent` is what of it had already reached the caller (nothing when the caller collects the answer). */
  | { ok: false; error: GatewayError; sent: Delivered; firstTokenAt: number | undefined }
  /** The caller stopped reading: no verdict either way. */
  | { ok: "gone" };

/**
 * Reads the winner to its end, passing deltas on at once unless the caller collects the answer. A
 * continuation's text goes through its splice (what repeats the delivered text is trimmed), and its
 * reasoning is kept back: the caller has the first attempt's, and a second would contradict it.
 */
export async function* readWinner(
  run: Run,
  first: IteratorResult<ProviderChunk>,
  round: Round,
  clock: Clock,
  cont?: Continuation,
): AsyncGenerator<ChatStreamEvent, Read> {
  let text = "";
  let reasoning = "";
  let toolCall = false;
  let logprobs: TokenLogprob[] | undefined;
  let firstTokenAt: number | undefined;
  let end: End | undefined;
  let settled = false;
  const sent = (): Delivered => (round.buffered ? { text: "", reasoning: "", toolCall: false } : { text, reasoning, toolCall });
  try {
    if (!round.buffered && !cont) yield { type: "answering", provider: run.d.provider };
    for (let r = first; !r.done; r = await nextAnswerChunk(run)) {
      const chunk = r.value;
      if (chunk.type === "end") {
        end = chunk;
        continue;
      }
      if (chunk.type === "progress") {
        // A tool call has begun: the answer is coming, though not as text.
        run.scope.firstToken();
        toolCall = true;
        continue;
      }
      if (chunk.type === "reasoning") {
        // The model thinks before it answers: its first token has come, though the answer's text has not.
        run.scope.firstToken();
        if (cont) continue;
        reasoning += chunk.text;
        if (!round.buffered) {
          run.scope.holding(true);
          yield chunk.signature
            ? { type: "reasoning", text: chunk.text, signature: chunk.signature }
            : { type: "reasoning", text: chunk.text };
          run.scope.holding(false);
        }
        continue;
      }
      if (chunk.type !== "delta") continue;
      if (firstTokenAt === undefined) {
        firstTokenAt = clock.monotonic();
        run.scope.firstToken();
      }
      const piece = cont ? cont.splice.push(chunk.text) : chunk.text;
      text += piece;
      if (chunk.logprobs) (logprobs ??= []).push(...chunk.logprobs);
      if (!round.buffered && piece) {
        run.scope.holding(true);
        yield chunk.logprobs ? { type: "delta", text: piece, logprobs: chunk.logprobs } : { type: "delta", text: piece };
        run.scope.holding(false);
      }
    }
    settled = true;
    if (end) {
      // The continuation's last characters, held while they might still have repeated the delivered text.
      const rest = cont?.splice.flush();
      if (rest) {
        text += rest;
        if (!round.buffered) yield { type: "delta", text: rest };
      }
      run.scope.answered({
        model: end.model,
        inputTokens: end.usage?.inputTokens,
        outputTokens: end.usage?.outputTokens,
        finishReason: end.finishReason,
      });
      return { ok: true, end, text, reasoning, logprobs, firstTokenAt };
    }
    // The SDKs end a stream quietly when its signal aborts: whoever aborted it (the caller, its deadline,
    // a shutdown, our own timeout) says whose failure this is, not the provider's silence.
    const error = run.scope.signal.aborted
      ? run.scope.classify(run.scope.signal.reason)
      : new GatewayError("UPSTREAM_UNAVAILABLE", `${run.d.provider}: the stream ended without a finish reason`, {
          metadata: { provider: run.d.provider },
        });
    return { ok: false, error, sent: sent(), firstTokenAt };
  } catch (err) {
    settled = true;
    return { ok: false, error: run.scope.classify(err), sent: sent(), firstTokenAt };
  } finally {
    run.scope.dispose();
    // A caller that stops reading ends this generator here: close the upstream stream.
    if (!settled) run.it.return?.().catch(() => {});
  }
}
