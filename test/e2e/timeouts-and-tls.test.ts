import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { CompleteRequestSchema, CompletionService, type CompleteResponse } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role, type Completion } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { errorDetails, grpcClient, unary } from "../support/grpc-client.js";
import { startHarness } from "../support/harness.js";

const ask = (model: string) => create(CompleteRequestSchema, { model, messages: [{ role: Role.USER, content: "hi" }] });

describe("provider timeouts", () => {
  it.each(["gpt-test", "claude-test"])("gives up on a slow first byte at the provider's own timeout (%s)", async (model) => {
    const h = await startHarness({ providerTimeoutMs: 150 });
    const client = grpcClient(CompletionService, h.grpcAddress);
    h.upstream.enqueue({ firstByteDelayMs: 1000 });
    const started = Date.now();
    const err = (await unary(client, "complete", ask(model)).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(Date.now() - started).toBeLessThan(900);
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(errorDetails(err).errorInfo).toMatchObject({ reason: "UPSTREAM_TIMEOUT", metadata: { timeout_ms: "150" } });
    await h.upstream.waitForAbort(0);
    client.close();
    await h.close();
  });

  it("lets a slow first byte through when it is within every limit", async () => {
    const h = await startHarness({ providerTimeoutMs: 2000 });
    const client = grpcClient(CompletionService, h.grpcAddress);
    h.upstream.enqueue({ firstByteDelayMs: 200, text: "late but fine" });
    const res = await unary<CompleteResponse>(client, "complete", ask("gpt-test"), { deadline: Date.now() + 5000 });
    expect(res.completion?.message?.content).toBe("late but fine");
    expect(res.completion!.latencyMs).toBeGreaterThanOrEqual(200);
    // Waiting on the provider is not the gateway's overhead.
    expect(res.completion!.gatewayOverheadMs).toBeLessThan(100);
    client.close();
    await h.close();
  });
});

describe("first-token timeout", () => {
  it("gives up on a stream with no first token in time, and falls over to the next deployment", async () => {
    const h = await startHarness({ firstTokenTimeoutMs: 150 });
    const client = createClient(CompletionService, h.rpcTransport());
    h.upstream.enqueue({ firstByteDelayMs: 2_000 }, { text: "fallback was quick" });
    let text = "";
    let final: Completion | undefined;
    for await (const e of client.streamComplete({ model: "dual", messages: [{ role: Role.USER, content: "hi" }] })) {
      if (e.event.case === "delta") text += e.event.value.text;
      else if (e.event.case === "completion") final = e.event.value;
    }
    expect(text).toBe("fallback was quick");
    expect(final?.attempts[0]).toMatchObject({ provider: "fake-openai", errorReason: "UPSTREAM_TIMEOUT" });
    expect(final?.attempts[0]?.errorMessage).toContain("no first token within 150 ms");
    await h.close();
  });

  it("does not cut a stream whose tokens are slow after the first", async () => {
    const h = await startHarness({ firstTokenTimeoutMs: 150 });
    const client = createClient(CompletionService, h.rpcTransport());
    h.upstream.enqueue({ text: "a b c d", chunkDelayMs: 100 });
    let text = "";
    for await (const e of client.streamComplete({ model: "gpt-test", messages: [{ role: Role.USER, content: "hi" }] })) {
      if (e.event.case === "delta") text += e.event.value.text;
    }
    expect(text).toBe("a b c d");
    await h.close();
  });
});

describe("TLS", () => {
  it("serves gRPC over TLS when a certificate is configured", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-tls-"));
    const certFile = join(dir, "cert.pem");
    const keyFile = join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout",
        keyFile,
        "-out",
        certFile,
      ],
      { stdio: "ignore" },
    );
    const h = await startHarness({ server: { tls: { certFile, keyFile } } });
    const tlsClient = grpcClient(CompletionService, h.grpcAddress, grpc.credentials.createSsl(readFileSync(certFile)));
    const res = await unary<CompleteResponse>(tlsClient, "complete", ask("local-echo"));
    expect(res.completion?.provider).toBe("local");
    // A plaintext client cannot talk to the TLS listener.
    const plain = grpcClient(CompletionService, h.grpcAddress);
    const err = (await unary(plain, "complete", ask("local-echo"), { deadline: Date.now() + 2000 }).catch(
      (e: unknown) => e,
    )) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    tlsClient.close();
    plain.close();
    await h.close();
  });
});
