/**
 * The benchmark's processes: every server runs as a child of this one, with
 * its output in files (a pipe nobody reads would stall a gateway that logs
 * each call), and every child is ended when this process ends, however it ends.
 * CPU time and RSS are read from /proc, so a server need not report anything.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The repository's root, from dist/bench/lib/ where this file runs. */
export const ROOT = new URL("../../../", import.meta.url).pathname;
/** The compiled benchmark's own folder (dist/bench/). */
export const DIST_BENCH = new URL("../", import.meta.url).pathname;

/** Where this run keeps its children's output and configs. */
export const workDir = mkdtempSync(join(tmpdir(), "gw-faces-"));

const children = new Set<ChildProcess>();

function endAll(signal: NodeJS.Signals): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}

/** Ends every child still running: politely, then for good after a grace. */
export async function stopAll(graceMs = 3000): Promise<void> {
  endAll("SIGTERM");
  const deadline = Date.now() + graceMs;
  while ([...children].some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  endAll("SIGKILL");
}

// Whatever ends this process, no server is left running behind it.
process.on("exit", () => endAll("SIGKILL"));
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    endAll("SIGKILL");
    process.exit(130);
  });
}

/** Removes this run's folder (after a successful run; a failed one keeps it for its logs), unless BENCH_KEEP is set. */
export function removeWorkDir(): void {
  if (!process.env["BENCH_KEEP"]) rmSync(workDir, { recursive: true, force: true });
}

/** Refuses to measure on anything but the project's runtime. */
export function requireNode24(): void {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 24) {
    process.stderr.write(`the benchmark runs on Node 24 (node_modules/.bin/node); this is Node ${process.versions.node}\n`);
    process.exit(2);
  }
}

/** A server running as a child process. */
export interface Server {
  name: string;
  pid: number;
  child: ChildProcess;
  /** The ready line's match. */
  match: RegExpMatchArray;
  /** The file its stdout goes to. */
  output: string;
}

/** Empties a server's stdout file: a soak's access log would otherwise fill the disk. */
export function truncateOutput(server: Server): void {
  truncateSync(server.output, 0);
}

/**
 * Starts `node <script> ...args` and waits for a line of its stdout to match
 * `ready`. BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=prof") goes to
 * every server, for profiling a run; `ownNodeArgs` go to this one, before them.
 */
export async function startServer(
  name: string,
  script: string,
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
  ownNodeArgs: readonly string[] = [],
): Promise<Server> {
  const out = join(workDir, `${name}.out`);
  const err = join(workDir, `${name}.err`);
  // Appending, so that a long run can empty the file (truncateOutput) without leaving a sparse hole.
  const outFd = openSync(out, "a");
  const errFd = openSync(err, "a");
  const nodeArgs = (process.env["BENCH_NODE_ARGS"] ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...ownNodeArgs, ...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", outFd, errFd],
  });
  closeSync(outFd);
  closeSync(errFd);
  children.add(child);
  child.on("exit", () => children.delete(child));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = readFileSync(out, "utf8").match(ready);
    if (match) return { name, pid: child.pid!, child, match, output: out };
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      throw new Error(`${name} did not start (exit ${child.exitCode ?? child.signalCode}):\n${tail(err)}${tail(out)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The last lines of a child's output file, for an error message. */
export function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}

/** Runs a tool (wrk, ghz) to its end and returns its stdout; it is ended with the rest if this process dies. */
export function runTool(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      children.delete(child);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${stderr}${stdout}`));
    });
  });
}

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/** User plus system CPU time a process has used so far, in microseconds (all its threads). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) / ticksPerSecond) * 1e6;
}

/** Resident set size now, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

/** Samples a process's RSS every `everyMs` until stopped. */
export function sampleRss(pid: number, everyMs = 200): { stop(): number[] } {
  const samples: number[] = [rssMb(pid)];
  const timer = setInterval(() => samples.push(rssMb(pid)), everyMs);
  return {
    stop() {
      clearInterval(timer);
      samples.push(rssMb(pid));
      return samples;
    },
  };
}

/** Finds a load generator: on PATH, or where `go install` puts it. */
export function findTool(name: string): string | undefined {
  const candidates = [
    ...(process.env["PATH"] ?? "").split(":").map((d) => join(d, name)),
    join(process.env["GOBIN"] ?? "", name),
    join(process.env["GOPATH"] ?? join(process.env["HOME"] ?? "/root", "go"), "bin", name),
  ];
  return candidates.find((p) => p.startsWith("/") && existsSync(p));
}

/** The commit measured, and whether the work tree differs from it. */
export function commitOf(): { commit: string; dirty: boolean } {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT }).toString().trim();
  try {
    return { commit: git("rev-parse", "--short", "HEAD"), dirty: git("status", "--porcelain", "--untracked-files=no") !== "" };
  } catch {
    return { commit: "unknown", dirty: true };
  }
}
