import { create } from "@bufbuild/protobuf";
import type { CompleteRequest, StreamCompleteRequest } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import {
  type CacheControl as CacheControlMessage,
  type ContentPart as ContentPartMessage,
  ContentPartSchema,
  ReasoningEffort,
  type TokenLogprob as TokenLogprobMessage,
  TokenLogprobSchema,
  type ToolChoice as ToolChoiceMessage,
  ToolChoiceMode,
} from "../../gen/ts/llmgateway/v1/types_pb.js";
import { invalidRequest } from "../core/errors.js";
import type { CacheControl, ChatRequest, ContentPart, ReasoningEffort as CoreEffort, TokenLogprob, ToolChoice } from "../core/types.js";

/*
 * The parts of the contract beyond plain text, both ways: content parts, cache control, tool choice,
 * response formats, reasoning and logprobs. Inline bytes become base64 in the core (messages stay
 * plain JSON wherever they go) and bytes again on the way out.
 */

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
const bytesOf = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, "base64"));

export function toCacheControl(c: CacheControlMessage | undefined, field: string): CacheControl | undefined {
  if (!c) return undefined;
  if (c.ttl === "") return {};
  if (c.ttl !== "5m" && c.ttl !== "1h") throw invalidRequest(`${field}.ttl`, 'must be "5m" or "1h" (or empty)');
  return { ttl: c.ttl };
}

const fromCacheControl = (c: CacheControl | undefined) => (c ? { cacheControl: { ttl: c.ttl ?? "" } } : {});

const DETAILS = new Set(["auto", "low", "high"]);

/** A message's parts, in the core's terms; `field` names the message's parts for errors. */
export function toContentParts(parts: readonly ContentPartMessage[], field: string): ContentPart[] {
  return parts.map((p, i) => {
    const at = `${field}[${i}]`;
    const cacheControl = toCacheControl(p.cacheControl, `${at}.cache_control`);
    const cc = cacheControl ? { cacheControl } : {};
    switch (p.part.case) {
      case "text":
        return { type: "text", text: p.part.value, ...cc };
      case "image": {
        const { url, data, mediaType, detail } = p.part.value;
        if ((url === "") === (data.length === 0)) throw invalidRequest(`${at}.image`, "needs exactly one of url and data");
        if (detail !== "" && !DETAILS.has(detail)) throw invalidRequest(`${at}.image.detail`, 'must be "auto", "low" or "high"');
        const out: ContentPart = { type: "image", ...cc };
        if (url) out.url = url;
        if (data.length > 0) {
          if (!mediaType) throw invalidRequest(`${at}.image.media_type`, "required with data");
          out.data = base64(data);
        }
        if (mediaType) out.mediaType = mediaType;
        if (detail) out.detail = detail as "auto" | "low" | "high";
        return out;
      }
      case "file": {
        const { data, mediaType, filename, url, fileId } = p.part.value;
        const given = [data.length > 0, url !== "", fileId !== ""].filter(Boolean).length;
        if (given !== 1) throw invalidRequest(`${at}.file`, "needs exactly one of data, url and file_id");
        const out: ContentPart = { type: "file", ...cc };
        if (data.length > 0) {
          if (!mediaType) throw invalidRequest(`${at}.file.media_type`, "required with data");
          out.data = base64(data);
        }
        if (mediaType) out.mediaType = mediaType;
        if (filename) out.filename = filename;
        if (url) out.url = url;
        if (fileId) out.fileId = fileId;
        return out;
      }
      case "audio": {
        const { data, format } = p.part.value;
        if (data.length === 0) throw invalidRequest(`${at}.audio.data`, "required");
        if (format !== "wav" && format !== "mp3") throw invalidRequest(`${at}.audio.format`, 'must be "wav" or "mp3"');
        return { type: "audio", data: base64(data), format, ...cc };
      }
      default:
        throw invalidRequest(at, "empty part: set text, image, file or audio");
    }
  });
}

/** The text of a message's text parts, joined: what token estimates, the semantic cache and logs read. */
export function textOfParts(parts: readonly ContentPart[]): string {
  let text = "";
  for (const p of parts) if (p.type === "text") text += p.text;
  return text;
}

