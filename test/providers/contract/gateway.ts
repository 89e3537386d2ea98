import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import OpenAI from "openai";
import { CompletionService } from "../../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { createApp, type App } from "../../../src/app.js";
import { validateConfig } from "../../../src/config/load.js";
import { silentLogger } from "../../../src/log.js";
import type { RunningServer } from "../../../src/server/server.js";
import { type FakeUpstream, startFakeUpstream } from "../../support/fake-upstream.js";

/** What a gateway in front of the fake upstream is configured with, beyond its ports. */
export interface GatewayParts {
  providers: Record<string, unknown>[];
  models: Record<string, unknown>[];
  /** The environment credentials are read from. */
  env?: Record<string, string>;
  /** The resilience section; by default breakers never open and nothing is retried (fallback still on). */
  resilience?: Record<string, unknown>;
  routing?: Record<string, unknown>;
}

/** A whole gateway on ports 0 in front of a fake upstream, with the two clients callers use. */
export interface Gateway {
  upstream: FakeUpstream;
  app: App;
  server: RunningServer;
  grpcUrl: string;
  /** The openai SDK on the gateway's REST face. */
  sdk: OpenAI;
  /** A gRPC client of CompletionService. */
  grpc: Client<typeof CompletionService>;
  close(): Promise<void>;
}

/** Starts a fake upstream, then a gateway whose providers point at it (the parts are built from its URLs). */
export async function startGateway(parts: (upstream: FakeUpstream) => GatewayParts): Promise<Gateway> {
  const upstream = await startFakeUpstream();
  const p = parts(upstream);
  const env = p.env ?? {};
  const config = validateConfig(
    {
      server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, shutdownGraceMs: 500 },
      resilience: p.resilience ?? { breaker: { volumeThreshold: 1_000_000 }, retry: { budgetRatio: 0, budgetBurst: 0 } },
      ...(p.routing ? { routing: p.routing } : {}),
      providers: p.providers,
      models: p.models,
    },
    env,
  );
  const app = createApp(config, { logger: silentLogger, env });
  const server = await app.start();
  const grpcUrl = `http://127.0.0.1:${server.grpcPort}`;
  return {
    upstream,
    app,
    server,
    grpcUrl,
    sdk: new OpenAI({ apiKey: "unused", baseURL: `http://127.0.0.1:${server.httpPort}/v1`, maxRetries: 0 }),
    grpc: createClient(CompletionService, createGrpcTransport({ baseUrl: grpcUrl })),
    close: async () => {
      await server.close(0);
      await upstream.close();
    },
  };
}
