import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { callAbortedError, deadlineError, type CallContext } from "../../core/call.js";
import type { Clock } from "../../core/clock.js";
import { GatewayError, isGatewayError } from "../../core/errors.js";
import type { ProviderDeployment } from "../../providers/registry.js";
import { tracer } from "../../telemetry.js";

/** The signal and bookkeeping for one upstream attempt. */
export interface AttemptScope {
  signal: AbortSignal;
  /** Turns whatever the attempt threw into a GatewayError that says whose fault it was. */
  classify(error: unknown): GatewayError;
  /** Cancels the attempt because another one already answered (a hedge lost). */
  abandon(): void;
  /** True once abandon() was called. */
  readonly abandoned: boolean;
  /** The provider accepted the request (its response headers came): the headers timeout no longer applies. */
  started(): void;
  /** The answer's first token came: the first-token timeout no longer applies. */
  firstToken(): void;
  /** The caller is (true) or is no longer (false) holding the attempt back by not reading: that time is not the provider's. */
  holding(held: boolean): void;
  /** Records what the provider answered, on the attempt's span. */
  answered(info: { model: string; inputTokens?: number | undefined; outputTokens?: number | undefined; finishReason: string }): void;
  /** Stops the attempt's timers and ends its span. */
  dispose(): void;
}

/** What an attempt is of. */
export interface AttemptOptions {
  upstreamModel: string;
  /** The prompt's token estimate: long prompts are given longer to be accepted. */
  promptTokens: number;
  streaming: boolean;
  /** The upstream is asked without streaming: headers and first token come with the whole answer, so only the whole-call timer applies. */
  unaryUpstream?: boolean | undefined;
  /** The GenAI operation the span names; chat when absent. */
  operation?: "chat" | "embeddings" | undefined;
}

type Fired = "timeout" | "headers" | "first_token" | undefined;

/**
 * Opens one attempt against a deployment. Its signal aborts on the caller's
 * signal, at the caller's deadline, or at the provider's own timeouts (the
 * whole call; the response headers; the first token), whichever comes first,
 * and errors are classified by which of them fired: a timeout of ours is the
 * provider's fault, the caller's deadline or cancel is not.
 */
