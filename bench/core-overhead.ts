/**
 * The core pipeline's own cost, in process, against the local provider (no
 * network, no SDK): what routing, breakers, retries and limits add per call.
 * BENCH_FEATURES=on routes a two-deployment model under a memory rate limiter;
 * off routes a one-deployment model with no limits (the Foundation's shape,
 * whose config has no such keys). Run the same file on two commits to compare.
 * With features on, BENCH_QUEUE=off turns queueing off; on (the default) also caps
 * both deployments' concurrency (a cap never reached), so that every call takes and
 * gives back a slot: what waiting in line costs a call that never waits.
 */
import { createApp } from "../src/app.js";
import { validateConfig } from "../src/config/load.js";
import { silentLogger } from "../src/log.js";

const features = process.env["BENCH_FEATURES"] === "on";
const CALLS = Number(process.env["BENCH_CALLS"] ?? 20_000);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const queue = features && process.env["BENCH_QUEUE"] !== "off";
const cap = queue ? { maxConcurrent: 1_000_000 } : {};

const config = validateConfig(
  {
    providers: [
      { name: "local", kind: "local" },
      { name: "local-b", kind: "local" },
    ],
    models: [
      features
        ? {
            name: "m",
            deployments: [
              { provider: "local", ...cap },
              { provider: "local-b", ...cap },
            ],
            maxOutputTokens: 16,
          }
        : { name: "m", provider: "local", maxOutputTokens: 16 },
    ],
    ...(features ? { limits: { requestsPerMinute: 1e9, requestsPerHour: 1e9, tokensPerMinute: 1e12 } } : {}),
    ...(features ? { queue: { enabled: queue } } : {}),
  },
  {},
);
const { gateway } = createApp(config, { logger: silentLogger, env: {} });
const request = {
  model: "m",
  messages: [{ role: "user" as const, content: "ping" }],
  stop: [],
  user: "bench",
  metadata: {},
  routing: { preferredProviders: [], excludedProviders: [] },
};
const signal = new AbortController().signal;

const p50s: number[] = [];
for (let r = 0; r < ROUNDS + 1; r++) {
  const ts = new Float64Array(CALLS);
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await gateway.complete(request, { signal, requestId: "b", receivedAt: t });
    ts[i] = performance.now() - t;
  }
  ts.sort();
  // The first round warms up the JIT and is not counted.
  if (r > 0) p50s.push(ts[CALLS >> 1]! * 1000);
}
p50s.sort((a, b) => a - b);
console.log(
  `features ${features ? "on" : "off"}${features ? `, queue ${queue ? "on" : "off"}` : ""}: core p50 ${p50s[p50s.length >> 1]!.toFixed(1)} µs (median of ${ROUNDS} rounds of ${CALLS} calls; rounds ${p50s.map((x) => x.toFixed(1)).join(", ")})`,
);
