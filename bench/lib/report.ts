/**
 * What `npm run bench` prints and keeps: the side-by-side tables, issue 14's
 * targets as ratios of the same run with PASS or MISS, and a JSON file of
 * every round's figures in bench/results/ (not committed).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { median } from "./load.js";
import { ROOT } from "./procs.js";

/** One benchmark run: its setting and every round's figures (ms, req/s, µs, MB). */
export interface Run {
  date: string;
  commit: string;
  dirty: boolean;
  node: string;
  settings: Record<string, number>;
  logLevel: string;
  /** Each round's figures by key, e.g. "rest.gateway.rps". */
  rounds: Record<string, number>[];
  /** RSS in MB of each server: idle after start-up, and after the run. */
  rss: Record<string, { idle: number; after?: number }>;
  /** Failed calls by phase (summed over rounds). */
  errors: Record<string, number>;
}

/** A target of the issue, checked on this run. */
export interface Target {
  name: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean;
}

const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "n/a");
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
const added = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${x.toFixed(2)}` : "n/a");
const mb = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x.toFixed(0) : "n/a");

/** The targets of issue 14, from the medians of a run. */
export function targets(run: Run, m: (key: string) => number): Target[] {
  const rssSat = Math.max(m("rest.gateway.rssSatMax"), m("grpc.gateway.rssSatMax"));
  const t = (name: string, value: number, unit: string, target: string, pass: boolean): Target => ({
    name,
    value,
    unit,
    target,
    pass: Number.isFinite(value) && pass,
  });
  const grpcVsFloor = m("grpc.gateway.rps") / m("grpc.floor.rps");
  const grpcVsRest = m("grpc.gateway.rps") / m("rest.gateway.rps");
  const grpcP50 = m("grpc.gateway.p50") - m("grpc.floor.p50");
  const grpcTtfc = m("grpc.gateway.ttfc") - m("grpc.floor.ttfc");
  const restRps = m("rest.gateway.rps") / m("rest.floor.rps");
  const restCpu = m("rest.gateway.cpuUs") / m("rest.floor.cpuUs");
  const restP50 = m("rest.gateway.p50") - m("rest.floor.p50");
  const restTtfc = m("rest.gateway.ttfc") - m("rest.floor.ttfc");
  const idle = run.rss["cached"]?.idle ?? Number.NaN;
  const satDelta = rssSat - (run.rss["gateway"]?.idle ?? Number.NaN);
  const hitRest = m("cache.rest.p50") / m("rest.direct.p50");
  const hitGrpc = m("cache.grpc.p50") / m("rest.direct.p50");
  return [
    t("gRPC throughput / grpc-js floor", grpcVsFloor, "×", "≥ 0.6×", grpcVsFloor >= 0.6),
    t("gRPC throughput / REST face", grpcVsRest, "×", "> 1×", grpcVsRest > 1),
    t("gRPC p50 at 1 caller, over the floor", grpcP50, "ms", "≤ +0.3 ms", grpcP50 <= 0.3),
    t("gRPC time to first content at 1 caller, over the floor", grpcTtfc, "ms", "≤ +0.3 ms", grpcTtfc <= 0.3),
    t("REST throughput / bare floor", restRps, "×", "≥ 0.5×", restRps >= 0.5),
    t("REST CPU per call / floor's", restCpu, "×", "≤ 2.5×", restCpu <= 2.5),
    t("REST p50 at 1 connection, over the floor", restP50, "ms", "≤ +0.3 ms", restP50 <= 0.3),
    t(`REST time to first content @${run.settings["ttfcRate"]}/s, over the floor`, restTtfc, "ms", "≤ +0.3 ms", restTtfc <= 0.3),
    t("RSS idle, embedded defaults", idle, "MB", "≤ 100 MB", idle <= 100),
    t("RSS at saturation (max) over idle", satDelta, "MB", "≤ +100 MB", satDelta <= 100),
    t("exact cache hit p50 / direct call, REST", hitRest, "×", "< 1×", hitRest < 1),
    t("exact cache hit p50 / direct call, gRPC", hitGrpc, "×", "< 1×", hitGrpc < 1),
  ];
}

/** Prints the tables and targets, writes the JSON file, and returns its path. */
export function report(run: Run): string {
  const medians: Record<string, number> = {};
  for (const key of Object.keys(run.rounds[0] ?? {})) medians[key] = median(run.rounds.map((r) => r[key] ?? Number.NaN));
  const m = (key: string) => medians[key] ?? Number.NaN;
  const rss = (name: string) => run.rss[name];
  const out: string[] = [];
  const s = run.settings;
  out.push(
    `\n## ${run.date.slice(0, 10)}, commit ${run.commit}${run.dirty ? " (with uncommitted changes)" : ""}, Node ${run.node}`,
    `\n${s["rounds"]} rounds of ${s["phaseSeconds"]} s phases, medians; upstream answers at once with 16 tokens; ` +
      `everything shares this machine's cores. Gateway log level: ${run.logLevel}. Latencies in ms, RSS in MB.\n`,
  );

  out.push(
    "| REST face (`/v1/chat/completions`) | req/s (wrk, 32 conns) | CPU µs per call | p50, 1 conn | added p50 | first content p50 @" +
      `${s["ttfcRate"]}/s | added | RSS idle | RSS at saturation (median / max) | RSS after |`,
    "|---|---|---|---|---|---|---|---|---|---|",
    `| upstream, direct | | | ${ms(m("rest.direct.p50"))} | | ${ms(m("rest.direct.ttfc"))} | | | | |`,
  );
  for (const [key, label, proc] of [
    ["floor", "bare Node HTTP pass-through (the floor)", "restFloor"],
    ["gateway", "**this gateway** (cache off)", "gateway"],
  ] as const) {
    const r = (k: string) => m(`rest.${key}.${k}`);
    out.push(
      `| ${label} | ${int(r("rps"))} | ${int(r("cpuUs"))} | ${ms(r("p50"))} | ${added(r("p50") - m("rest.direct.p50"))} | ` +
        `${ms(r("ttfc"))} | ${added(r("ttfc") - m("rest.direct.ttfc"))} | ${mb(rss(proc)?.idle)} | ` +
        `${mb(r("rssSatMedian"))} / ${mb(r("rssSatMax"))} | ${mb(rss(proc)?.after)} |`,
    );
  }

  out.push(
    "",
    "| gRPC face (`Complete`; ghz, 32 callers on one HTTP/2 connection) | req/s | CPU µs per call | p50 at 1 caller (ghz) | " +
      "first content at 1 caller (StreamComplete) | RSS idle | RSS at saturation (median / max) | RSS after |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const [key, label, proc] of [
    ["floor", "pass-through on `@grpc/grpc-js` (the floor)", "grpcFloor"],
    ["connect", "pass-through on connect-node", "connectFloor"],
    ["gateway", "**this gateway** (cache off)", "gateway"],
  ] as const) {
    const r = (k: string) => m(`grpc.${key}.${k}`);
    out.push(
      `| ${label} | ${int(r("rps"))} | ${int(r("cpuUs"))} | ${ms(r("p50"))} | ${ms(r("ttfc"))} | ${mb(rss(proc)?.idle)} | ` +
        `${mb(r("rssSatMedian"))} / ${mb(r("rssSatMax"))} | ${mb(rss(proc)?.after)} |`,
    );
  }

  out.push(
    "",
    "| one caller, p50 | ms |",
    "|---|---|",
    `| direct call to the upstream (REST, wrk) | ${ms(m("rest.direct.p50"))} |`,
    `| exact cache hit, REST face (wrk) | ${ms(m("cache.rest.p50"))} |`,
    `| exact cache hit, gRPC face (ghz) | ${ms(m("cache.grpc.p50"))} |`,
    `| for scale: the same call through the gateway, cache off, REST / gRPC | ${ms(m("rest.gateway.p50"))} / ${ms(m("grpc.gateway.p50"))} |`,
    `\nThe gateway on the full defaults (cache on) idles at ${mb(rss("cached")?.idle)} MB and ends at ${mb(rss("cached")?.after)} MB.`,
  );

  const checked = targets(run, m);
  out.push("", "| issue 14 target | this run | target | |", "|---|---|---|---|");
  for (const t of checked) {
    const value = t.unit === "×" ? `${t.value.toFixed(2)}×` : t.unit === "ms" ? `${added(t.value)} ms` : `${t.value.toFixed(0)} MB`;
    out.push(`| ${t.name} | ${value} | ${t.target} | ${t.pass ? "PASS" : "MISS"} |`);
  }
  out.push("| RSS flat over 1M calls | `npm run bench:soak` | flat | |");

  const failed = Object.entries(run.errors);
  if (failed.length > 0) out.push("", `Failed calls (summed over rounds): ${failed.map(([p, n]) => `${p}: ${n}`).join("; ")}.`);

  const dir = join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const base = `${run.date.slice(0, 10)}-${run.commit}${run.dirty ? "-dirty" : ""}`;
  let file = join(dir, `${base}.json`);
  for (let i = 2; existsSync(file); i++) file = join(dir, `${base}-${i}.json`);
  writeFileSync(file, `${JSON.stringify({ ...run, medians, targets: checked }, null, 2)}\n`);
  out.push("", `Results: ${file}`);
  process.stdout.write(`${out.join("\n")}\n`);
  return file;
}
