import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import type { ProviderChunk } from "../../providers/provider.js";
import { answer, resultOf, type Script, setup } from "./attempts.fixtures.js";

const SCHEMA = JSON.stringify({
  type: "object",
  properties: { city: { type: "string" }, population: { type: "integer" } },
  required: ["city", "population"],
  additionalProperties: false,
});
const jsonSchema = { responseFormat: { type: "json_schema" as const, name: "city", schemaJson: SCHEMA, strict: true } };

const chunks = (list: ProviderChunk[]): Script =>
  async function* () {
    yield* list;
  };

describe("attempts: what an answer carries beyond text", () => {
  it("streams reasoning as its own events before the text, and keeps it out of the answer's text", async () => {
    const { run } = setup({
      p1: [
        chunks([
          { type: "started" },
          { type: "reasoning", text: "Think " },
          { type: "reasoning", text: "first." },
          { type: "delta", text: "Answer." },
          {
            type: "end",
            finishReason: "stop",
            model: "m1",
            reasoningSignature: "sig-1",
            usage: { inputTokens: 5, outputTokens: 9, reasoningTokens: 4 },
          },
        ]),
      ],
      p2: [],
    });
    const { events, error } = await run();
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === "reasoning" || e.type === "delta")).toEqual([
      { type: "reasoning", text: "Think " },
      { type: "reasoning", text: "first." },
      { type: "delta", text: "Answer." },
    ]);
    const result = resultOf(events);
    expect(result.message).toMatchObject({ content: "Answer.", reasoning: "Think first.", reasoningSignature: "sig-1" });
    expect(result.usage).toMatchObject({ reasoningTokens: 4, outputTokens: 9 });
  });

  it("collects logprobs from each delta into the result", async () => {
    const lp = (token: string) => ({ token, logprob: -0.5, topLogprobs: [] });
    const { run } = setup({
      p1: [
        chunks([
          { type: "started" },
          { type: "delta", text: "Hi", logprobs: [lp("Hi")] },
          { type: "delta", text: " there", logprobs: [lp(" there")] },
          { type: "end", finishReason: "stop", model: "m1" },
        ]),
      ],
      p2: [],
    });
    const { events } = await run();
    expect(resultOf(events).logprobs?.map((l) => l.token)).toEqual(["Hi", " there"]);
    expect(events.find((e) => e.type === "delta")).toMatchObject({ logprobs: [lp("Hi")] });
  });

  it("passes an answer that conforms to the schema asked for", async () => {
    const { run } = setup({ p1: [answer(['{"city":"Oslo",', '"population":709000}'])], p2: [] }, { request: jsonSchema });
    const { events, error } = await run();
    expect(error).toBeUndefined();
    expect(JSON.parse(resultOf(events).message.content)).toEqual({ city: "Oslo", population: 709000 });
  });

  it("collected: a non-conforming answer is never passed off; the next deployment's conforming answer is", async () => {
    const { run, verdicts } = setup(
      { p1: [answer(['{"city":"Oslo"}'])], p2: [answer(['{"city":"Oslo","population":709000}'])] },
      { request: jsonSchema, buffered: true },
    );
    const { events, error } = await run();
    expect(error).toBeUndefined();
    const result = resultOf(events);
    expect(result.provider).toBe("p2");
    expect(result.attempts.map((a) => [a.provider, a.errorReason])).toEqual([
      ["p1", "INVALID_OUTPUT"],
      ["p2", undefined],
    ]);
    // The model's failure, not the deployment's health: no breaker counts it.
    expect(verdicts.filter((v) => v.endsWith(":failure"))).toEqual([]);
  });

  it("an answer not passed on is paid for all the same: the result's usage and cost count it", async () => {
    const costly = chunks([
      { type: "started" },
      { type: "delta", text: '{"city":"Oslo"}' },
      { type: "end", finishReason: "stop", model: "m1", usage: { inputTokens: 1000, outputTokens: 4000 } },
    ]);
    const { run } = setup({ p1: [costly], p2: [answer(['{"city":"Oslo","population":1}'])] }, { request: jsonSchema, buffered: true });
    const result = resultOf((await run()).events);
    // p1 at 1 / 2 per million for 1000 in and 4000 out; p2 at 10 / 20 for its own 3 in and 2 out.
    expect(result.usage).toMatchObject({ inputTokens: 1003, outputTokens: 4002 });
    expect(result.costUsd).toBeCloseTo((1000 * 1 + 4000 * 2 + 3 * 10 + 2 * 20) / 1e6, 12);
  });

  it("a call where no answer conformed says what its answers cost, so that its budget settles to it", async () => {
    const { run } = setup({ p1: [answer(["no"])], p2: [answer(["nope"])] }, { request: jsonSchema, buffered: true });
    const { error } = await run();
    expect(error?.reason).toBe("INVALID_OUTPUT");
    expect(Number(error?.metadata["spent_usd"])).toBeCloseTo((3 * 1 + 2 * 2 + 3 * 10 + 2 * 20) / 1e6, 12);
  });

  it("an answer cut at max_tokens is not asked for again: it would be cut again", async () => {
    const cut = chunks([
      { type: "started" },
      { type: "delta", text: '{"city":"Os' },
      { type: "end", finishReason: "length", model: "m1", usage: { inputTokens: 3, outputTokens: 100 } },
    ]);
    const { run, p2 } = setup({ p1: [cut], p2: [answer(['{"city":"Oslo","population":1}'])] }, { request: jsonSchema, buffered: true });
    const { error } = await run();
    expect(error?.reason).toBe("INVALID_OUTPUT");
    expect(error?.message).toContain("cut at max_tokens (100)");
    expect(p2.signals).toHaveLength(0);
  });

  it("streamed reasoning counts as delivered: a failure after it is STREAM_INTERRUPTED, never a silent switch", async () => {
    const thinksThenFails = chunks([{ type: "started" }, { type: "reasoning", text: "[p1 thinking]" }]);
    const failing: Script = async function* (signal) {
      yield* thinksThenFails(signal);
      throw new GatewayError("UPSTREAM_UNAVAILABLE", "gone");
    };
    const { run, p2 } = setup({ p1: [failing], p2: [answer(["p2 answer"])] });
    const { events, error } = await run();
    expect(events.some((e) => e.type === "reasoning")).toBe(true);
    expect(error?.reason).toBe("STREAM_INTERRUPTED");
    expect(p2.signals).toHaveLength(0);
  });

  it("collected: when no attempt conforms, the call fails INVALID_OUTPUT saying why", async () => {
    const { run } = setup(
      { p1: [answer(["not json"])], p2: [answer(['{"city":1,"population":2}'])] },
      { request: jsonSchema, buffered: true },
    );
    const { error } = await run();
    expect(error?.reason).toBe("INVALID_OUTPUT");
    expect(error?.message).toContain("/city must be string");
  });

  it("streamed: the text already sent ends with INVALID_OUTPUT instead of a completion", async () => {
    const { run } = setup(
      { p1: [answer(['{"city":', '"Oslo"}'])], p2: [answer(['{"city":"Oslo","population":1}'])] },
      { request: jsonSchema },
    );
    const { events, error } = await run();
    expect(events.filter((e) => e.type === "delta").length).toBe(2);
    expect(events.some((e) => e.type === "done")).toBe(false);
    expect(error?.reason).toBe("INVALID_OUTPUT");
    expect(error?.message).toContain("population");
  });

  it("json_object: any JSON object passes, anything else does not", async () => {
    const ok = setup({ p1: [answer(['{"a":[1,2]}'])], p2: [] }, { request: { responseFormat: { type: "json_object" } }, buffered: true });
    expect((await ok.run()).error).toBeUndefined();
    const array = setup(
      { p1: [answer(["[1,2]"])], p2: [answer(["[3]"])] },
      { request: { responseFormat: { type: "json_object" } }, buffered: true },
    );
    expect((await array.run()).error?.message).toContain("not an object");
  });

  it("an answer that calls tools is not checked against the format", async () => {
    const { run } = setup(
      {
        p1: [
          chunks([
            { type: "started" },
            { type: "progress" },
            { type: "end", finishReason: "tool_calls", model: "m1", toolCalls: [{ id: "c1", name: "lookup", argumentsJson: "{}" }] },
          ]),
        ],
        p2: [],
      },
      { request: jsonSchema, buffered: true },
    );
    const { events, error } = await run();
    expect(error).toBeUndefined();
    expect(resultOf(events).finishReason).toBe("tool_calls");
  });
});
