import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digest } from "../../support/auth.js";
import { startHarness } from "../../support/harness.js";
import { CODEX_KEY, codexScenarios } from "./scenarios.js";

/*
 * Runs the real Codex CLI (`codex exec`) against a gateway in front of the fake upstream, one
 * scenario at a time (scenarios.ts), and checks what Codex printed and what the upstream got.
 * With --record <dir>, writes each scenario's requests as Codex sent them (method, path, headers,
 * body) to <dir>/<scenario>.json: the fixtures test/e2e/codex-replay.test.ts replays.
 * Usage (scripts/try-codex.sh does all of it): node dist/test/clients/codex/try-codex.js <codex binary> [--record <dir>]
 */

interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

const [codexBin, flag, recordDir] = process.argv.slice(2);
if (!codexBin || (flag !== undefined && (flag !== "--record" || !recordDir))) {
  console.error("usage: try-codex.js <codex binary> [--record <dir>]");
  process.exit(2);
}

const h = await startHarness({
  providerTimeoutMs: 60_000,
  auth: { tenants: [{ name: "codex", keys: [{ sha256: digest(CODEX_KEY) }] }] },
});
const gateway = new URL(h.httpUrl);

/** In front of the gateway: records each request Codex sends, and passes it on (streams included) as it is. */
let seen: Recorded[] = [];
const recorder = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  let body: unknown = raw.toString();
  try {
    body = raw.length ? JSON.parse(raw.toString()) : null;
  } catch {
    // Kept as text: a body that is not JSON is recorded as it came.
  }
  seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
  const up = http.request({ host: gateway.hostname, port: gateway.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on("error", () => res.destroy());
  up.end(raw);
});
await new Promise<void>((resolve) => recorder.listen(0, "127.0.0.1", resolve));
const port = (recorder.address() as AddressInfo).port;

const home = mkdtempSync(join(tmpdir(), "codex-home-"));
const work = mkdtempSync(join(tmpdir(), "codex-work-"));
// A provider of our own (the built-in "openai" one ignores a changed base URL), with the gateway's key
// in an env var: API-key mode, so Codex needs no ChatGPT login. No update checks, no analytics.
writeFileSync(
  join(home, "config.toml"),
  [
    'model_provider = "gateway"',
    "check_for_update_on_startup = false",
    "",
    "[analytics]",
    "enabled = false",
    "",
    "[model_providers.gateway]",
    'name = "llm-gateway"',
    `base_url = "http://127.0.0.1:${port}/v1"`,
    'env_key = "LLMGW_API_KEY"',
    'wire_api = "responses"',
    "",
  ].join("\n"),
);

function codex(model: string, prompt: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ["exec", "--skip-git-repo-check", "-m", model, prompt];
  const env = { ...process.env, CODEX_HOME: home, LLMGW_API_KEY: CODEX_KEY, NO_COLOR: "1" };
  return new Promise((resolve) => {
    const child = execFile(codexBin!, args, { cwd: work, env, timeout: 180_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

let failed = 0;
for (const s of codexScenarios) {
  seen = [];
  const from = h.upstream.requests.length;
  h.upstream.enqueue(...s.upstream);
  const run = await codex(s.model, s.prompt);
  const problems: string[] = [];
  if (run.code !== 0) problems.push(`codex exited with ${run.code}`);
  if (!run.stdout.includes(s.finalText)) problems.push(`codex did not print ${JSON.stringify(s.finalText)}`);
  try {
    s.check(h.upstream.requests.slice(from));
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (seen.length !== s.upstream.length) problems.push(`codex made ${seen.length} requests, the scenario expects ${s.upstream.length}`);
  const requests = seen.map((r) => `${r.method} ${r.path}`).join(", ");
  if (s.gap && problems.length && run.stderr.includes(`"param":"${s.gap.param}"`)) {
    console.log(`GAP  ${s.name}: ${requests}: refused by ${s.gap.param}: ${s.gap.why}`);
    if (recordDir) record(s.name);
    continue;
  }
  console.log(
    `${problems.length ? "FAIL" : "ok  "} ${s.name}: ${requests}${s.gap && !problems.length ? " (the gap is fixed: drop it from scenarios.ts)" : ""}`,
  );
  for (const p of problems) console.log(`     ${p}`);
  if (problems.length) {
    failed++;
    console.log(`--- codex stdout ---\n${run.stdout}\n--- codex stderr ---\n${run.stderr}`);
  }
  if (recordDir) record(s.name);
}

function record(name: string): void {
  mkdirSync(recordDir!, { recursive: true });
  writeFileSync(join(recordDir!, `${name}.json`), `${JSON.stringify({ client: "codex-cli", scenario: name, requests: seen }, null, 2)}\n`);
}

recorder.close();
await h.close();
rmSync(home, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
