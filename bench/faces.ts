/**
 * `npm run bench`: the floors and both faces of the gateway, side by side in
 * one run, and the ratios issue 14's targets are stated in.
 *
 * Every server is its own process: the fake upstream (answers at once, 16
 * tokens), the REST floor (bare node:http pass-through), the gRPC floors
 * (grpc-js and connect-node pass-throughs), the gateway with its cache off and
 * a second gateway on the full defaults (cache on) for exact hits. wrk and ghz
 * are the load generators; this process times first content itself. All share
 * the machine's cores, as in the issue. Phases run one after another, never
 * in parallel; ROUNDS rounds, medians. See docs/benchmarks.md.
 */
import { median, openLoop, sequential, wrk, wrkPost, ghz, type LoadResult } from "./lib/load.js";
import {
  completionClient,
  grpcComplete,
  grpcCacheStatus,
  grpcFirstContent,
  grpcJson,
  postJson,
  restBodies,
  restFirstContent,
} from "./lib/clients.js";
import {
  commitOf,
  cpuMicros,
  findTool,
  removeWorkDir,
  requireNode24,
  rssMb,
  sampleRss,
  type Server,
  stopAll,
  workDir,
} from "./lib/procs.js";
import { startFloor, startGateway, startUpstream } from "./lib/servers.js";
import { report, type Run } from "./lib/report.js";
import { CacheStatus } from "../gen/ts/llmgateway/v1/types_pb.js";

requireNode24();
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const PHASE_S = Number(process.env["BENCH_PHASE_S"] ?? 5);
const WARMUP_S = Number(process.env["BENCH_WARMUP_S"] ?? 3);
const TTFC_RATE = 50;
const SATURATION = 32;

const wrkPath = findTool("wrk");
const ghzPath = findTool("ghz");
if (!wrkPath || !ghzPath) {
  process.stderr.write(`missing ${[wrkPath ? "" : "wrk", ghzPath ? "" : "ghz"].join(" ")}: run \`npm run bench:setup\` first\n`);
  process.exit(2);
}

const started = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

/** A saturated phase, with the server's CPU per call and its RSS sampled throughout. */
async function saturated(server: Server, load: () => Promise<LoadResult>) {
  const cpu0 = cpuMicros(server.pid);
  const rss = sampleRss(server.pid);
  const result = await load();
  const samples = rss.stop();
  const cpuUs = (cpuMicros(server.pid) - cpu0) / Math.max(1, result.calls);
  return { ...result, cpuUs, rssMedian: median(samples), rssMax: Math.max(...samples) };
}

