import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

const run = promisify(execFile);
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** Runs the real buf CLI with no local protos: everything it knows comes from reflection. */
async function bufCurl(...args: string[]): Promise<string> {
  const { stdout } = await run("node_modules/.bin/buf", ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args], {
    timeout: 15_000,
  });
  return stdout;
}

describe("gRPC server reflection through buf curl", () => {
  it("lists every service", async () => {
    const out = await bufCurl("--list-services", h.grpcUrl);
    expect(out.trim().split("\n").sort()).toEqual([
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "llmgateway.v1.AdminService",
      "llmgateway.v1.CacheService",
      "llmgateway.v1.CompletionService",
      "llmgateway.v1.EmbeddingService",
      "llmgateway.v1.HealthService",
      "llmgateway.v1.KeyService",
      "llmgateway.v1.SessionService",
      "llmgateway.v1.ToolService",
    ]);
  });

  it("lists every method", async () => {
    const out = await bufCurl("--list-methods", h.grpcUrl);
    expect(out.trim().split("\n")).toEqual(
      expect.arrayContaining([
        "llmgateway.v1.CompletionService/Complete",
        "llmgateway.v1.CompletionService/StreamComplete",
        "llmgateway.v1.CompletionService/CountTokens",
        "llmgateway.v1.CompletionService/ListModels",
        "llmgateway.v1.EmbeddingService/Embed",
        "llmgateway.v1.HealthService/Watch",
        "grpc.health.v1.Health/List",
      ]),
    );
  });

  it("calls a method with JSON it encodes from the reflected schema", async () => {
    const out = await bufCurl(
      "-d",
      JSON.stringify({ model: "local-echo", messages: [{ role: "ROLE_USER", content: "via reflection" }] }),
      `${h.grpcUrl}/llmgateway.v1.CompletionService/Complete`,
    );
    const body = JSON.parse(out) as { completion: { message: { content: string }; provider: string } };
    expect(body.completion.provider).toBe("local");
    expect(body.completion.message.content).toContain("via reflection");
  });

  it("streams, and checks grpc.health.v1", async () => {
    const out = await bufCurl(
      "-d",
      '{"messages":[{"role":"ROLE_USER","content":"x"}],"maxTokens":3}',
      `${h.grpcUrl}/llmgateway.v1.CompletionService/StreamComplete`,
    );
    expect(out).toContain('"delta"');
    expect(out).toContain('"completion"');
    const health = await bufCurl(`${h.grpcUrl}/grpc.health.v1.Health/Check`);
    expect(JSON.parse(health)).toEqual({ status: "SERVING" });
  });

  it("serves the descriptors of google.rpc.ErrorInfo and Status, which every error carries", async () => {
    const out = await bufCurl(
      "-d",
      JSON.stringify({ fileContainingSymbol: "google.rpc.ErrorInfo" }),
      `${h.grpcUrl}/grpc.reflection.v1.ServerReflection/ServerReflectionInfo`,
    );
    const files = (JSON.parse(out) as { fileDescriptorResponse: { fileDescriptorProto: string[] } }).fileDescriptorResponse
      .fileDescriptorProto;
    expect(files.map((b) => Buffer.from(b, "base64").toString("latin1")).join()).toContain("google/rpc/error_details.proto");
  });
});

describe("grpcurl with reflection alone", () => {
  it("decodes an error's ErrorInfo", async () => {
    const grpcurl = process.env["GRPCURL"] ?? `${homedir()}/go/bin/grpcurl`;
    // Installed by scripts/setup.sh; a machine without it cannot prove this.
    expect(existsSync(grpcurl), `${grpcurl} (go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4)`).toBe(true);
    const failed = await run(
      grpcurl,
      [
        "-plaintext",
        "-d",
        JSON.stringify({ model: "no-such-model", messages: [{ role: "ROLE_USER", content: "x" }] }),
        h.grpcAddress,
        "llmgateway.v1.CompletionService/Complete",
      ],
      { timeout: 15_000 },
    ).then(
      () => "",
      (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
    );
    expect(failed).toContain("NotFound");
    expect(failed).toContain("type.googleapis.com/google.rpc.ErrorInfo");
    expect(failed).toContain("MODEL_NOT_FOUND");
    expect(failed).not.toContain("not recognized");
  });
});
