import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/*
 * A gateway replica in a child process, so that a test can kill it outright (SIGKILL): no shutdown hook
 * runs, nothing is handed over, its streams just stop, as when a machine dies. The child runs
 * replica-main.ts from the TypeScript sources and prints its ports once it listens.
 */

export interface ReplicaProcess {
  grpcPort: number;
  httpPort: number;
  kill(): Promise<void>;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Starts a replica with this configuration (as a config file holds it). */
export async function startReplicaProcess(config: object): Promise<ReplicaProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--experimental-transform-types", "--no-warnings", "--import", here("./ts-hooks.mjs"), here("./replica-main.ts")],
    { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, REPLICA_CONFIG: JSON.stringify(config) } },
  );
  const lines = createInterface({ input: child.stdout! });
  const ports = await new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the replica exited (${code}) before listening`)));
    lines.on("line", (line) => {
      if (line.startsWith("{")) resolve(JSON.parse(line) as { grpcPort: number; httpPort: number });
    });
  });
  return {
    ...ports,
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