export function openAttempt(deployment: ProviderDeployment, call: CallContext, clock: Clock, options: AttemptOptions): AttemptScope {
  const name = deployment.provider.name;
  // One span per upstream call, named and described per the OpenTelemetry GenAI conventions.
  const operation = options.operation ?? "chat";
  const span = tracer().startSpan(
    `${operation} ${options.upstreamModel}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": operation,
        "gen_ai.system": genAiSystem(deployment.provider.kind),
        "gen_ai.request.model": options.upstreamModel,
        "llm_gateway.provider": name,
        "llm_gateway.streaming": options.streaming,
      },
    },
    call.otel,
  );
  let ended = false;
  let fired: Fired;
  let abandoned = false;
  const controller = new AbortController();
  const remaining = call.deadlineAt === undefined ? Infinity : call.deadlineAt - clock.monotonic();
  const budget = Math.max(0, Math.min(deployment.timeoutMs, remaining));
  const headersMs = deployment.headersTimeoutMs + Math.ceil(options.promptTokens / 10);
  const fire = (what: Exclude<Fired, undefined>, message: string) => () => {
    fired ??= what;
    controller.abort(new GatewayError("UPSTREAM_TIMEOUT", message));
  };
  // Time the caller spends not reading (a slow reader holding the stream back) is not the provider's:
  // the whole-call timer counts only the time the attempt was free to run. The caller's own deadline is
  // absolute and is not extended.
  const startedAt = clock.monotonic();
  let heldMs = 0;
  let heldSince: number | undefined;
  const capByDeadline = budget < deployment.timeoutMs;
  const onTotal = () => {
    const now = clock.monotonic();
    const held = heldMs + (heldSince === undefined ? 0 : now - heldSince);
    const ran = now - startedAt - held;
    if (!capByDeadline && ran < budget - 1) {
      cancelTotal = clock.after(budget - ran, onTotal);
      return;
    }
    fire("timeout", "attempt timed out")();
  };
  let cancelTotal = clock.after(budget, onTotal);
  // The shorter timeouts are worth a timer of their own only when they end before the whole budget.
  const phased = !options.unaryUpstream;
  let cancelHeaders = phased && headersMs < budget ? clock.after(headersMs, fire("headers", "no response headers in time")) : undefined;
  let cancelFirstToken =
    phased && deployment.firstTokenTimeoutMs < budget
      ? clock.after(deployment.firstTokenTimeoutMs, fire("first_token", "no first token in time"))
      : undefined;
  const onCallerAbort = () => controller.abort(call.signal.reason);
  if (call.signal.aborted) onCallerAbort();
  else call.signal.addEventListener("abort", onCallerAbort, { once: true });

  function classify(error: unknown): GatewayError {
    if (call.signal.aborted) return callAbortedError(call, clock, error, name);
    if (abandoned) {
      return new GatewayError("CANCELLED", `${name}: cancelled, another attempt answered first`, {
        metadata: { provider: name },
        cause: error,
      });
    }
    if (fired === "headers") {
      return new GatewayError("UPSTREAM_TIMEOUT", `${name}: did not accept the request within ${headersMs} ms`, {
        metadata: { provider: name, timeout_ms: String(headersMs), phase: "headers" },
        cause: error,
      });
    }
    if (fired === "first_token") {
      return new GatewayError("UPSTREAM_TIMEOUT", `${name}: no first token within ${deployment.firstTokenTimeoutMs} ms`, {
        metadata: { provider: name, timeout_ms: String(deployment.firstTokenTimeoutMs), phase: "first_token" },
        cause: error,
      });
    }
    if (fired === "timeout") {
      // The timer ran to the caller's deadline when that came before the provider's own timeout.
      if (budget < deployment.timeoutMs) return deadlineError(error, name);
      return new GatewayError("UPSTREAM_TIMEOUT", `${name}: no answer within ${deployment.timeoutMs} ms`, {
        metadata: { provider: name, timeout_ms: String(deployment.timeoutMs) },
        cause: error,
      });
    }
    if (isGatewayError(error)) return error;
    const translated = deployment.provider.translateError(error);
    if (translated) return translated;
    return new GatewayError("INTERNAL", `${name}: unexpected failure`, { metadata: { provider: name }, cause: error });
  }

  return {
    signal: controller.signal,
    get abandoned() {
      return abandoned;
    },
    abandon() {
      abandoned = true;
      controller.abort(new GatewayError("CANCELLED", "another attempt answered first"));
    },
    started() {
      cancelHeaders?.();
      cancelHeaders = undefined;
    },
    holding(held) {
      if (held) heldSince ??= clock.monotonic();
      else if (heldSince !== undefined) {
        heldMs += clock.monotonic() - heldSince;
        heldSince = undefined;
      }
    },
    firstToken() {
      cancelHeaders?.();
      cancelHeaders = undefined;
      cancelFirstToken?.();
      cancelFirstToken = undefined;
    },
    answered(info) {
      // Without a tracer provider the span records nothing: build no attributes for it.
      if (!span.isRecording()) return;
      span.setAttributes({
        "gen_ai.response.model": info.model,
        "gen_ai.response.finish_reasons": [info.finishReason],
        ...(info.inputTokens === undefined ? {} : { "gen_ai.usage.input_tokens": info.inputTokens }),
        ...(info.outputTokens === undefined ? {} : { "gen_ai.usage.output_tokens": info.outputTokens }),
      });
    },
    dispose() {
      cancelTotal();
      cancelHeaders?.();
      cancelFirstToken?.();
      call.signal.removeEventListener("abort", onCallerAbort);
      if (!ended) {
        ended = true;
        span.end();
      }
    },
    classify(error) {
      const e = classify(error);
      span.setAttribute("error.type", e.reason);
      if (abandoned) span.setAttribute("llm_gateway.hedge_lost", true);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      return e;
    },
  };
}

/** The gen_ai.system value of a provider kind. */
function genAiSystem(kind: ProviderDeployment["provider"]["kind"]): string {
  // OpenTelemetry's GenAI names for Claude served by Google's and Amazon's platforms.
  if (kind === "anthropic-vertex") return "gcp.vertex_ai";
  if (kind === "anthropic-bedrock") return "aws.bedrock";
  if (kind === "gemini") return "gcp.gemini";
  if (kind === "vertex") return "gcp.vertex_ai";
  if (kind === "mistral") return "mistral_ai";
  if (kind === "cohere") return "cohere";
  return kind === "anthropic" ? "anthropic" : kind === "local" ? "llm_gateway.local" : "openai";
}
