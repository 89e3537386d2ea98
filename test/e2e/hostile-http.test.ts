import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digest } from "../support/auth.js";
import { envelope, h2, http1 } from "../support/raw-clients.js";
import { startHarness, type Harness } from "../support/harness.js";

/**
 * Requests no client should send, on both listeners, before any key is
 * checked: each gets an HTTP answer (4xx), and the gateway goes on serving.
 * (An uncaught exception here would fail the run: the gateway is in this process.)
 */
let h: Harness;
beforeAll(async () => {
  // A built playground, so that the static handler (where GET /% used to crash) is on the path.
  const dir = mkdtempSync(join(tmpdir(), "gw-page-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>gw</title>");
  writeFileSync(join(dir, "assets", "app.js"), "0");
  h = await startHarness({
    server: { playgroundDir: dir },
    auth: { tenants: [{ name: "t", keys: [{ sha256: digest("k") }] }] },
  });
});
afterAll(() => h.close());

const METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "POST"];
const PATHS = [
  "/%",
  "/%zz",
  "/%E0%A4%A",
  "/assets/%",
  "/assets/%2e%2e/%2e%2e/etc/passwd",
  "/v1/%",
  "/v1/models/%",
  "/v1/models/%ff",
  "/v1/chat/completions/%",
  "//",
  "/..",
  "/metrics/%",
  "/llmgateway.v1.CompletionService/%",
  "/?%=%",
];

async function stillServing(): Promise<void> {
  const res = await fetch(`${h.httpUrl}/v1/models`, { headers: { authorization: "Bearer k" } });
  expect(res.status).toBe(200);
  const grpc = await h2(h.grpcUrl, {
    path: "/llmgateway.v1.CompletionService/ListModels",
    headers: { authorization: "Bearer k" },
    body: envelope(new Uint8Array()),
  });
  expect(grpc.code).toBe(0);
}

describe("malformed paths on every method", () => {
  it.each(METHODS)("HTTP/1.1 %s", async (method) => {
    for (const path of PATHS) {
      const out = await http1(h.httpUrl, { method, path });
      expect(out.transportError, `${method} ${path}`).toBeUndefined();
      expect(out.status, `${method} ${path}`).toBeGreaterThanOrEqual(200);
      expect(out.status, `${method} ${path}`).toBeLessThan(500);
    }
    await stillServing();
  });

  it.each(METHODS)("HTTP/2 %s", async (method) => {
    for (const path of PATHS) {
      const out = await h2(h.grpcUrl, { path, headers: { ":method": method }, body: Buffer.alloc(0) });
      expect(out.transportError, `${method} ${path}`).toBeUndefined();
      expect(out.status, `${method} ${path}`).toBeLessThan(500);
    }
    await stillServing();
  });
});

describe("odd and oversized headers", () => {
  it("HTTP/1.1: headers past the size limit are 431, odd values are answered", async () => {
    expect((await http1(h.httpUrl, { method: "GET", path: "/v1/models", headers: { "x-big": "a".repeat(64 * 1024) } })).status).toBe(431);
    for (const headers of [
      { authorization: "Bearer " + "k".repeat(8000) },
      { authorization: "Basic Zm9vOmJhcg==" },
      { "x-api-key": "" },
      { "content-type": "application/grpc-web+proto; charset=\u00ff" },
      { "x-request-id": "../../" + "r".repeat(4000) },
      { traceparent: "00-zzzz-yyyy-01" },
      { "content-length": "5" },
    ]) {
      const out = await http1(h.httpUrl, { method: "POST", path: "/v1/chat/completions", headers, body: "{}" });
      expect(out.status, JSON.stringify(headers).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(out.status).toBeLessThan(500);
    }
    await stillServing();
  });

  it("HTTP/2: a huge metadata value, odd timeouts and content types are answered or refused, never a crash", async () => {
    for (const headers of [
      { "grpc-timeout": "9999999999H" },
      { "grpc-timeout": "-1S" },
      { "grpc-timeout": "1n" },
      { "grpc-encoding": "br-unknown" },
      { "content-type": "application/grpc+json" },
      { "content-type": "text/plain" },
      { authorization: "Bearer " + "k".repeat(12_000) },
      { "x-api-key": "k".repeat(60_000) },
    ]) {
      const out = await h2(h.grpcUrl, { path: "/llmgateway.v1.CompletionService/ListModels", headers, body: envelope(new Uint8Array()) });
      expect(out.status, JSON.stringify(headers).slice(0, 80)).toBeLessThan(500);
      expect(out.code === undefined || out.code !== 13, JSON.stringify(headers).slice(0, 80)).toBe(true);
    }
    await stillServing();
  });
});
