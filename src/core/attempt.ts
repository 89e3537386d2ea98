import type { ProviderDeployment } from "../providers/registry.js";
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
  /** Stops the attempt's timers. */
  dispose(): void;
}

/**
 * Opens one attempt against a deployment: its signal aborts on the caller's
 * signal, at the caller's deadline, or at the provider's own timeout,
 * whichever comes first, and errors are classified by which of them fired.
 */
export function openAttempt(deployment: ProviderDeployment, call: CallContext, clock: Clock, streaming = false): AttemptScope {
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
    dispose() {
      clearTimeout(timer);
      clearTimeout(firstTokenTimer);
      call.signal.removeEventListener("abort", onCallerAbort);
    },
    classify(error) {
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
    },
  };
}

/**
 * The error for a call whose signal aborted: the reason itself when the
 * server gave one (shutting down), else deadline passed, or cancelled.
 */
export function callAbortedError(call: CallContext, clock: Clock, cause?: unknown, provider?: string): GatewayError {
  if (isGatewayError(call.signal.reason)) return call.signal.reason;
  const metadata: Record<string, string> = provider ? { provider } : {};
  const pastDeadline = call.deadlineAt !== undefined && clock.monotonic() >= call.deadlineAt - 1;
  return pastDeadline ? deadlineError(cause, provider) : new GatewayError("CANCELLED", "the caller cancelled the call", { metadata, cause });
}

function deadlineError(cause: unknown, provider?: string): GatewayError {
  return new GatewayError("DEADLINE_EXCEEDED", "the call's deadline passed before the provider answered", {
    metadata: provider ? { provider } : {},
    cause,
  });
}
