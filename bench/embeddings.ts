/**
 * What an embedding call costs through the gateway (docs/faces/embeddings.md): for batches of 1 and
 * 64 texts, one call at a time, the latency straight to the fake upstream (the floor) beside the
 * same call through the gateway's REST face (the openai SDK's default, base64, and floats; to an
 * openai-compatible provider, asked for floats, and an openai one, asked for base64) and its gRPC
 * face, a miss (a new text each call) and an exact-cache hit; and the gateway's CPU per call.
 * Every server runs in its own process. Run with `npm run bench:embeddings` on a quiet machine.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { request } from "undici";
import { EmbedRequestSchema, EmbeddingService } from "../gen/ts/llmgateway/v1/embedding_service_pb.js";
import { GATEWAY_NODE_ARGS } from "../src/heap.js";
import { grpcClient, unary } from "../test/support/grpc-client.js";
import { sequential, type TimedCall } from "./lib/load.js";
import { commitOf, cpuMicros, DIST_BENCH, requireNode24, removeWorkDir, startServer, stopAll, workDir } from "./lib/procs.js";
import { startUpstream } from "./lib/servers.js";

const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 5);
// A chunk of a document, as a retrieval pipeline embeds it: about 60 words.
const CHUNK =
  "The gateway routes each call to a deployment of the model, retries what may pass, falls back on what will not, and counts what every tenant spends; this sentence is only here to be embedded, sixty words or so, like a chunk of a longer document cut for retrieval.";

requireNode24();
const upstream = await startUpstream();
const upstreamUrl = upstream.match[1]!;
const config = {
  server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0 },
  providers: [
    { name: "compat", kind: "openai-compatible", baseUrl: upstreamUrl, apiKey: "sk-bench" },
    { name: "openai", kind: "openai", baseUrl: upstreamUrl, apiKey: "sk-bench" },
  ],
  models: [
    { name: "emb-compat", type: "embedding", provider: "compat", upstreamModel: "text-embedding-3-small", dimensions: 256 },
    { name: "emb-openai", type: "embedding", provider: "openai", upstreamModel: "text-embedding-3-small", dimensions: 256 },
  ],
};
const file = join(workDir, "embeddings-gateway.json");
writeFileSync(file, JSON.stringify(config));
const ready = /gRPC on [\w.:[\]-]*?:(\d+)\b.*? on [\w.:[\]-]*?:(\d+)\b|"grpc":"[^"]*:(\d+)","http":"[^"]*:(\d+)"/;
const gw = await startServer("gateway", join(DIST_BENCH, "../src/main.js"), [], ready, { LLM_GATEWAY_CONFIG: file }, GATEWAY_NODE_ARGS);
const httpUrl = `http://127.0.0.1:${gw.match[2] ?? gw.match[4]}`;
const grpcAddress = `127.0.0.1:${gw.match[1] ?? gw.match[3]}`;
const grpc = grpcClient(EmbeddingService, grpcAddress);

let n = 0;
const inputs = (batch: number, fresh: boolean) => Array.from({ length: batch }, (_, i) => (fresh ? `${CHUNK} ${++n}` : `${CHUNK} ${i}`));

function rest(url: string, model: string, batch: number, fresh: boolean, format?: "float" | "base64"): TimedCall {
  return async (startedAt) => {
    const body = JSON.stringify({ model, input: inputs(batch, fresh), ...(format ? { encoding_format: format } : {}) });
    const res = await request(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const json = (await res.body.json()) as { data?: unknown[] };
    if (res.statusCode !== 200 || json.data?.length !== batch) throw new Error(`status ${res.statusCode}`);
    return performance.now() - startedAt;
  };
}

function rpc(model: string, batch: number, fresh: boolean): TimedCall {
  return async (startedAt) => {
    const req = create(EmbedRequestSchema, {
      model,
      inputs: inputs(batch, fresh).map((value) => ({ input: { case: "text" as const, value } })),
    });
    await unary(grpc, "embed", req);
    return performance.now() - startedAt;
  };
}

const rows: Record<string, unknown>[] = [];
// BENCH_PHASES=<regex> runs only the phases whose names match (with BENCH_NODE_ARGS=--cpu-prof, to profile one).
const only = process.env["BENCH_PHASES"] ? new RegExp(process.env["BENCH_PHASES"]) : undefined;
async function phase(name: string, batch: number, call: TimedCall, pid?: number): Promise<void> {
  if (only && !only.test(name)) return;
  await sequential(call, 1);
  const cpu = pid === undefined ? 0 : cpuMicros(pid);
  const t = await sequential(call, SECONDS);
  const row = {
    phase: name,
    batch,
    calls: t.calls,
    errors: t.errors,
    p50_ms: Number(t.p50.toFixed(2)),
    p99_ms: Number(t.p99.toFixed(2)),
    ...(pid === undefined ? {} : { gateway_cpu_us_per_call: Math.round((cpuMicros(pid) - cpu) / Math.max(1, t.calls)) }),
  };
  rows.push(row);
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

try {
  for (const batch of [1, 64]) {
    // The floor sends floats back, as OpenAI does when asked (the SDK's base64 is the gateway's choice to make).
    await phase(
      "floor: straight to the upstream",
      batch,
      rest(`${upstreamUrl}/embeddings`, "text-embedding-3-small", batch, true, "float"),
    );
    await phase(
      "REST miss, base64, openai-compatible (floats)",
      batch,
      rest(`${httpUrl}/v1/embeddings`, "emb-compat", batch, true, "base64"),
      gw.pid,
    );
    await phase(
      "REST miss, float, openai-compatible (floats)",
      batch,
      rest(`${httpUrl}/v1/embeddings`, "emb-compat", batch, true, "float"),
      gw.pid,
    );
    await phase("REST miss, base64, openai (base64)", batch, rest(`${httpUrl}/v1/embeddings`, "emb-openai", batch, true, "base64"), gw.pid);
    await phase("gRPC miss, openai (base64)", batch, rpc("emb-openai", batch, true), gw.pid);
    await phase("REST exact hit, base64", batch, rest(`${httpUrl}/v1/embeddings`, "emb-openai", batch, false, "base64"), gw.pid);
    await phase("gRPC exact hit", batch, rpc("emb-openai", batch, false), gw.pid);
  }
  const { commit, dirty } = commitOf();
  process.stdout.write(`\ncommit ${commit}${dirty ? " (dirty)" : ""}, Node ${process.version}, ${SECONDS} s per phase\n`);
  console.table(rows);
} finally {
  grpc.close();
  await stopAll();
  removeWorkDir();
}
