import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { FAKE_AWS_SECRET } from "../support/fake-bedrock.js";
import type { FakeUpstream, RecordedRequest } from "../support/fake-upstream.js";
import { bedrockProvider, cloudEnv, VERTEX_MODEL, vertexProvider } from "../providers/contract/anthropic-cloud.js";
import { type Gateway, startGateway } from "../providers/contract/gateway.js";
import { CLEAR_REASONS, drive, FAULTS, newRun, report, seeded, TEXT } from "./chaos-run.js";

/**
 * Fault injection into a mix of provider kinds serving one model: OpenAI, Anthropic, Gemini on the Gemini
 * API and on Vertex AI, Bedrock (Converse), Azure OpenAI, Claude on Vertex AI and on Bedrock, Mistral and Cohere, each
 * through its real SDK, each failing on its own wire (status in the platform's error shape, the platform's
 * retry delay, reset, hang, slow first byte, a stream cut before its first text or ended without a finish).
 * Round-robin routing gives every kind first attempts. Figures are printed and kept in docs/resilience.md.
 */

const KINDS = [
  "openai",
  "anthropic",
  "gemini",
  "vertex",
  "bedrock",
  "azure-openai",
  "anthropic-vertex",
  "anthropic-bedrock",
  "mistral",
  "cohere",
] as const;
type Kind = (typeof KINDS)[number];
/** The healthy last resort's upstream model: its requests are never faulted. */
const STEADY = "steady-model";

/** Which deployment's wire a request came on, from what the fake saw of it; undefined for the healthy one. */
function kindOf(r: RecordedRequest): Kind | undefined {
  if (r.bedrock) return "bedrock";
  if (r.cloud) return `anthropic-${r.cloud.platform}`;
  if (r.azure) return "azure-openai";
  if (r.path.includes(":streamGenerateContent")) return r.path.includes("/publishers/google/") ? "vertex" : "gemini";
  if (r.path.startsWith("/v1/messages")) return "anthropic";
  if (r.path.startsWith("/mistral/v1/")) return "mistral";
  if (r.path.startsWith("/v2/chat")) return "cohere";
  return r.body["model"] === STEADY ? undefined : "openai";
}

function providers(upstream: FakeUpstream): Record<string, unknown>[] {
  const base = { timeoutMs: 400 };
  return [
    { name: "openai", kind: "openai", baseUrl: upstream.openAiBaseUrl, ...base },
    { name: "anthropic", kind: "anthropic", baseUrl: upstream.anthropicBaseUrl, ...base },
    { name: "gemini", kind: "gemini", baseUrl: upstream.anthropicBaseUrl, ...base },
    { name: "vertex", kind: "vertex", apiKeyEnv: "VERTEX_API_KEY", baseUrl: upstream.anthropicBaseUrl, ...base },
    { name: "bedrock", kind: "bedrock", region: "us-east-1", endpoint: upstream.anthropicBaseUrl, ...base },
    { name: "azure-openai", kind: "azure-openai", endpoint: upstream.anthropicBaseUrl, apiVersion: "2024-10-21", ...base },
    { name: "anthropic-vertex", ...vertexProvider(upstream), ...base },
    { name: "anthropic-bedrock", ...bedrockProvider(upstream), ...base },
    { name: "mistral", kind: "mistral", baseUrl: `${upstream.anthropicBaseUrl}/mistral`, ...base },
    { name: "cohere", kind: "cohere", baseUrl: upstream.anthropicBaseUrl, ...base },
    { name: "steady", kind: "openai-compatible", baseUrl: upstream.openAiBaseUrl, apiKey: "sk-steady", ...base },
  ];
}

const UPSTREAM_MODEL: Record<Kind, string> = {
  openai: "gpt-4o-mini",
  anthropic: "claude-haiku-4-5",
  gemini: "gemini-2.5-flash",
  vertex: "gemini-2.5-flash",
  bedrock: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
  "azure-openai": "gpt4o-eastus",
  "anthropic-vertex": VERTEX_MODEL,
  "anthropic-bedrock": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  mistral: "mistral-small-latest",
  cohere: "command-a-03-2025",
};

