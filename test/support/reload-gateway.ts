import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createApp, type App } from "../../src/app.js";
import { loadConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/log.js";
import type { RunningServer } from "../../src/server/server.js";
import { AdminService } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { bearer } from "./auth.js";
import { rpcTransportTo } from "./harness.js";

/** A gateway started from a configuration file that the test rewrites and reloads. */
export interface ReloadGateway {
  app: App;
  server: RunningServer;
  httpUrl: string;
  /** Rewrites the configuration file (an object as JSON, or raw text). */
  write(config: object | string): void;
  /** What a start-up from the file as it is now would fail with, or undefined. */
  startupError(): string | undefined;
  admin(key?: string): ReturnType<typeof createClient<typeof AdminService>>;
  completion(key?: string): ReturnType<typeof createClient<typeof CompletionService>>;
  logs: string[];
  close(): Promise<void>;
}

export const ADMIN_KEY = "sk-reload-ops";
export const USER_KEY = "sk-reload-user";

/** Starts a gateway from `config`, written to a file its reloads read. */
export async function startReloadGateway(config: object): Promise<ReloadGateway> {
  const file = join(mkdtempSync(join(tmpdir(), "gw-reload-")), "config.json");
  const write = (c: object | string) => writeFileSync(file, typeof c === "string" ? c : JSON.stringify(c));
  write(config);
  const env = { LLM_GATEWAY_CONFIG: file };
  const logs: string[] = [];
  const app = createApp(loadConfig({ env }), { logger: createLogger("info", (l) => logs.push(l)), env });
  const server = await app.start();
  return {
    app,
    server,
    httpUrl: `http://127.0.0.1:${server.httpPort}`,
    write,
    startupError() {
      try {
        loadConfig({ env });
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
    admin: (key = ADMIN_KEY) => createClient(AdminService, rpcTransportTo(server, { interceptors: [bearer(key)] })),
    completion: (key = USER_KEY) => createClient(CompletionService, rpcTransportTo(server, { interceptors: [bearer(key)] })),
    logs,
    close: () => server.close(0),
  };
}
