import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digest } from "../../support/auth.js";
import { startHarness } from "../../support/harness.js";
import { CODEX_KEY, type CodexScenario, codexScenarios, OPENAI_PROVIDER_SCENARIOS } from "./scenarios.js";

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

const work = mkdtempSync(join(tmpdir(), "codex-work-"));
const common = ["check_for_update_on_startup = false", "", "[analytics]", "enabled = false", ""];
/**
 * The two ways to point Codex at the gateway, both in API-key mode (no ChatGPT login), each with its
 * own CODEX_HOME: a provider of our own (`env_key` names the key's variable), or the built-in OpenAI
 * provider with `openai_base_url` and OPENAI_API_KEY (which tries OpenAI's Responses WebSocket first).
 */
const setups = {
  custom: {
    config: [
      'model_provider = "gateway"',
      ...common,
      "[model_providers.gateway]",
      'name = "llm-gateway"',
      `base_url = "http://127.0.0.1:${port}/v1"`,
      'env_key = "LLMGW_API_KEY"',
      'wire_api = "responses"',
    ],
    env: { LLMGW_API_KEY: CODEX_KEY },
  },
  openai: { config: [`openai_base_url = "http://127.0.0.1:${port}/v1"`, ...common], env: { CODEX_API_KEY: CODEX_KEY } },
};
type Setup = keyof typeof setups;
const homes = Object.fromEntries(
  Object.entries(setups).map(([name, setup]) => {
    const home = mkdtempSync(join(tmpdir(), `codex-home-${name}-`));
    writeFileSync(join(home, "config.toml"), `${setup.config.join("\n")}\n`);
    return [name, home];
  }),
) as Record<Setup, string>;

function codex(setup: Setup, s: CodexScenario): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ["exec", "--skip-git-repo-check", "-m", s.model, ...(s.args ?? []), s.prompt];
  const env = { ...process.env, ...setups[setup].env, CODEX_HOME: homes[setup], NO_COLOR: "1" };
  return new Promise((resolve) => {
    const child = execFile(codexBin!, args, { cwd: work, env, timeout: 180_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

/** Every scenario through a provider of our own; the OpenAI-route ones through the built-in provider too. */
const runs: { s: CodexScenario; setup: Setup; name: string }[] = [
  ...codexScenarios.map((s) => ({ s, setup: "custom" as const, name: s.name })),
  ...codexScenarios
    .filter((s) => OPENAI_PROVIDER_SCENARIOS.includes(s.name))
    .map((s) => ({ s, setup: "openai" as const, name: `openai-provider-${s.name}` })),
];

let failed = 0;
for (const { s, setup, name } of runs) {
  seen = [];
  const from = h.upstream.requests.length;
  // Each run's own answers: what a run leaves unused (a refused run uses none) is not the next one's.
  const answers = [...s.upstream];
  h.upstream.setScript(() => answers.shift());
  const run = await codex(setup, s);
  const problems: string[] = [];
  if (run.code !== 0) problems.push(`codex exited with ${run.code}`);
  if (!run.stdout.includes(s.finalText)) problems.push(`codex did not print ${JSON.stringify(s.finalText)}`);
  try {
    s.check(h.upstream.requests.slice(from));
  } catch (err) {
    problems.push((err as Error).message);
  }
  const posts = seen.filter((r) => r.method === "POST").length;
  if (posts !== s.upstream.length) problems.push(`codex made ${posts} model requests, the scenario expects ${s.upstream.length}`);
  const requests = seen.map((r) => `${r.method} ${r.path}`).join(", ");
  if (s.gap && problems.length && run.stderr.includes(`"param":"${s.gap.param}"`)) {
    console.log(`GAP  ${name}: ${requests}: refused by ${s.gap.param}: ${s.gap.why}`);
    if (recordDir) record(name);
    continue;
  }
  console.log(
    `${problems.length ? "FAIL" : "ok  "} ${name}: ${requests}${s.gap && !problems.length ? " (the gap is fixed: drop it from scenarios.ts)" : ""}`,
  );
  for (const p of problems) console.log(`     ${p}`);
  if (problems.length) {
    failed++;
    console.log(`--- codex stdout ---\n${run.stdout}\n--- codex stderr ---\n${run.stderr}`);
  }
  if (recordDir) record(name);
}

function record(name: string): void {
  mkdirSync(recordDir!, { recursive: true });
  writeFileSync(join(recordDir!, `${name}.json`), `${JSON.stringify({ client: "codex-cli", scenario: name, requests: seen }, null, 2)}\n`);
}

recorder.close();
await h.close();
for (const home of Object.values(homes)) rmSync(home, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
