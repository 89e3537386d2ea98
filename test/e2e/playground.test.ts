import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { chromium, type Browser, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { digest, withHeader } from "../support/auth.js";
import { startHarness, type Harness } from "../support/harness.js";

/**
 * The playground in a real browser (Debian's chromium, driven by
 * playwright-core), built with Vite and served by the gateway, talking
 * gRPC-Web to it with an API key.
 */
const KEY = "sk-playground-admin";
const ARTIFACTS = new URL("../../test-artifacts/", import.meta.url).pathname;
let h: Harness;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const outDir = mkdtempSync(join(tmpdir(), "gw-playground-"));
  await build({
    configFile: new URL("../../web/vite.config.ts", import.meta.url).pathname,
    build: { outDir, emptyOutDir: true },
    logLevel: "error",
  });
  h = await startHarness({
    server: { playgroundDir: outDir },
    auth: { tenants: [{ name: "ops", admin: true, keys: [{ sha256: digest(KEY) }] }] },
  });
  browser = await chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // The key the page will send, as a user would have typed it before.
  await page.addInitScript((key) => localStorage.setItem("llmgw-key", key), KEY);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("playground", () => {
  it("serves the page and lists the models through gRPC-Web with the gateway's own auth", async () => {
    const res = await page.goto(h.httpUrl);
    expect(res?.status()).toBe(200);
    await page.waitForSelector('#model option[value="gpt-test"]', { state: "attached" });
    expect(await page.locator("#model option").count()).toBeGreaterThanOrEqual(5);
  });

  it("streams an answer into the page token by token, then shows provider, cache status, tokens, cost and latency", async () => {
    const words = "one two three four five six seven eight nine ten";
    h.upstream.enqueue({ text: words, chunkDelayMs: 120 });
    await page.selectOption("#model", "gpt-test");
    await page.fill("#prompt", "Count to ten, slowly.");
    await page.click("#send");
    const answer = page.locator(".turn .answer").last();
    const meta = page.locator(".turn .meta").last();
    // Watch the answer grow while the stream runs.
    const seen: string[] = [];
    for (let i = 0; i < 200; i++) {
      const text = (await answer.textContent()) ?? "";
      if (text && seen.at(-1) !== text) seen.push(text);
      if ((await meta.textContent())?.includes("provider")) break;
      await page.waitForTimeout(40);
    }
    expect(seen.at(-1)).toBe(words);
    // At least three partial answers, each a prefix of the next: tokens arrived one by one.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.startsWith(seen[i - 1]!)).toBe(true);
    const line = (await meta.textContent()) ?? "";
    for (const part of ["provider fake-openai", "cache bypass", "tokens 11 in / 10 out", "cost $", "latency", "first token"])
      expect(line).toContain(part);
  });

  it("shows a provider going unhealthy on the live dashboard when its upstream starts failing", async () => {
    const status = page.locator('#providers tr[data-provider="fake-openai"] .status');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe("SERVING");
    h.upstream.setDefault({ status: 500 });
    const client = createClient(CompletionService, h.rpcTransport({ interceptors: [withHeader("x-api-key", KEY)] }));
    for (let i = 0; i < 5; i++)
      await client.complete({ model: "gpt-test", messages: [{ role: Role.USER, content: `fail ${i}` }] }).catch(() => {});
    // HealthService.Watch pushes the change; nothing reloads the page.
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/DEGRADED|NOT_SERVING/);
    await expect.poll(() => page.locator("#overall").textContent(), { timeout: 10_000 }).toMatch(/DEGRADED|NOT_SERVING/);
    // The admin figures load with the key.
    await expect.poll(() => page.locator("#cache").textContent(), { timeout: 10_000 }).toContain("memory");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "playground.png"), fullPage: true });
    h.upstream.setDefault({});
  });

  it("lists the models as soon as a key is typed, without a reload", async () => {
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await fresh.goto(h.httpUrl);
      // No key yet: the gateway refuses, and the page says so.
      await fresh.waitForFunction(() => document.getElementById("conn")?.textContent?.includes("16"));
      expect(await fresh.locator("#model option").count()).toBe(0);
      await fresh.fill("#api-key", KEY);
      await fresh.press("#api-key", "Enter");
      await fresh.locator("#api-key").blur();
      await fresh.waitForSelector('#model option[value="gpt-test"]', { state: "attached" });
    } finally {
      await fresh.close();
    }
  });
});
