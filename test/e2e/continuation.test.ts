import Anthropic from "@anthropic-ai/sdk";
import { ConnectError, createClient } from "@connectrpc/connect";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { type Completion, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { CONTINUE_INSTRUCTION } from "../../src/pipeline/attempts/continuation.js";
import { answerFor, partialAnswerIn } from "../support/fake-continuation.js";
import type { RecordedRequest } from "../support/fake-upstream.js";
import { dualDeployments, startHarness, type Harness } from "../support/harness.js";

/*
 * A stream cut after its first text, continued on the other deployment, through the real clients of each
 * face: the OpenAI SDK on the REST face, a gRPC client, the Anthropic SDK on the Messages face. The fake
 * upstream cuts the first attempt after a few words; the second gets the partial answer and, like a real
 * model, answers the rest starting a couple of words early. The caller must read exactly the whole text.
 */

const FULL = "The quick brown fox jumps over the lazy dog, and then it runs far away into the green woods.";
const CUT_AFTER = 3;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    extraModels: [
      // Anthropic first, then the OpenAI-format fake: the continuation is asked by instruction, not prefill.
      { name: "dual-reversed", deployments: [...dualDeployments].reverse() },
      { name: "dual-whole", deployments: dualDeployments, continueStreams: false },
    ],
  });
});
afterAll(() => h.close());

/** The first request of a call is cut after CUT_AFTER words; a continuation gets the rest, two words early. */
function cutThenContinue(): RecordedRequest[] {
  const seen: RecordedRequest[] = [];
  h.upstream.setScript((req) => {
    seen.push(req);
    if (partialAnswerIn(req.body) === undefined) return { text: FULL, abortAfterChunks: CUT_AFTER };
    return { text: answerFor(req.body, FULL, 2) };
  });
  return seen;
}
beforeEach(() => h.upstream.setScript(undefined));

describe("continuing a cut stream", () => {
  it("REST through the openai SDK: the text is whole, once, and the last chunk says it was continued", async () => {
    const seen = cutThenContinue();
    const sdk = new OpenAI({ apiKey: "unused", baseURL: `${h.httpUrl}/v1`, maxRetries: 0 });
    const stream = await sdk.chat.completions.create({
      model: "dual",
      messages: [{ role: "user", content: "Tell me about the fox." }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let extras: Record<string, unknown> | undefined;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      const gw = (chunk as unknown as { llm_gateway?: Record<string, unknown> }).llm_gateway;
      if (gw) extras = gw;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(FULL);
    expect(extras).toMatchObject({ provider: "fake-anthropic", continued: true });
    // The Anthropic deployment was asked by prefill: the partial answer, without its trailing space, last.
    expect(seen).toHaveLength(2);
    const messages = seen[1]!.body["messages"] as { role: string; content: unknown }[];
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "The quick brown" });
    // Both attempts' output: the Anthropic fake's for its continuation and the counted words before the cut.
    expect(usage?.completion_tokens).toBeGreaterThan(answerFor(seen[1]!.body, FULL, 2).split(" ").length);
  });

  it("gRPC: the completion lists both attempts, marks the continuation, and bills both", async () => {
    cutThenContinue();
    const client = createClient(CompletionService, h.rpcTransport());
    let text = "";
    let completion: Completion | undefined;
    for await (const e of client.streamComplete({ model: "dual", messages: [{ role: Role.USER, content: "Tell me." }] })) {
      if (e.event.case === "delta") text += e.event.value.text;
      if (e.event.case === "completion") completion = e.event.value;
    }
    expect(text).toBe(FULL);
    expect(completion?.message?.content).toBe(FULL);
    expect(completion?.attempts.map((a) => [a.provider, a.errorReason, a.continuation])).toEqual([
      ["fake-openai", "STREAM_INTERRUPTED", false],
      ["fake-anthropic", "", true],
    ]);
    expect(completion?.usage?.estimated).toBe(true);
    // More than the continuation alone costs at the Anthropic deployment's prices: the cut attempt is billed too.
    const continuationOnly = (13 * 3 + 3 * 0.3 + 2 * 3.75 + 14 * 15) / 1e6;
    expect(completion?.costUsd).toBeGreaterThan(continuationOnly);
  });

  it("the Anthropic face through @anthropic-ai/sdk, continued on an OpenAI-format deployment by instruction", async () => {
    const seen = cutThenContinue();
    const anthropic = new Anthropic({ apiKey: "unused", baseURL: h.httpUrl, maxRetries: 0 });
    const stream = anthropic.messages.stream({
      model: "dual-reversed",
      max_tokens: 200,
      messages: [{ role: "user", content: "Tell me." }],
    });
    let text = "";
    stream.on("text", (t) => (text += t));
    const message = await stream.finalMessage();
    expect(text).toBe(FULL);
    expect(message.content).toEqual([expect.objectContaining({ type: "text", text: FULL })]);
    const messages = seen[1]!.body["messages"] as { role: string; content: unknown }[];
    expect(messages.slice(-2)).toEqual([
      { role: "assistant", content: "The quick brown " },
      { role: "user", content: CONTINUE_INSTRUCTION },
    ]);
  });

  it("an error event mid-stream (OpenAI's server_error) is continued like a cut", async () => {
    const chunk = (content: string) => ({
      id: "chatcmpl-fake",
      object: "chat.completion.chunk",
      created: 0,
      model: "gpt-4o-mini",
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
    });
    const seen: RecordedRequest[] = [];
    h.upstream.setScript((req) => {
      seen.push(req);
      if (partialAnswerIn(req.body) !== undefined) return { text: answerFor(req.body, FULL, 1) };
      return { rawEvents: [chunk("The "), chunk("quick "), { error: { message: "The server had an error", type: "server_error" } }] };
    });
    const client = createClient(CompletionService, h.rpcTransport());
    let text = "";
    let completion: Completion | undefined;
    for await (const e of client.streamComplete({ model: "dual", messages: [{ role: Role.USER, content: "Tell me." }] })) {
      if (e.event.case === "delta") text += e.event.value.text;
      if (e.event.case === "completion") completion = e.event.value;
    }
    expect(text).toBe(FULL);
    expect(completion?.attempts[0]?.errorMessage).toContain("server had an error");
    expect(completion?.attempts[1]?.continuation).toBe(true);
  });

  it("a model with continueStreams off ends the cut stream with STREAM_INTERRUPTED, as before", async () => {
    cutThenContinue();
    const client = createClient(CompletionService, h.rpcTransport());
    let text = "";
    const err = await (async () => {
      for await (const e of client.streamComplete({ model: "dual-whole", messages: [{ role: Role.USER, content: "Tell me." }] }))
        if (e.event.case === "delta") text += e.event.value.text;
    })().catch((e: unknown) => ConnectError.from(e));
    expect(text).toBe("The quick brown ");
    const info = (err as ConnectError).findDetails(ErrorInfoSchema)[0];
    expect(info?.reason).toBe("STREAM_INTERRUPTED");
    expect(info?.metadata["not_continued"]).toContain("continuation is off");
  });
});
