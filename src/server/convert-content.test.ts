import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CompleteRequestSchema } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { ReasoningEffort, Role, ToolChoiceMode } from "../../gen/ts/llmgateway/v1/types_pb.js";
import type { GatewayError } from "../core/errors.js";
import { toChatRequest, toMessage } from "./convert.js";

const pdf = new TextEncoder().encode("%PDF-1.4");

describe("the contract beyond text, both ways", () => {
  it("carries parts, cache control, tool choice, formats, reasoning and options into the core's request", () => {
    const r = toChatRequest(
      create(CompleteRequestSchema, {
        model: "m",
        messages: [
          { role: Role.SYSTEM, content: "be brief", cacheControl: { ttl: "1h" } },
          {
            role: Role.USER,
            content: "first",
            parts: [
              { part: { case: "image", value: { url: "https://x/y.png", detail: "low" } } },
              { part: { case: "file", value: { data: pdf, mediaType: "application/pdf", filename: "a.pdf" } }, cacheControl: {} },
            ],
          },
        ],
        tools: {
          definitions: [{ name: "f", parametersJson: "{}", strict: true, cacheControl: { ttl: "5m" } }],
          choice: { choice: { case: "function", value: "f" } },
          parallelToolCalls: false,
        },
        responseFormat: { format: { case: "jsonSchema", value: { name: "n", schemaJson: '{"type":"object"}', strict: true } } },
        reasoning: { effort: ReasoningEffort.HIGH, budgetTokens: 2048 },
        presencePenalty: 0.5,
        logprobs: true,
        topLogprobs: 3,
        serviceTier: "flex",
        promptCacheKey: "k",
        extraBody: { top_k: 40, options: { num_ctx: 8192 } },
      }),
    );
    expect(r.messages[0]).toEqual({ role: "system", content: "be brief", cacheControl: { ttl: "1h" } });
    // Content beside parts becomes their first text part; content is the text parts joined.
    expect(r.messages[1]).toEqual({
      role: "user",
      content: "first",
      parts: [
        { type: "text", text: "first" },
        { type: "image", url: "https://x/y.png", detail: "low" },
        { type: "file", data: Buffer.from(pdf).toString("base64"), mediaType: "application/pdf", filename: "a.pdf", cacheControl: {} },
      ],
    });
    expect(r.tools?.definitions[0]).toEqual({
      name: "f",
      description: "",
      parametersJson: "{}",
      strict: true,
      cacheControl: { ttl: "5m" },
    });
    expect(r).toMatchObject({
      toolChoice: { name: "f" },
      parallelToolCalls: false,
      responseFormat: { type: "json_schema", name: "n", schemaJson: '{"type":"object"}', strict: true },
      reasoning: { effort: "high", budgetTokens: 2048 },
      presencePenalty: 0.5,
      logprobs: true,
      topLogprobs: 3,
      serviceTier: "flex",
      promptCacheKey: "k",
      extraBody: { top_k: 40, options: { num_ctx: 8192 } },
    });
    expect(r.frequencyPenalty).toBeUndefined();
  });

  it("reads a tool choice mode", () => {
    const r = toChatRequest(
      create(CompleteRequestSchema, {
        messages: [{ role: Role.USER, content: "x" }],
        tools: { names: ["calc"], choice: { choice: { case: "mode", value: ToolChoiceMode.REQUIRED } } },
      }),
    );
    expect(r.toolChoice).toBe("required");
  });

  it.each([
    [{ part: { case: "image" as const, value: {} } }, "messages[0].parts[0].image"],
    [{ part: { case: "image" as const, value: { data: pdf } } }, "messages[0].parts[0].image.media_type"],
    [{ part: { case: "file" as const, value: { url: "https://x/a.pdf", fileId: "f" } } }, "messages[0].parts[0].file"],
    [{ part: { case: "audio" as const, value: { data: pdf, format: "ogg" } } }, "messages[0].parts[0].audio.format"],
    [{ part: { case: undefined } }, "messages[0].parts[0]"],
    [{ part: { case: "text" as const, value: "x" }, cacheControl: { ttl: "2h" } }, "messages[0].parts[0].cache_control.ttl"],
  ])("refuses a malformed part, naming it (%#)", (part, field) => {
    let error: GatewayError | undefined;
    try {
      toChatRequest(create(CompleteRequestSchema, { messages: [{ role: Role.USER, parts: [part] }] }));
    } catch (err) {
      error = err as GatewayError;
    }
    expect([error?.reason, error?.metadata["field"]]).toEqual(["INVALID_REQUEST", field]);
  });

  it("gives back an answer's reasoning and a message's parts", () => {
    const m = toMessage({
      role: "user",
      content: "see",
      parts: [
        { type: "text", text: "see" },
        { type: "image", data: "iVBORw==", mediaType: "image/png" },
      ],
    });
    expect(m.parts.map((p) => p.part.case)).toEqual(["text", "image"]);
    expect(m.parts[1]?.part.value).toMatchObject({ data: new Uint8Array(Buffer.from("iVBORw==", "base64")), mediaType: "image/png" });
    const a = toMessage({ role: "assistant", content: "42", reasoning: "thought", reasoningSignature: "sig" });
    expect([a.reasoning, a.reasoningSignature, a.parts.length]).toEqual(["thought", "sig", 0]);
  });
});