async function main(): Promise<Run> {
  const run: Run = {
    date: new Date().toISOString(),
    ...commitOf(),
    node: process.versions.node,
    settings: { rounds: ROUNDS, phaseSeconds: PHASE_S, warmupSeconds: WARMUP_S, ttfcRate: TTFC_RATE, saturation: SATURATION },
    logLevel: process.env["BENCH_LOG_LEVEL"] ?? "info (default)",
    rounds: [],
    rss: {},
    errors: {},
  };
  log(`starting servers (output in ${workDir})`);
  const upstream = await startUpstream();
  const up = upstream.match[1]!;
  const restFloor = await startFloor("rest-floor", up);
  const grpcFloor = await startFloor("grpc-floor", up);
  const connectFloor = await startFloor("connect-floor", up);
  const gateway = await startGateway("gateway", up, { cache: false });
  const cached = await startGateway("gateway-defaults", up, { cache: "default" });
  const servers = { upstream, restFloor, grpcFloor, connectFloor, gateway, cached };

  // Idle: after start-up has settled, before any call.
  await new Promise((r) => setTimeout(r, 2000));
  for (const [name, s] of Object.entries(servers)) run.rss[name] = { idle: rssMb(s.pid) };

  const rest = {
    direct: `${up}/chat/completions`,
    floor: `${restFloor.match[1]}/v1/chat/completions`,
    gateway: `${gateway.httpUrl}/v1/chat/completions`,
    cached: `${cached.httpUrl}/v1/chat/completions`,
  };
  const grpcAddr = { floor: grpcFloor.match[1]!, connect: connectFloor.match[1]!, gateway: gateway.grpcAddress };
  const clients = {
    floor: completionClient(grpcAddr.floor),
    connect: completionClient(grpcAddr.connect),
    gateway: completionClient(grpcAddr.gateway),
  };
  const unaryLua = wrkPost(restBodies.unary);
  const cachedLua = wrkPost(restBodies.cached);

  // Every path answers correctly before anything is timed; a wrong answer fails the run, not a figure.
  for (const [name, url] of Object.entries(rest)) {
    const res = await postJson(url, restBodies.unary);
    if (res.status !== 200 || !res.text.includes("sixteen words")) throw new Error(`${name} answered ${res.status}: ${res.text}`);
  }
  await postJson(rest.cached, restBodies.cached);
  const hit = await postJson(rest.cached, restBodies.cached);
  if (hit.headers["x-cache-status"] !== "hit_exact")
    throw new Error(`REST: expected an exact hit, got ${String(hit.headers["x-cache-status"])}`);
  const cachedClient = completionClient(cached.grpcAddress);
  const grpcHit = await grpcCacheStatus(cachedClient);
  cachedClient.close();
  if (grpcHit !== CacheStatus.HIT_EXACT) throw new Error(`gRPC: expected an exact hit, got cache status ${grpcHit}`);

  log("warming up");
  for (const url of [rest.direct, rest.floor, rest.gateway]) {
    await wrk(wrkPath!, url, unaryLua, SATURATION, WARMUP_S);
    await sequential(restFirstContent(url), 1);
  }
  for (const [key, address] of Object.entries(grpcAddr)) {
    await ghz(ghzPath!, { address, method: "Complete", data: grpcJson.unary, concurrency: SATURATION, seconds: WARMUP_S });
    await sequential(grpcFirstContent(clients[key as keyof typeof clients]), 1);
    await sequential(grpcComplete(clients[key as keyof typeof clients]), 1);
  }
  await wrk(wrkPath!, rest.cached, cachedLua, 1, 1);
  await ghz(ghzPath!, { address: cached.grpcAddress, method: "Complete", data: grpcJson.cached, concurrency: 1, seconds: 1 });

  const check = (phase: string, r: { errors: number; calls: number }) => {
    if (r.errors > 0) run.errors[phase] = (run.errors[phase] ?? 0) + r.errors;
    if (r.calls === 0) throw new Error(`${phase}: no call succeeded`);
  };
  for (let round = 0; round < ROUNDS; round++) {
    const m: Record<string, number> = {};
    const phase = async <T extends { errors: number; calls: number }>(name: string, measure: () => Promise<T>): Promise<T> => {
      log(`round ${round + 1}/${ROUNDS}: ${name}`);
      const r = await measure();
      check(name, r);
      return r;
    };

    // REST face: p50 at one connection (wrk, sequential), first content at 50/s (open loop), saturation (wrk, 32).
    for (const key of ["direct", "floor", "gateway"] as const) {
      m[`rest.${key}.p50`] = (await phase(`REST ${key} p50 @1`, () => wrk(wrkPath!, rest[key], unaryLua, 1, PHASE_S))).p50;
    }
    for (const key of ["direct", "floor", "gateway"] as const) {
      const t = await phase(`REST ${key} TTFC @${TTFC_RATE}/s`, () => openLoop(restFirstContent(rest[key]), TTFC_RATE, PHASE_S));
      m[`rest.${key}.ttfc`] = t.p50;
      m[`rest.${key}.ttfcP99`] = t.p99;
    }
    for (const [key, server] of [
      ["floor", restFloor],
      ["gateway", gateway],
    ] as const) {
      const s = await phase(`REST ${key} saturation`, () =>
        saturated(server, () => wrk(wrkPath!, rest[key], unaryLua, SATURATION, PHASE_S)),
      );
      Object.assign(m, {
        [`rest.${key}.rps`]: s.rps,
        [`rest.${key}.cpuUs`]: s.cpuUs,
        [`rest.${key}.rssSatMedian`]: s.rssMedian,
        [`rest.${key}.rssSatMax`]: s.rssMax,
      });
    }

    // gRPC face: p50 at one caller (ghz), first content at one caller (grpc-js client), saturation (ghz, 32 on one connection).
    for (const key of ["floor", "connect", "gateway"] as const) {
      const g = await phase(`gRPC ${key} p50 @1`, () =>
        ghz(ghzPath!, { address: grpcAddr[key], method: "Complete", data: grpcJson.unary, concurrency: 1, seconds: PHASE_S }),
      );
      m[`grpc.${key}.p50`] = g.p50;
    }
    for (const key of ["floor", "connect", "gateway"] as const) {
      const t = await phase(`gRPC ${key} TTFC @1`, () => sequential(grpcFirstContent(clients[key]), PHASE_S));
      m[`grpc.${key}.ttfc`] = t.p50;
      m[`grpc.${key}.ttfcP99`] = t.p99;
    }
    for (const [key, server] of [
      ["floor", grpcFloor],
      ["connect", connectFloor],
      ["gateway", gateway],
    ] as const) {
      const s = await phase(`gRPC ${key} saturation`, () =>
        saturated(server, () =>
          ghz(ghzPath!, { address: grpcAddr[key], method: "Complete", data: grpcJson.unary, concurrency: SATURATION, seconds: PHASE_S }),
        ),
      );
      Object.assign(m, {
        [`grpc.${key}.rps`]: s.rps,
        [`grpc.${key}.cpuUs`]: s.cpuUs,
        [`grpc.${key}.rssSatMedian`]: s.rssMedian,
        [`grpc.${key}.rssSatMax`]: s.rssMax,
      });
    }

    // Exact cache hits, one caller, against the direct call to the upstream measured above.
    m["cache.rest.p50"] = (await phase("REST cache hit p50 @1", () => wrk(wrkPath!, rest.cached, cachedLua, 1, PHASE_S))).p50;
    m["cache.grpc.p50"] = (
      await phase("gRPC cache hit p50 @1", () =>
        ghz(ghzPath!, { address: cached.grpcAddress, method: "Complete", data: grpcJson.cached, concurrency: 1, seconds: PHASE_S }),
      )
    ).p50;
    run.rounds.push(m);
  }

  for (const [name, s] of Object.entries(servers)) run.rss[name]!.after = rssMb(s.pid);
  for (const c of Object.values(clients)) c.close();
  log("done");
  return run;
}

try {
  const run = await main();
  await stopAll();
  removeWorkDir();
  report(run);
} catch (err) {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.stderr.write(`servers' output: ${workDir}\n`);
  await stopAll();
  process.exit(1);
}
