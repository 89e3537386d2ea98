import { context, propagation, trace, type Context, type Span, SpanStatusCode, type Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { SpanProcessor } from "@opentelemetry/sdk-trace";

/** The tracer every span of the gateway comes from. Without a provider it makes no-op spans, at almost no cost. */
export const tracer = (): Tracer => trace.getTracer("llm-gateway");

export interface TelemetrySettings {
  /** OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces; absent means tracing is off. */
  otlpEndpoint?: string | undefined;
  serviceName: string;
  /** Share of new traces recorded (a caller's sampled trace is always followed). */
  sampleRatio: number;
}

/**
 * Wires the OpenTelemetry SDK at start-up: W3C trace context in and out, and,
 * when an endpoint is configured, spans exported over OTLP/HTTP in batches.
 * Tests pass their own span processor (an in-memory exporter). The SDK and
 * the exporter load only when spans are recorded: a few megabytes a gateway
 * without tracing does not hold.
 */
export async function startTelemetry(settings: TelemetrySettings, processor?: SpanProcessor): Promise<{ shutdown(): Promise<void> }> {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const endpoint = settings.otlpEndpoint;
  if (!processor && !endpoint) return { shutdown: async () => {} };
  const [{ BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider }, { resourceFromAttributes }] =
    await Promise.all([import("@opentelemetry/sdk-trace"), import("@opentelemetry/resources")]);
  let processors = processor ? [processor] : [];
  if (!processor && endpoint) {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    processors = [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: endpoint }) })];
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": settings.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors: processors,
  });
  trace.setGlobalTracerProvider(provider);
  return {
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
    },
  };
}

/** The trace context a caller sent (traceparent / tracestate), from any header map. */
export function extractContext(get: (name: string) => string | null | undefined): Context {
  return propagation.extract(
    context.active(),
    {},
    {
      keys: () => ["traceparent", "tracestate"],
      get: (_carrier, key) => get(key) ?? undefined,
    },
  );
}

/** Ends a span with the error it failed with, if any. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : new Error(String(error)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

export const traceIdOf = (span: Span | undefined): string | undefined => {
  const id = span?.spanContext().traceId;
  return id && id !== "00000000000000000000000000000000" ? id : undefined;
};
