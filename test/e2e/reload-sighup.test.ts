import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

let upstream: FakeUpstream;
let gateway: ChildProcess;
let httpUrl: string;
let file: string;
/** Log lines not yet taken by `nextLine`. */
const lines: string[] = [];
let wake: (() => void) | undefined;

/** The next log line that contains `text` (lines before it are dropped). */
async function nextLine(text: string): Promise<string> {
  for (;;) {
    const i = lines.findIndex((l) => l.includes(text));
    if (i >= 0) return lines.splice(0, i + 1).at(-1)!;
    lines.length = 0;
    await new Promise<void>((r) => (wake = r));
  }
}

function config(models: string[]) {
  return {
    server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, shutdownGraceMs: 500, playground: false },
    log: { level: "info" },
    providers: [{ name: "fake-openai", kind: "openai-compatible", baseUrl: upstream.openAiBaseUrl, apiKey: "sk-test", timeoutMs: 5000 }],
    models: models.map((name) => ({ name, provider: "fake-openai", upstreamModel: "gpt-4o-mini" })),
  };
}

const ask = (model: string) =>
  fetch(`${httpUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, "scripts/build-if-stale.mjs"), "--server-only"], { cwd: ROOT, stdio: "inherit" });
  upstream = await startFakeUpstream();
  file = join(mkdtempSync(join(tmpdir(), "gw-sighup-")), "config.json");
  writeFileSync(file, JSON.stringify(config(["first"])));
  gateway = spawn(process.execPath, [join(ROOT, "dist/src/main.js")], {
    env: { PATH: process.env["PATH"], LLM_GATEWAY_CONFIG: file },
    stdio: ["ignore", "pipe", "inherit"],
  });
  createInterface({ input: gateway.stdout! }).on("line", (l) => {
    lines.push(l);
    wake?.();
  });
  const started = await nextLine("llm-gateway listening");
  httpUrl = `http://127.0.0.1:${/on [\d.]+:(\d+) \(HTTP\/1\.1\)/.exec(started)![1]}`;
}, 120_000);

afterAll(async () => {
  gateway?.kill("SIGKILL");
  await upstream?.close();
});

describe("SIGHUP, on the built gateway in its own process", () => {
  it("reloads the file: a model added is served; a bad file is refused with the reason and the old configuration serves on", async () => {
    expect((await ask("second")).status).toBe(404);

    writeFileSync(file, JSON.stringify(config(["first", "second"])));
    gateway.kill("SIGHUP");
    const reloaded = JSON.parse(await nextLine("configuration reloaded")) as Record<string, unknown>;
    expect(reloaded["models"]).toBe("+second -- ~-");
    expect((await ask("second")).status).toBe(200);

    writeFileSync(file, JSON.stringify({ ...config(["third"]), models: [{ name: "third", provider: "nowhere" }] }));
    gateway.kill("SIGHUP");
    const refused = JSON.parse(await nextLine("configuration reload refused")) as Record<string, unknown>;
    expect(refused["error"]).toMatch(/nowhere/);
    expect((await ask("second")).status).toBe(200);
    expect((await ask("third")).status).toBe(404);
    expect(gateway.exitCode).toBeNull();
  });
});