export function fromContentParts(parts: readonly ContentPart[]): ContentPartMessage[] {
  return parts.map((p) => {
    const cc = fromCacheControl(p.cacheControl);
    switch (p.type) {
      case "text":
        return create(ContentPartSchema, { part: { case: "text", value: p.text }, ...cc });
      case "image":
        return create(ContentPartSchema, {
          part: {
            case: "image",
            value: {
              url: p.url ?? "",
              data: p.data ? bytesOf(p.data) : new Uint8Array(),
              mediaType: p.mediaType ?? "",
              detail: p.detail ?? "",
            },
          },
          ...cc,
        });
      case "file":
        return create(ContentPartSchema, {
          part: {
            case: "file",
            value: {
              data: p.data ? bytesOf(p.data) : new Uint8Array(),
              mediaType: p.mediaType ?? "",
              filename: p.filename ?? "",
              url: p.url ?? "",
              fileId: p.fileId ?? "",
            },
          },
          ...cc,
        });
      default:
        return create(ContentPartSchema, { part: { case: "audio", value: { data: bytesOf(p.data), format: p.format } }, ...cc });
    }
  });
}

const EFFORTS: Record<ReasoningEffort, CoreEffort | undefined> = {
  [ReasoningEffort.UNSPECIFIED]: undefined,
  [ReasoningEffort.MINIMAL]: "minimal",
  [ReasoningEffort.LOW]: "low",
  [ReasoningEffort.MEDIUM]: "medium",
  [ReasoningEffort.HIGH]: "high",
  [ReasoningEffort.NONE]: "none",
};

function toToolChoice(c: ToolChoiceMessage | undefined): ToolChoice | undefined {
  switch (c?.choice.case) {
    case "mode":
      return c.choice.value === ToolChoiceMode.AUTO
        ? "auto"
        : c.choice.value === ToolChoiceMode.NONE
          ? "none"
          : c.choice.value === ToolChoiceMode.REQUIRED
            ? "required"
            : undefined;
    case "function":
      if (!c.choice.value) throw invalidRequest("tools.choice.function", "must name a tool");
      return { name: c.choice.value };
    default:
      return undefined;
  }
}

/** The request options beyond sampling, tools and cache: onto the core's request. */
export function addRequestOptions(req: CompleteRequest | StreamCompleteRequest, out: ChatRequest): void {
  if (req.tools) {
    const choice = toToolChoice(req.tools.choice);
    if (choice) out.toolChoice = choice;
    if (req.tools.parallelToolCalls !== undefined) out.parallelToolCalls = req.tools.parallelToolCalls;
  }
  const f = req.responseFormat?.format;
  if (f?.case === "jsonObject") out.responseFormat = { type: "json_object" };
  else if (f?.case === "jsonSchema") {
    const { name, description, schemaJson, strict } = f.value;
    out.responseFormat = { type: "json_schema", name, schemaJson, strict, ...(description ? { description } : {}) };
  }
  if (req.reasoning) {
    const effort = EFFORTS[req.reasoning.effort];
    if (effort || req.reasoning.budgetTokens > 0) {
      out.reasoning = {};
      if (effort) out.reasoning.effort = effort;
      if (req.reasoning.budgetTokens > 0) out.reasoning.budgetTokens = req.reasoning.budgetTokens;
    }
  }
  if (req.presencePenalty !== undefined) out.presencePenalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) out.frequencyPenalty = req.frequencyPenalty;
  if (req.logprobs) out.logprobs = true;
  if (req.topLogprobs !== undefined) out.topLogprobs = req.topLogprobs;
  if (req.serviceTier) out.serviceTier = req.serviceTier;
  if (req.promptCacheKey) out.promptCacheKey = req.promptCacheKey;
  if (req.extraBody && Object.keys(req.extraBody).length > 0) out.extraBody = req.extraBody;
}

const bytesField = (b: number[] | undefined) => (b ? new Uint8Array(b) : new Uint8Array());

export function toTokenLogprobs(logprobs: readonly TokenLogprob[]): TokenLogprobMessage[] {
  return logprobs.map((l) =>
    create(TokenLogprobSchema, {
      token: l.token,
      logprob: l.logprob,
      bytes: bytesField(l.bytes),
      topLogprobs: l.topLogprobs.map((t) => ({ token: t.token, logprob: t.logprob, bytes: bytesField(t.bytes) })),
    }),
  );
}
