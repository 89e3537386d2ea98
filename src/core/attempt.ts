import { SpanKind, SpanStatusCode, type Context } from "@opentelemetry/api";
import type { ProviderDeployment } from "../providers/registry.js";
import { tracer } from "../telemetry.js";
import type { Tenant } from "../auth/tenants.js";
import type { Clock } from "./clock.js";
import { GatewayError, isGatewayError } from "./errors.js";

/** What the core knows of the call it serves, whatever the transport. */
export interface CallContext {
  /** Aborts when the caller goes away or its deadline passes. */
  signal: AbortSignal;
  /** The caller's deadline as a Clock.monotonic() reading, if it set one. */
  deadlineAt?: number | undefined;
  /** The call's id, echoed in responses and logs. */
  requestId: string;
  /** When the gateway received the call, as a Clock.monotonic() reading. */
  receivedAt: number;
  /** The caller's tenant, once authenticated; absent or ANONYMOUS on an open gateway. */
  tenant?: Tenant | undefined;
  /** The trace context of the call's span; the core's spans are its children. */
  otel?: Context | undefined;
  /** Filled by the core as the call is answered, for the face's access log line. */
  report?: CallReport | undefined;
}

/** What the access log says about a completion, beyond the transport's own fields. */
export interface CallReport {
  model?: string;
  provider?: string;
  cache?: string;
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
  /** The request's own metadata: kept with the call, as the contract says. */
  metadata?: Record<string, string>;
}

/** The signal and bookkeeping for one upstream attempt. */
export interface AttemptScope {
  signal: AbortSignal;
  /** Turns whatever the attempt threw into a GatewayError that says whose fault it was. */
  classify(error: unknown): GatewayError;
  /** Cancels the attempt because another one already answered (a hedge lost). */
  abandon(): void;
  /** Marks a stream's first token: the first-token timeout no longer applies. */
  firstToken(): void;
  /** Records what the provider answered, on the attempt's span. */
  answered(info: { model: string; inputTokens?: number | undefined; outputTokens?: number | undefined; finishReason: string }): void;
  /** Stops the attempt's timers and ends its span. */
  dispose(): void;
}

/**
 * Opens one attempt against a deployment: its signal aborts on the caller's
 * signal, at the caller's deadline, or at the provider's own timeout,
 * whichever comes first, and errors are classified by which of them fired.
 */
export function openAttempt(deployment: ProviderDeployment, call: CallContext, clock: Clock, streaming = false, upstreamModel = ""): AttemptScope {
  // One span per upstream call, named and described per the OpenTelemetry GenAI conventions.
  const span = tracer().startSpan(
    `chat ${upstreamModel}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.system": genAiSystem(deployment.provider.kind),
        "gen_ai.request.model": upstreamModel,
        "llm_gateway.provider": deployment.provider.name,
        "llm_gateway.streaming": streaming,
      },
    },
    call.otel,
  );
  let ended = false;
  const controller = new AbortController();
  const remaining = call.deadlineAt === undefined ? Infinity : call.deadlineAt - clock.monotonic();
  const budget = Math.max(0, Math.min(deployment.timeoutMs, remaining));
  let timedOut = false;
  let firstTokenTimedOut = false;
  let abandoned = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new GatewayError("UPSTREAM_TIMEOUT", "attempt timed out"));
  }, budget);
  // Only worth a timer of its own when it is shorter than the whole budget.
  let firstTokenTimer: NodeJS.Timeout | undefined =
    streaming && deployment.firstTokenTimeoutMs < budget
      ? setTimeout(() => {
          firstTokenTimedOut = true;
          controller.abort(new GatewayError("UPSTREAM_TIMEOUT", "no first token in time"));
        }, deployment.firstTokenTimeoutMs)
      : undefined;
  const onCallerAbort = () => controller.abort(call.signal.reason);
  if (call.signal.aborted) onCallerAbort();
  else call.signal.addEventListener("abort", onCallerAbort, { once: true });
  const name = deployment.provider.name;

  return {
    signal: controller.signal,
    abandon() {
      abandoned = true;
      controller.abort(new GatewayError("CANCELLED", "another attempt answered first"));
    },
    firstToken() {
      clearTimeout(firstTokenTimer);
      firstTokenTimer = undefined;
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
      clearTimeout(timer);
      clearTimeout(firstTokenTimer);
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

  function classify(error: unknown): GatewayError {
    if (call.signal.aborted) return callAbortedError(call, clock, error, name);
    if (abandoned) {
      return new GatewayError("CANCELLED", `${name}: cancelled, another attempt answered first`, { metadata: { provider: name, hedge: "lost" }, cause: error });
    }
    if (firstTokenTimedOut) {
      return new GatewayError("UPSTREAM_TIMEOUT", `${name}: no first token within ${deployment.firstTokenTimeoutMs} ms`, {
        metadata: { provider: name, timeout_ms: String(deployment.firstTokenTimeoutMs), phase: "first_token" },
        cause: error,
      });
    }
    if (timedOut) {
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
}

/** The gen_ai.system value of a provider kind. */
function genAiSystem(kind: ProviderDeployment["provider"]["kind"]): string {
  return kind === "anthropic" ? "anthropic" : kind === "local" ? "llm_gateway.local" : "openai";
}

const DEADLINE_SLACK_MS = 100;

/**
 * The error for a call whose signal aborted: the reason itself when the
 * server gave one (shutting down), else deadline passed, or cancelled.
 */
export function callAbortedError(call: CallContext, clock: Clock, cause?: unknown, provider?: string): GatewayError {
  if (isGatewayError(call.signal.reason)) return call.signal.reason;
  const metadata: Record<string, string> = provider ? { provider } : {};
  // A client whose deadline passes cancels its side at once, which reaches us a little before our own
  // timer for the same deadline: an abort that close to the deadline is the deadline.
  const pastDeadline = call.deadlineAt !== undefined && clock.monotonic() >= call.deadlineAt - DEADLINE_SLACK_MS;
  return pastDeadline ? deadlineError(cause, provider) : new GatewayError("CANCELLED", "the caller cancelled the call", { metadata, cause });
}

function deadlineError(cause: unknown, provider?: string): GatewayError {
  return new GatewayError("DEADLINE_EXCEEDED", "the call's deadline passed before the provider answered", {
    metadata: provider ? { provider } : {},
    cause,
  });
}
