/**
 * The servers a benchmark runs, each in its own process: the fake upstream,
 * the floors (bare pass-throughs) and the gateway itself, started from the
 * compiled tree as `node dist/src/main.js` with a config file, as deployed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GATEWAY_NODE_ARGS } from "../../src/heap.js";
import { MODEL } from "./clients.js";
import { DIST_BENCH, type Server, startServer, workDir } from "./procs.js";

/** The fake upstream; `match[1]` is its OpenAI base URL (ending in /v1). */
export function startUpstream(): Promise<Server> {
  return startServer("upstream", join(DIST_BENCH, "upstream.js"), [], /^(http:\/\/\S+)$/m);
}

/** A gateway server with both its ports. */
export interface Gateway extends Server {
  grpcAddress: string;
  httpUrl: string;
}

/** How a benchmark gateway is configured. */
export interface GatewayOptions {
  /** Off for throughput phases; absent leaves the cache at its defaults (on, memory, deterministic requests). */
  cache: boolean | "default";
}

/**
 * A gateway on the embedded defaults (memory stores, no Redis, no auth) with
 * one openai-compatible provider at the fake upstream. The log level stays
 * the default (info) unless BENCH_LOG_LEVEL says otherwise, since that is
 * what a deployment pays for.
 */
export async function startGateway(name: string, upstreamUrl: string, options: GatewayOptions): Promise<Gateway> {
  const config = {
    server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0 },
    ...(process.env["BENCH_LOG_LEVEL"] ? { log: { level: process.env["BENCH_LOG_LEVEL"] } } : {}),
    ...(options.cache === "default" ? {} : { cache: { enabled: options.cache } }),
    // BENCH_CLIENT=sdk|direct picks the OpenAI-format client; unset leaves the gateway's default.
    providers: [
      {
        name: "fake",
        kind: "openai-compatible",
        baseUrl: upstreamUrl,
        apiKey: "sk-bench",
        ...(process.env["BENCH_CLIENT"] ? { client: process.env["BENCH_CLIENT"] } : {}),
      },
    ],
    models: [{ name: MODEL, provider: "fake", upstreamModel: "gpt-4o-mini", pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 } }],
  };
  const file = join(workDir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const main = join(DIST_BENCH, "../src/main.js");
  // The start-up line names the gRPC port first and the HTTP port after it; the "started" log line (info) has both too.
  const ready = /gRPC on [\w.:[\]-]*?:(\d+)\b.*? on [\w.:[\]-]*?:(\d+)\b|"grpc":"[^"]*:(\d+)","http":"[^"]*:(\d+)"/;
  // Started as `npm start` and the container start it (the young generation capped: docs/operations.md).
  const server = await startServer(name, main, [], ready, { LLM_GATEWAY_CONFIG: file }, GATEWAY_NODE_ARGS);
  const [grpcPort, httpPort] = [server.match[1] ?? server.match[3], server.match[2] ?? server.match[4]];
  return { ...server, grpcAddress: `127.0.0.1:${grpcPort}`, httpUrl: `http://127.0.0.1:${httpPort}` };
}

/** A floor: `kind` is rest-floor, grpc-floor or connect-floor; `match[1]` its address. */
export function startFloor(kind: "rest-floor" | "grpc-floor" | "connect-floor", upstreamUrl: string): Promise<Server> {
  return startServer(kind, join(DIST_BENCH, "floors", `${kind}.js`), [upstreamUrl], new RegExp(`^${kind} on (\\S+)$`, "m"));
}
