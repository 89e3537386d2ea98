import { execFile } from "node:child_process";
import { createClient, ConnectError, Code } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { loadConfig, validateConfig } from "../../src/config/load.js";
import type { RunningServer } from "../../src/server/server.js";
import { silentLogger } from "../../src/log.js";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role, type Completion } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { bearer, digest } from "../support/auth.js";

/**
 * The generated clients of every language against one running gateway: the
 * embedded default (local model, memory stores) on port 0, with one API key.
 */
const KEY = "sk-clients-test";
let server: RunningServer;
beforeAll(async () => {
  const base = loadConfig({ env: { LLM_GATEWAY_HOST: "127.0.0.1", LLM_GATEWAY_GRPC_PORT: "0", LLM_GATEWAY_HTTP_PORT: "0" } });
  // Beside the embedded default's local-echo, the same local model configured to take images and
  // response formats: it echoes the text, so a JSON format is asked of a model that will not conform.
  const localAll = { name: "local-all", provider: "local", capabilities: { vision: true, jsonMode: true } };
  const config = validateConfig(
    { ...base, models: [...base.models, localAll], auth: { tenants: [{ name: "clients", keys: [{ sha256: digest(KEY) }] }] } },
    {},
  );
  server = await createApp(config, { logger: silentLogger, env: {} }).start();
});
afterAll(() => server.close());

const root = new URL("../../", import.meta.url).pathname;
const envFor = () => ({
  ...process.env,
  LLMGW_GRPC_ADDR: `127.0.0.1:${server.grpcPort}`,
  LLMGW_HTTP_URL: `http://127.0.0.1:${server.httpPort}`,
  LLMGW_API_KEY: KEY,
});

function run(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd, env: { ...envFor(), ...extraEnv }, timeout: 240_000, maxBuffer: 10 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}\n${stderr}` });
      },
    );
  });
}

describe("generated clients against a running gateway", () => {
  it("TypeScript (protobuf-es + Connect): unary, stream, error reason, deadline, auth", async () => {
    const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.grpcPort}`, interceptors: [bearer(KEY)] });
    const client = createClient(CompletionService, transport);
    const res = await client.complete({ model: "local-echo", messages: [{ role: Role.USER, content: "hello from TypeScript" }] });
    expect(res.completion?.message?.content).toContain("hello from TypeScript");
    let text = "";
    let final: Completion | undefined;
    for await (const ev of client.streamComplete({
      model: "local-echo",
      messages: [{ role: Role.USER, content: "stream" }],
      maxTokens: 20,
    })) {
      if (ev.event.case === "delta") text += ev.event.value.text;
      else if (ev.event.case === "completion") final = ev.event.value;
    }
    expect(final?.message?.content).toBe(text);
    const notFound = ConnectError.from(
      await client.complete({ model: "no-such-model", messages: [{ role: Role.USER, content: "x" }] }).catch((e: unknown) => e),
    );
    expect([notFound.code, notFound.findDetails(ErrorInfoSchema)[0]?.reason]).toEqual([Code.NotFound, "MODEL_NOT_FOUND"]);
    // The local model streams a token every 15 ms: 300 of them cannot fit in 150 ms.
    const late = ConnectError.from(
      await (async () => {
        for await (const _ of client.streamComplete(
          { model: "local-echo", messages: [{ role: Role.USER, content: "word ".repeat(400) }], maxTokens: 300 },
          { timeoutMs: 150 },
        ))
          void _;
      })().catch((e: unknown) => e),
    );
    expect(late.code).toBe(Code.DeadlineExceeded);
    const anonymous = createClient(CompletionService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.grpcPort}` }));
    expect(ConnectError.from(await anonymous.listModels({}).catch((e: unknown) => e)).code).toBe(Code.Unauthenticated);
  });

  it("Go (grpc-go and connect-go stubs): go test", { timeout: 300_000 }, async () => {
    const r = await run("go", ["test", "-count=1", "-v", "./..."], `${root}test/clients/go`, { GOFLAGS: "-mod=mod" });
    expect(r.out).not.toContain("--- SKIP");
    expect(r.out, r.out).toMatch(/^ok\s/m);
    expect(r.code, r.out).toBe(0);
    for (const name of [
      "TestUnaryComplete",
      "TestStreamCompleteToTheEnd",
      "TestErrorCodeAndReason",
      "TestDeadline",
      "TestAuth",
      "TestConnectGoOverHTTP1",
      "TestContentPartAndResponseFormat",
    ]) {
      expect(r.out).toContain(`--- PASS: ${name}`);
    }
  });

  it("Python (grpcio stubs): unittest", { timeout: 120_000 }, async () => {
    const r = await run("python3", ["-m", "unittest", "-v", "test_client.py"], `${root}test/clients/python`, {
      PYTHONPATH: `${root}gen/python`,
    });
    expect(r.out, r.out).toMatch(/Ran 6 tests/);
    expect(r.out).not.toContain("skipped");
    expect(r.code, r.out).toBe(0);
  });
});