const env = {
  ...cloudEnv,
  OPENAI_API_KEY: "sk-openai",
  GEMINI_API_KEY: "g-key",
  VERTEX_API_KEY: "v-key",
  AWS_ACCESS_KEY_ID: "AKIDCHAOS",
  AWS_SECRET_ACCESS_KEY: FAKE_AWS_SECRET,
  AZURE_OPENAI_API_KEY: "az-key",
  MISTRAL_API_KEY: "ms-key",
  COHERE_API_KEY: "co-key",
};

async function mixedGateway(options: { steady: boolean; breaker: Record<string, unknown>; maxAttempts: number }): Promise<Gateway> {
  const deployments: { provider: string; upstreamModel: string }[] = KINDS.map((k) => ({ provider: k, upstreamModel: UPSTREAM_MODEL[k] }));
  if (options.steady) deployments.push({ provider: "steady", upstreamModel: STEADY });
  return startGateway((upstream) => ({
    env,
    providers: providers(upstream),
    models: [{ name: "mixed", deployments, pricing: { inputPerMillion: 1, outputPerMillion: 2 } }],
    routing: { strategy: "round-robin" },
    resilience: {
      breaker: options.breaker,
      // With a healthy last resort the retry budget is no limit here (a slow run's faults outran a 0.2 budget before
      // the breakers opened, and a caller then failed for want of a retry, which this test does not ask about).
      retry: {
        maxAttempts: options.maxAttempts,
        baseDelayMs: 5,
        maxDelayMs: 50,
        budgetRatio: options.steady ? 1 : 0.2,
        budgetBurst: options.steady ? 200 : 10,
      },
    },
  }));
}

/** Faults at `rate` on every kind's wire (from `faults`), counted per kind; the healthy deployment always answers. */
function inject(upstream: FakeUpstream, random: () => number, rate: number, faults: () => (typeof FAULTS)[number]) {
  const perKind = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const run = newRun();
  upstream.setScript((request) => {
    const kind = kindOf(request);
    if (!kind || random() >= rate) return { text: TEXT };
    run.injected++;
    perKind[kind]++;
    return faults();
  });
  return { run, perKind };
}

