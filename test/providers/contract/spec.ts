import type { FakeBehaviour, FakeUpstream, RecordedRequest } from "../../support/fake-upstream.js";
import type { Gateway } from "./gateway.js";

/* What a provider kind's spec file gives the contract (contract.ts), and the fixtures every kind is sent. */

/** The one-pixel PNG every kind is sent. */
export const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
/** The JSON schema the schema case asks for. */
export const SCHEMA = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
/** The tool call the fake asks for, and the tool's result the caller sends back. */
export const TOOL_CALL = { id: "call_contract_1", name: "describe", arguments: '{"what":"pixel"}' };
export const TOOL_RESULT = "1x1 PNG";

/** Per-million prices, as the catalogue takes them. */
export interface Rates {
  inputPerMillion: number;
  outputPerMillion: number;
  cachedInputPerMillion?: number;
  cacheWritePerMillion?: number;
}

/** Tokens as the fake reports them on this wire, split as the cost counts them. */
export interface WireUsage {
  /** Input tokens neither read from nor written to a cache. */
  fresh: number;
  cached: number;
  cacheWrite: number;
  /** Answer tokens, without thinking. */
  output: number;
  reasoning: number;
}

/** What one provider kind is, against the fake upstream. */
export interface KindSpec {
  /** The kind as configured (provider.kind), and a label when one kind runs twice (Azure's two clients). */
  kind: string;
  label?: string;
  /** The provider's config without name, timeout and headers: its kind, its endpoint override, its credentials. */
  provider(upstream: FakeUpstream): Record<string, unknown>;
  env?: Record<string, string>;
  upstreamModel: string;
  pricing: Rates;
  /** The rates the cost must come to when the catalogue derives some (Claude's cache rates); pricing by default. */
  rates?: Rates;
  /** What the fake reports for an answer of n words. */
  usage(words: number): WireUsage;
  /** Asserts that a request reached the kind's own path (stream or not) with its credentials. */
  sent(request: RecordedRequest): void;
  /** The wire's messages (or contents) in a request body. */
  messages(body: Record<string, unknown>): unknown;
  /** The question with the image, in the wire's shape. */
  imageTurn: unknown;
  /** The assistant's tool call (the id the caller saw) and the tool's result, in the wire's shape. */
  toolTurns(callId: string): unknown[];
  /** The tool call's id the caller sees: the wire's own, or one the gateway makes (Gemini sends none). */
  callId?: (id: string) => unknown;
  /** The id the fake's tool call carries when the wire has a shape for ids (Mistral's nine letters or digits); TOOL_CALL's otherwise. */
  toolCallId?: string;
  /**
   * When the kind's main model takes no images (Cohere's Command A): the upstream model that does, why,
   * and the question without the image in the wire's shape. The tool round trip then asks in text, and
   * the image goes to that model in a case of its own.
   */
  imageModel?: { upstreamModel: string; why: string; textTurn: unknown };
  /** A 429 on this wire and the retry delay the caller must be told. */
  rateLimited: { behaviour: FakeBehaviour; delay: { seconds: bigint; nanos?: number } };
  /** Refusals of the gateway's credentials on this wire. */
  authFailures: FakeBehaviour[];
  /**
   * A safety block on this wire (reported as finish reason content_filter), or, when the wire has none,
   * why: the case is then skipped under that reason, never left out unsaid.
   */
  safety: FakeBehaviour | { none: string };
  /** Asserts that SCHEMA reached the upstream in the wire's shape. */
  jsonSchema(body: Record<string, unknown>): void;
  /** Thinking: an answer that thinks "Let me think." then says "42", and what reasoning_effort low sends. */
  thinking?: {
    answer: FakeBehaviour;
    sent(body: Record<string, unknown>): void;
    /** The upstream model that thinks, when the main one does not (Cohere's Command A Reasoning). */
    upstreamModel?: string;
  };
  /** ListModels' entry beyond provider, kind and upstream model. */
  listed?: Record<string, unknown>;
  extraProviders?(upstream: FakeUpstream): Record<string, unknown>[];
  extraModels?: Record<string, unknown>[];
  /** Kind-specific cases; the gateway is there once beforeAll has run. */
  extra?(gw: () => Gateway): void;
}
