import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digest } from "../support/auth.js";
import { type Harness, startHarness } from "../support/harness.js";
import { type RecordingProxy, startRecordingProxy } from "../support/recording-proxy.js";
import { CLAUDE_CODE_KEY, CLAUDE_CODE_MODELS, HELLO_FILE, HELLO_TEXT, READ_ID, SCENARIOS } from "./claude-code-scenarios.js";

/*
 * The real Claude Code CLI against the gateway's Anthropic face, behind a recording proxy: each
 * scenario runs `claude -p` once, checks what it printed and what the upstream received, and with
 * CLAUDE_CODE_FIXTURES=<dir> writes the exchanges there (test/fixtures/claude-code/ is what the
 * replay test reads). Run by scripts/try-claude-code.sh, which installs the CLI outside the project.
 */

const BIN = process.env["CLAUDE_CODE_BIN"] ?? "claude";
const FIXTURES = process.env["CLAUDE_CODE_FIXTURES"];
let h: Harness;
let proxy: RecordingProxy;
/** The CLI's homes and working directories, removed at the end. */
const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};

beforeAll(async () => {
  h = await startHarness({
    providerTimeoutMs: 60_000,
    auth: { tenants: [{ name: "claude-code", keys: [{ sha256: digest(CLAUDE_CODE_KEY) }] }] },
    extraModels: CLAUDE_CODE_MODELS,
  });
  proxy = await startRecordingProxy(h.httpUrl);
});
afterAll(async () => {
  await proxy?.close();
  await h?.close();
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI with a fresh home (no settings, no login) and nothing but the gateway to talk to. */
function claude(args: string[], cwd: string, bearer: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "",
    HOME: tempDir("claude-home-"),
    ANTHROPIC_BASE_URL: proxy.url,
    [bearer ? "ANTHROPIC_AUTH_TOKEN" : "ANTHROPIC_API_KEY"]: CLAUDE_CODE_KEY,
    // No update checks, telemetry, error reports or other calls home: only the gateway is reachable.
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_ERROR_REPORTING: "1",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe(`Claude Code (${BIN}) against the Anthropic face`, () => {
  it.each(SCENARIOS)("$name", async (scenario) => {
    const cwd = tempDir("claude-cwd-");
    const file = join(cwd, HELLO_FILE);
    writeFileSync(file, HELLO_TEXT);
    proxy.exchanges.length = 0;
    const seen = h.upstream.requests.length;
    h.upstream.enqueue(...scenario.upstream(file));
    const run = await claude(scenario.args, cwd, scenario.bearer ?? false);
    if (FIXTURES) {
      mkdirSync(FIXTURES, { recursive: true });
      const version = execFileSync(BIN, ["--version"], { env: { PATH: process.env["PATH"] ?? "", DISABLE_AUTOUPDATER: "1" } })
        .toString()
        .trim();
      const record = { client: `claude-code ${version}`, args: scenario.args, cwd, exchanges: proxy.exchanges };
      writeFileSync(join(FIXTURES, `${scenario.name}.json`), `${JSON.stringify(record, null, 1)}\n`);
    }
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(scenario.expect);
    expect(run.code).toBe(0);
    if (scenario.pings) {
      const pings = proxy.exchanges.map((e) => (e.response.body.match(/^event: ping$/gm) ?? []).length);
      expect(Math.max(...pings)).toBe(scenario.pings);
    }
    const upstream = h.upstream.requests.slice(seen);
    expect(upstream).toHaveLength(scenario.upstream(file).length);
    if (upstream.length < 2) return;
    // The tool ran on the client, and its result (the file's lines, numbered by Read) reached the upstream.
    const sent = JSON.stringify(upstream[1]!.body["messages"]);
    expect(sent).toContain(READ_ID);
    expect(sent).toContain("The secret word is pelican.");
    // A signed thinking block the upstream sent comes back to it with its signature.
    if (JSON.stringify(scenario.upstream(file)[0]).includes("signature_delta"))
      expect(sent).toContain('"signature":"EqQBCkYIBxgCKkDsig=="');
  });
});