const perKindText = (perKind: Record<Kind, number>) => ` (${KINDS.map((k) => `${k} ${perKind[k]}`).join(", ")})`;

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe("chaos: faults on every kind's wire, a mix of kinds serving one model", () => {
  it("with a healthy last resort, no caller sees a failure, and the breakers that open close again", async () => {
    gw = await mixedGateway({
      steady: true,
      // Ten faulty kinds share the traffic: a volume of 6 calls lets each kind's breaker judge its share.
      // The window spans the whole run, however slow the machine: a 5 s window let a slow run's early calls roll out
      // of a kind's count before it reached the volume, and its breaker then never judged.
      breaker: { volumeThreshold: 6, errorThresholdPercentage: 30, resetTimeoutMs: 500, rollingWindowMs: 120_000 },
      // As many attempts as the config allows (10). With ten faulty kinds and the healthy one, a caller whose
      // round-robin start is the kind after the healthy one misses it only if all ten fail it before their
      // breakers open (open breakers are skipped without spending an attempt).
      maxAttempts: 10,
    });
    const random = seeded(17);
    const { run, perKind } = inject(gw.upstream, random, 0.5, () => FAULTS[Math.floor(random() * FAULTS.length)]!);
    const opened = new Set<string>();
    gw.app.gateway.breakers.onChange((id, state) => state === "open" && opened.add(id));
    await drive(gw.grpcUrl, "mixed", 5_000, run);
    report("mixed kinds, one healthy last resort", run, `${perKindText(perKind)}, ${opened.size} breakers opened`);
    expect(run.failures).toEqual([]);
    expect(run.statusless).toBe(0);
    // Every kind's wire was faulted, enough to open its breaker: 30% of its 6-call volume is 2 failures. (A kind
    // whose breaker opens at its second fault takes no more traffic, and so no more faults.)
    for (const kind of KINDS) expect(perKind[kind], kind).toBeGreaterThanOrEqual(Math.ceil(0.3 * 6));
    // The faulty kinds' breakers opened (an id is provider/upstream model), and never the healthy one's. Not
    // necessarily every one: a breaker judges its window only when a call fails, so a kind whose faults all came
    // before its volume was reached, followed by successes, is never judged (seen about one run in two, one kind,
    // on a quiet machine, with 5 failures in 10 calls). Callers are served either way, which is what is asserted above.
    const openedKinds = [...opened].map((id) => id.split("/")[0]!);
    expect(openedKinds.every((k) => (KINDS as readonly string[]).includes(k))).toBe(true);
    expect(new Set(openedKinds).size).toBeGreaterThanOrEqual(KINDS.length - 2);
    // Faults stop: each opened breaker's next probe succeeds and it closes (waiting on the events, not a sleep).
    gw.upstream.setScript(undefined);
    const breakers = gw.app.gateway.breakers;
    const allClosed = () => [...opened].every((id) => breakers.state(id) === "closed");
    const closed = new Promise<void>((resolve) => breakers.onChange(() => allClosed() && resolve()));
    const client = createClient(CompletionService, createGrpcTransport({ baseUrl: gw.grpcUrl }));
    const poke = setInterval(
      () => void client.complete({ model: "mixed", messages: [{ role: Role.USER, content: "probe" }] }).catch(() => {}),
      50,
    );
    if (!allClosed()) await closed;
    clearInterval(poke);
    for (const id of opened) expect(breakers.state(id), id).toBe("closed");
  });

  it("with no healthy deployment, every caller gets a clear error within its deadline, and no stream ends without a status", async () => {
    gw = await mixedGateway({
      steady: false,
      breaker: { volumeThreshold: 10, errorThresholdPercentage: 50, resetTimeoutMs: 500, rollingWindowMs: 5_000 },
      maxAttempts: 3,
    });
    const random = seeded(23);
    // Mid-stream cuts after text are in the mix too: they cannot be hidden, only reported.
    const { run, perKind } = inject(gw.upstream, random, 0.5, () =>
      random() < 0.2 ? { text: TEXT, abortAfterChunks: 2 } : FAULTS[Math.floor(random() * FAULTS.length)]!,
    );
    const deadlineMs = 1_000;
    await drive(gw.grpcUrl, "mixed", deadlineMs, run);
    const reasons = new Map<string, number>();
    for (const f of run.failures) {
      const key = f.reason ?? `no reason, ${Code[f.code]}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    report(
      "mixed kinds, no healthy deployment",
      run,
      `${perKindText(perKind)}; failures by reason ${JSON.stringify(Object.fromEntries(reasons))}; most past the deadline beyond timer lateness ${Math.max(...run.overruns).toFixed(0)} ms`,
    );
    expect(run.failures.length).toBeGreaterThan(0);
    expect(run.statusless).toBe(0);
    for (const kind of KINDS) expect(perKind[kind], kind).toBeGreaterThanOrEqual(3);
    for (const f of run.failures) {
      expect([Code.Unavailable, Code.DeadlineExceeded]).toContain(f.code);
      expect(CLEAR_REASONS).toContain(f.reason);
    }
    // Every call ends when its deadline's timer fires. The bound is on the overrun (chaos-run.ts), not the
    // latency: the caller's deadline is a timer in this process, which runs the gateway and the fake upstream
    // too, and on a loaded machine (or while an SDK's modules load and block the event loop) every timer here
    // fires late: a 1,436 ms call at load average 14 was the timer's lateness, not a kind ending late. What is
    // left after that lateness is what the call itself added; a call running on to a provider's timeout
    // (400 ms) or to its next attempt would add hundreds of milliseconds.
    expect(Math.max(...run.overruns)).toBeLessThan(100);
  });
});
