import type { GatewayConfig } from "./config/schema.js";
import { tuneHeap } from "./heap.js";

// Before the rest of the gateway is loaded: loading its modules is what grows the young generation.
const heap = tuneHeap();

async function main(): Promise<void> {
  const [{ ConfigError, loadConfig }, { createApp }, { createLogger }] = await Promise.all([
    import("./config/load.js"),
    import("./app.js"),
    import("./log.js"),
  ]);
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`llm-gateway: bad configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.log.level);
  const app = createApp(config, { logger });
  const server = await app.start();
  heap.startedUp();
  const host = config.server.host;
  const models = app.gateway.catalog.models;
  logger.info("llm-gateway started", {
    grpc: `${host}:${server.grpcPort}`,
    http: `${host}:${server.httpPort}`,
    tls: config.server.tls !== undefined,
    providers: config.providers.map((p) => `${p.name} (${p.kind})`),
    defaultModel: app.gateway.catalog.defaultModel,
    cache: config.cache.enabled
      ? `${config.cache.store}, ${config.cache.cacheWhen}${config.cache.semantic.enabled ? `, semantic (${config.cache.semantic.embedder})` : ""}`
      : "off",
  });
  process.stdout.write(
    `llm-gateway listening: gRPC on ${host}:${server.grpcPort} (HTTP/2, grpc-js), gRPC-Web, Connect, OpenAI REST (/v1), metrics (/metrics) and the playground (/) on ${host}:${server.httpPort} (HTTP/1.1)\n`,
  );
  if (models.every((m) => m.providerKind === "local")) {
    process.stdout.write(
      "NOTE: no OPENAI_API_KEY or ANTHROPIC_API_KEY is set: serving only the offline local echo model, which is not a real LLM.\n",
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info("shutting down", { signal, graceMs: config.server.shutdownGraceMs });
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error("shutdown failed", { error: String(err) });
        process.exit(1);
      },
    );
  };
  // SIGHUP re-reads the configuration file; the outcome is logged (and a refusal counted) by the reloader.
  process.on("SIGHUP", () => {
    if (stopping) return;
    app.reload().catch((err: unknown) => logger.error("configuration reload failed", { error: String(err) }));
  });
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  process.stderr.write(`llm-gateway: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
