import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role, type Completion } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const messages = [{ role: Role.USER, content: "Hello browser" }];

describe("the browser listener (HTTP/1.1)", () => {
  it("answers Connect JSON posted by plain HTTP, as curl would", async () => {
    const res = await fetch(`${h.httpUrl}/llmgateway.v1.CompletionService/Complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "local-echo", messages: [{ role: "ROLE_USER", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    const body = (await res.json()) as { completion: { provider: string; message: { content: string }; finishReason: string } };
    expect(body.completion.provider).toBe("local");
    expect(body.completion.message.content).toContain("You said: hi");
    expect(body.completion.finishReason).toBe("FINISH_REASON_STOP");
  });

  it("returns Connect JSON errors with the code and ErrorInfo", async () => {
    const res = await fetch(`${h.httpUrl}/llmgateway.v1.CompletionService/Complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "nope", messages: [{ role: "ROLE_USER", content: "hi" }] }),
    });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { code: string; details: { type: string; debug: { reason: string } }[] };
    expect(body.code).toBe("not_found");
    expect(body.details[0]).toMatchObject({ type: "google.rpc.ErrorInfo", debug: { reason: "MODEL_NOT_FOUND" } });
  });

  it("streams over the Connect protocol with JSON", async () => {
    const client = createClient(
      CompletionService,
      createConnectTransport({ baseUrl: h.httpUrl, httpVersion: "1.1", useBinaryFormat: false }),
    );
    h.upstream.enqueue({ text: "streamed over connect" });
    const events: string[] = [];
    let text = "";
    for await (const e of client.streamComplete({ model: "gpt-test", messages })) {
      events.push(e.event.case ?? "");
      if (e.event.case === "delta") text += e.event.value.text;
    }
    // Deltas, then one completion; words that arrived together may travel as one delta.
    expect(events.at(-1)).toBe("completion");
    expect(new Set(events.slice(0, -1))).toEqual(new Set(["delta"]));
    expect(text).toBe("streamed over connect");
  });

  it("streams over gRPC-Web, as a browser's connect-web transport does", async () => {
    const client = createClient(CompletionService, createGrpcWebTransport({ baseUrl: h.httpUrl, httpVersion: "1.1" }));
    h.upstream.enqueue({ text: "grpc web works" });
    let text = "";
    let final: Completion | undefined;
    for await (const e of client.streamComplete({ model: "gpt-test", messages })) {
      if (e.event.case === "delta") text += e.event.value.text;
      else if (e.event.case === "completion") final = e.event.value;
    }
    expect(text).toBe("grpc web works");
    expect(final?.provider).toBe("fake-openai");
  });

  it("sends typed errors over gRPC-Web too", async () => {
    const client = createClient(CompletionService, createGrpcWebTransport({ baseUrl: h.httpUrl, httpVersion: "1.1" }));
    const err = await client.complete({ model: "gpt-test", messages: [] }).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect((err as ConnectError).findDetails(ErrorInfoSchema)[0]?.reason).toBe("INVALID_REQUEST");
  });

  it("lists models, with the local one labelled as such", async () => {
    const client = createClient(CompletionService, createConnectTransport({ baseUrl: h.httpUrl, httpVersion: "1.1" }));
    const res = await client.listModels({});
    expect(res.defaultModel).toBe("gpt-test");
    expect(res.models.map((m) => [m.name, m.provider, m.local])).toEqual([
      ["gpt-test", "fake-openai", false],
      ["claude-test", "fake-anthropic", false],
      ["local-echo", "local", true],
      ["no-stream", "fake-openai", false],
      ["dual", "fake-openai", false],
      ["hedged", "fake-openai", false],
      ["tiny", "fake-openai", false],
      ["gpt-sdk", "fake-openai-sdk", false],
      ["gpt-native", "fake-openai-native", false],
    ]);
    expect(res.models[0]).toMatchObject({ aliases: ["fast"], inputPricePerMillion: 1, outputPricePerMillion: 2 });
  });

  it("counts tokens exactly for OpenAI models and says when it estimates", async () => {
    const client = createClient(CompletionService, createConnectTransport({ baseUrl: h.httpUrl, httpVersion: "1.1" }));
    const exact = await client.countTokens({ model: "gpt-test", messages: [{ role: Role.USER, content: "Hello world" }] });
    // "Hello world" is 2 tokens in o200k_base, plus 3 per message and 3 to prime the reply.
    expect(exact).toMatchObject({ inputTokens: 8n, estimated: false, tokenizer: "o200k_base", model: "gpt-test" });
    const estimate = await client.countTokens({ model: "claude-test", messages: [{ role: Role.USER, content: "Hello world" }] });
    expect(estimate).toMatchObject({ estimated: true, tokenizer: "estimate:o200k_base" });
  });

  it("answers CORS preflights for allowed origins only", async () => {
    const preflight = (origin: string) =>
      fetch(`${h.httpUrl}/llmgateway.v1.CompletionService/StreamComplete`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-grpc-web" },
      });
    const ok = await preflight("http://playground.test");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://playground.test");
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/x-grpc-web/i);
    const denied = await preflight("http://evil.test");
    expect(denied.status).toBe(403);
  });
});
