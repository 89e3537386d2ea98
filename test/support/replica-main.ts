import { createApp } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/log.js";

// A replica for replica-process.ts: the configuration from REPLICA_CONFIG; its ports, as JSON, on stdout.
const config = validateConfig(JSON.parse(process.env["REPLICA_CONFIG"] ?? "{}") as object, {});
const server = await createApp(config, { logger: silentLogger, env: {} }).start();
process.stdout.write(`${JSON.stringify({ grpcPort: server.grpcPort, httpPort: server.httpPort })}\n`);
