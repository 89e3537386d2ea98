import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Cluster, Redis } from "ioredis";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { RedisClient } from "../../src/redis-client.js";
import { type Closeable, freePort, redisForFile } from "./redis.js";

const run = promisify(execFile);

/** A real three-master Redis Cluster on 127.0.0.1, with no persistence and no replicas. */
export interface TestRedisCluster {
  /** One `redis://host:port` per master: the seed nodes a gateway is given. */
  urls: string[];
  /** A cluster client of its own (the caller disconnects it). */
  client(): Cluster;
  /** Empties every master. */
  flush(): Promise<void>;
  /** Freezes one master (SIGSTOP): its connections stay open, nothing answers. */
  pause(master: number): void;
  /** Thaws a paused master (SIGCONT). */
  resume(master: number): void;
  stop(): Promise<void>;
}

/**
 * Starts three `redis-server --cluster-enabled yes` on free ports, joins them
 * with `redis-cli --cluster create` (16,384 slots split in three) and resolves
 * once every master says cluster_state:ok and knows all three masters, so
 * that the first command of a test is not answered with CLUSTERDOWN. About
 * 2 s, nearly all of it Redis's own: a master that has just started waits 2 s
 * (CLUSTER_WRITABLE_DELAY) before it calls its cluster ok.
 */
export async function startRedisCluster(): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), "llmgw-cluster-"));
  const ports = await distinctFreePorts(3);
  const procs: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once("exit", () => resolve());
            p.kill("SIGKILL");
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      procs.push(
        spawn(
          "redis-server",
          [
            ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            ...["--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${port}.conf`), "--dir", dir],
            // A test's node never fails, but may be paused for seconds: the others must not call it failed
            // (with no replica to promote, the cluster would then refuse commands for a while after it returns).
            ...["--cluster-node-timeout", "30000"],
          ],
          { stdio: "ignore" },
        ),
      );
    }
    await Promise.all(ports.map(answersPing));
    const hosts = ports.map((p) => `127.0.0.1:${p}`);
    await run("redis-cli", ["--cluster", "create", ...hosts, "--cluster-replicas", "0", "--cluster-yes"], { timeout: 15_000 });
    await Promise.all(ports.map(clusterOk));
  } catch (err) {
    await stop();
    throw err;
  }
  const urls = ports.map((p) => `redis://127.0.0.1:${p}`);
  const client = () => new Cluster(ports.map((port) => ({ host: "127.0.0.1", port })));
  return {
    urls,
    client,
    async flush() {
      // FLUSHALL on each master: the command does not reach across a cluster.
      await Promise.all(
        ports.map(async (port) => {
          const c = new Redis(port, "127.0.0.1");
          await c.flushall();
          c.disconnect();
        }),
      );
    },
    pause: (i) => void procs[i]?.kill("SIGSTOP"),
    resume: (i) => void procs[i]?.kill("SIGCONT"),
    stop,
  };
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function answersPing(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const probe = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error(`redis-server did not start on port ${port}`);
}

/** Polls one master until it has every slot covered and sees three masters. */
async function clusterOk(port: number): Promise<void> {
  const c = new Redis(port, "127.0.0.1");
  try {
    for (let i = 0; i < 400; i++) {
      const info = await c.cluster("INFO");
      if (/cluster_state:ok/.test(info) && /cluster_known_nodes:3/.test(info) && /cluster_slots_ok:16384/.test(info)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis cluster node ${port} did not reach cluster_state:ok`);
  } finally {
    c.disconnect();
  }
}

/**
 * One real three-master Redis Cluster for a test file, with the same hooks as
 * redisForFile: started before the first test, harnesses closed and every
 * master flushed after each, stopped after the last.
 */
export function redisClusterForFile(): { readonly cluster: TestRedisCluster; client(): Cluster; track<T extends Closeable>(c: T): T } {
  let cluster: TestRedisCluster | undefined;
  const clients: Cluster[] = [];
  const tracked: Closeable[] = [];
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterEach(async () => {
    await Promise.all(tracked.splice(0).map((c) => c.close()));
    await cluster!.flush();
  });
  afterAll(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await cluster?.stop();
  });
  return {
    get cluster() {
      return cluster!;
    },
    client() {
      const c = cluster!.client();
      clients.push(c);
      return c;
    },
    track(c) {
      tracked.push(c);
      return c;
    },
  };
}

/**
 * The Redis rows of a store's contract test: the same contract run against one
 * Redis ("redis") and against a three-master Redis Cluster ("redis cluster"),
 * each started for the file and flushed after every test. `make` builds a row
 * from a function that opens a client on that target, e.g.
 *
 *   const backends = [["memory", () => createMemoryX()], ...redisBackends((client) => () => createRedisX(client()))];
 */
export function redisBackends<T>(make: (client: () => RedisClient) => T): [string, T][] {
  const single = redisForFile();
  const cluster = redisClusterForFile();
  return [
    ["redis", make(() => single.client())],
    ["redis cluster", make(() => cluster.client())],
  ];
}
