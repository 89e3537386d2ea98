import { Code, ConnectError, createClient } from "@connectrpc/connect";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { EmbeddingService } from "../../gen/ts/llmgateway/v1/embedding_service_pb.js";
import { embeddingModels } from "../support/embedding-models.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    extraModels: embeddingModels,
    server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, maxMessageBytes: 64 * 1024 },
  });
});
afterAll(() => h.close());

const inputs = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ input: { case: "text" as const, value: `${tag} ${i}` } }));

describe("vectors too many for one gRPC message (server.maxMessageBytes)", () => {
  it("are refused before any provider is asked when the model's size is known, naming inputs and how many fit", async () => {
    const before = h.upstream.requests.length;
    const err = ConnectError.from(
      await createClient(EmbeddingService, h.rpcTransport())
        .embed({ model: "embed-small", inputs: inputs(100, "known") })
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.findDetails(ErrorInfoSchema)[0]?.metadata["field"]).toBe("inputs");
    expect(err.rawMessage).toMatch(/send at most 62 inputs per call, or use POST \/v1\/embeddings/);
    expect(h.upstream.requests.length).toBe(before);
    // Fewer fit; and the REST face has no such bound.
    const ok = await createClient(EmbeddingService, h.rpcTransport()).embed({ model: "embed-small", inputs: inputs(62, "fits") });
    expect(ok.embeddings).toHaveLength(62);
    const rest = await new OpenAI({ apiKey: "unused", baseURL: `${h.httpUrl}/v1`, maxRetries: 0 }).embeddings.create({
      model: "embed-small",
      input: inputs(100, "rest").map((i) => i.input.value),
    });
    expect(rest.data).toHaveLength(100);
  });

  it("are refused with the same words after the answer when the catalogue does not say the model's size", async () => {
    const err = ConnectError.from(
      await createClient(EmbeddingService, h.rpcTransport())
        .embed({ model: "embed-dual", inputs: inputs(100, "unknown") })
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toMatch(/100 vectors of 256 values .* send at most 62 inputs/);
  });
});
