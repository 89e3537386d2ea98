import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll } from "vitest";

/** A real redis-server on a free port of 127.0.0.1, with no persistence. */
export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (to test outages); start() brings it back on the same port, and does nothing while it runs. */
  stop(): Promise<void>;
  start(): Promise<void>;
  flush(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const running = () => proc !== undefined && proc.exitCode === null && proc.signalCode === null;
  const start = async () => {
    if (running()) return;
    proc = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--enable-debug-command", "local"],
      { stdio: "ignore" },
    );
    // Ready when it answers PING.
    for (let i = 0; i < 200; i++) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
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
  };
  await start();
  return {
    url,
    port,
    start,
    stop: () =>
      new Promise((resolve) => {
        if (!running()) return resolve();
        proc!.once("exit", () => resolve());
        proc!.kill("SIGKILL");
      }),
    pause: () => void proc?.kill("SIGSTOP"),
    resume: () => void proc?.kill("SIGCONT"),
    flush: async () => {
      const c = new Redis(url);
      await c.flushall();
      c.disconnect();
    },
  };
}

/** Something a test opens and the file's hooks close. */
export interface Closeable {
  close(): Promise<void>;
}

/**
 * One real Redis for a test file. Before the first test it starts; after
 * each test the harnesses it tracked are closed, the server restarted if the
 * test stopped it, and flushed; after the last, clients are disconnected and
 * the server stopped.
 */
export function redisForFile(): { readonly server: TestRedis; client(): Redis; track<T extends Closeable>(c: T): T } {
  let server: TestRedis | undefined;
  const clients: Redis[] = [];
  const tracked: Closeable[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(tracked.splice(0).map((c) => c.close()));
    await server!.start();
    await server!.flush();
  });
  afterAll(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await server?.stop();
  });
  return {
    get server() {
      return server!;
    },
    client() {
      const c = new Redis(server!.url);
      clients.push(c);
      return c;
    },
    track(c) {
      tracked.push(c);
      return c;
    },
  };
}
