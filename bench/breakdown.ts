/**
 * Where a gateway call's time goes, one call at a time in one process:
 * each row adds one layer to the one before, so the differences attribute
 * the gateway's added latency to the HTTP client, the provider SDK, our core,
 * the Connect server and the gRPC client. Run with `npm run bench:breakdown`.
 */
import { collectChunks } from "../src/providers/collect.js";
import { createUpstreamFetch } from "../src/providers/http.js";
import * as http2 from "node:http2";
import { create } from "@bufbuild/protobuf";
import { request } from "undici";
import { CompleteRequestSchema, CompletionService, ListModelsRequestSchema } from "../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../gen/ts/llmgateway/v1/types_pb.js";
import { createOpenAiProvider } from "../src/providers/openai.js";
import { grpcClient, unary } from "../test/support/grpc-client.js";
import { startHarness } from "../test/support/harness.js";

const N = Number(process.env["BENCH_CALLS"] ?? 1000);

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);

/** p50 and p90 of N sequential calls, after a warm-up. */
async function measure(fn: () => Promise<unknown>): Promise<[number, number]> {
  for (let i = 0; i < 200; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return [ts[N >> 1]!, ts[Math.floor(N * 0.9)]!];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const h = await startHarness();
h.upstream.setDefault({ text: "Benchmarks measure the gateway, not the model." });
const trim = setInterval(() => h.upstream.requests.splice(0), 500);
const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "ping" }], max_tokens: 64 });
const provider = createOpenAiProvider({
  fetch: createUpstreamFetch(),
  name: "fake",
  kind: "openai-compatible",
  apiKey: "k",
  baseUrl: h.upstream.openAiBaseUrl,
});
const chat = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "ping" }], maxTokens: 64, stop: [] };
const coreRequest = { ...chat, model: "gpt-test", user: "", metadata: {}, routing: { preferredProviders: [], excludedProviders: [] } };
const grpc = grpcClient(CompletionService, h.grpcAddress);
const h2 = http2.connect(h.grpcUrl);
const emptyFrame = Buffer.from([0, 0, 0, 0, 0]);

const layers: [string, () => Promise<unknown>][] = [
  [
    "upstream by a raw HTTP request (undici)",
    async () => {
      const res = await request(`${h.upstream.openAiBaseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await res.body.json();
    },
  ],
  ["upstream through the openai SDK (provider)", () => collectChunks(provider.stream(chat, new AbortController().signal))],
  [
    "gateway core, no transport (validate, route, SDK, cost)",
    () => h.app.gateway.complete(coreRequest, { signal: new AbortController().signal, requestId: "b", receivedAt: performance.now() }),
  ],
  [
    "Connect server, trivial method, raw HTTP/2 client",
    () =>
      new Promise<void>((resolve, reject) => {
        const s = h2.request({
          ":method": "POST",
          ":path": "/llmgateway.v1.CompletionService/ListModels",
          "content-type": "application/grpc",
          te: "trailers",
        });
        s.on("data", () => {});
        s.on("end", resolve);
        s.on("error", reject);
        s.end(emptyFrame);
      }),
  ],
  ["Connect server, trivial method, grpc-js client", () => unary(grpc, "listModels", create(ListModelsRequestSchema, {}))],
  [
    "Complete end to end, grpc-js client",
    () =>
      unary(
        grpc,
        "complete",
        create(CompleteRequestSchema, { model: "gpt-test", messages: [{ role: Role.USER, content: "ping" }], maxTokens: 64 }),
      ),
  ],
];

// Rounds interleave the layers so that a GC pause or a noisy neighbour does not land on one layer only.
const results = layers.map(() => ({ p50: [] as number[], p90: [] as number[] }));
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, [, fn]] of layers.entries()) {
    const [p50, p90] = await measure(fn);
    results[i]!.p50.push(p50);
    results[i]!.p90.push(p90);
  }
}
const p50 = results.map((r) => median(r.p50));
console.log(
  `Medians over ${ROUNDS} rounds of the p50 and p90 of ${N} sequential calls, ms; gateway, upstream and client in one process.\n`,
);
console.log("| layer | p50 | p90 |");
console.log("|---|---|---|");
for (const [i, [label]] of layers.entries()) console.log(`| ${label} | ${p50[i]!.toFixed(3)} | ${median(results[i]!.p90).toFixed(3)} |`);
const [raw, sdk, core, h2Floor, grpcFloor, full] = p50 as [number, number, number, number, number, number];
console.log(`
| attribution (differences of p50s) | ms |
|---|---|
| the SDK over a raw request | ${(sdk - raw).toFixed(3)} |
| our core over the SDK | ${(core - sdk).toFixed(3)} |
| the grpc-js client over a raw HTTP/2 client (caller side) | ${(grpcFloor - h2Floor).toFixed(3)} |
| end to end over the core (transport both ways) | ${(full - core).toFixed(3)} |
| end to end over a raw upstream request | ${(full - raw).toFixed(3)} |`);
clearInterval(trim);
grpc.close();
h2.close();
await h.close();
