import type { Transport } from "@connectrpc/connect";
import { createGrpcTransport, createGrpcWebTransport, type GrpcTransportOptions } from "@connectrpc/connect-node";
import { createApp, type App } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import type { RunningServer } from "../../src/server/server.js";
import { createLogger, silentLogger } from "../../src/log.js";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import type { SpanProcessor } from "@opentelemetry/sdk-trace";
import type { Clock } from "../../src/core/clock.js";

/** A gateway on ports 0 in front of a fake upstream, with three providers: openai-compatible, anthropic and local. */
export interface Harness {
  upstream: FakeUpstream;
  app: App;
  server: RunningServer;
  grpcAddress: string;
  httpUrl: string;
  grpcUrl: string;
  /**
   * A transport to the face the RPC tests run against: the native gRPC
   * listener (grpc-js), or with LLMGW_TEST_FACE=grpc-web the browser listener
   * (connect-node) over gRPC-Web, so that one test proves both behave the same.
   */
  rpcTransport(options?: RpcTransportOptions): Transport;
  close(): Promise<void>;
}

/** What a test may set on its transport. */
export type RpcTransportOptions = Pick<GrpcTransportOptions, "interceptors" | "readMaxBytes" | "writeMaxBytes">;

/** The face RPC tests call (see Harness.rpcTransport). */
export const TEST_FACE = process.env["LLMGW_TEST_FACE"] === "grpc-web" ? "grpc-web" : "grpc";

/** A transport to a running gateway's face under test. */
export function rpcTransportTo(ports: { grpcPort: number; httpPort: number }, options: RpcTransportOptions = {}): Transport {
  return TEST_FACE === "grpc-web"
    ? createGrpcWebTransport({ baseUrl: `http://127.0.0.1:${ports.httpPort}`, httpVersion: "1.1", ...options })
    : createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports.grpcPort}`, ...options });
}

/** Options of the harness. */
export interface HarnessOptions {
  /** Each fake provider's own timeout for one upstream call; "defaults" leaves every provider timeout at its default. */
  providerTimeoutMs?: number | "defaults";
  /** The clock the gateway runs on (a manual one, to drive timeouts without waiting). */
  clock?: Clock;
  /** Uniform in [0, 1), for the semantic cache's audits: a fixed one makes them repeatable. */
  random?: () => number;
  /** Each fake provider's timeout until a stream's first token. */
  firstTokenTimeoutMs?: number;
  /** Replaces the server section (ports stay 0 unless given). */
  server?: Record<string, unknown>;
  /** Breaker settings; by default breakers never open, so that fault tests stay independent. */
  breaker?: Record<string, unknown>;
  /** Retry settings; by default the budget is empty (no retries; fallback still on), so each fault is seen as it is. */
  retry?: Record<string, unknown>;
  /** Rate limits (the limits section). */
  limits?: Record<string, unknown>;
  /** The queue section (waiting at limits and concurrency caps). */
  queue?: Record<string, unknown>;
  /** A Redis URL for the stores that use one. */
  redisUrl?: string;
  /** How often Redis is probed with a PING. */
  redisProbeMs?: number;
  /** More of the redis section (mode: cluster, nodes), with redisUrl. */
  redis?: Record<string, unknown>;
  /** The usage section (store). */
  usage?: Record<string, unknown>;
  /** The cache section. */
  cache?: Record<string, unknown>;
  /** The sessions section. */
  sessions?: Record<string, unknown>;
  /** The tools section. */
  tools?: Record<string, unknown>;
  /** The durable section (resumable streams, idempotency keys). */
  durable?: Record<string, unknown>;
  /** The auth section (tenants and keys). */
  auth?: Record<string, unknown>;
  /** The log section. */
  log?: Record<string, unknown>;
  /** The budgets section (alerts). */
  budgets?: Record<string, unknown>;
  /** The keys section (runtime API keys). */
  keys?: Record<string, unknown>;
  /** The requestLog section. */
  requestLog?: Record<string, unknown>;
  /** Where spans go (an in-memory exporter's processor). */
  spanProcessor?: SpanProcessor;
  /** Receives every log line (info and up). */
  logSink?: (line: string) => void;
  /** Models added to the catalogue after the harness's own (embedding models, for one). */
  extraModels?: Record<string, unknown>[];
  /** The environment the gateway sees (none by default). */
  env?: NodeJS.ProcessEnv;
}

/** The deployments of model "dual": the OpenAI-format fake first, the Anthropic fake second. */
export const dualDeployments = [
  { provider: "fake-openai", upstreamModel: "gpt-4o-mini", pricing: { inputPerMillion: 1, outputPerMillion: 2 } },
  { provider: "fake-anthropic", upstreamModel: "claude-haiku-4-5", pricing: { inputPerMillion: 3, outputPerMillion: 15 } },
];

/** Starts the harness. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const timeouts =
    options.providerTimeoutMs === "defaults"
      ? {}
      : {
          timeoutMs: options.providerTimeoutMs ?? 5000,
          ...(options.firstTokenTimeoutMs ? { firstTokenTimeoutMs: options.firstTokenTimeoutMs } : {}),
        };
  const upstream = await startFakeUpstream();
  const config = validateConfig(
    {
      server: {
        host: "127.0.0.1",
        grpcPort: 0,
        httpPort: 0,
        shutdownGraceMs: 2000,
        corsOrigins: ["http://playground.test"],
        ...options.server,
      },
      defaultModel: "gpt-test",
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.queue ? { queue: options.queue } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
      ...(options.sessions ? { sessions: options.sessions } : {}),
      ...(options.usage ? { usage: options.usage } : {}),
      ...(options.tools ? { tools: options.tools } : {}),
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.durable ? { durable: options.durable } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.budgets ? { budgets: options.budgets } : {}),
      ...(options.keys ? { keys: options.keys } : {}),
      ...(options.requestLog ? { requestLog: options.requestLog } : {}),
      ...(options.redisUrl
        ? { redis: { url: options.redisUrl, ...(options.redisProbeMs ? { probeIntervalMs: options.redisProbeMs } : {}), ...options.redis } }
        : {}),
      resilience: {
        breaker: options.breaker ?? { volumeThreshold: 1_000_000 },
        retry: options.retry ?? { budgetRatio: 0, budgetBurst: 0 },
      },
      providers: [
        { name: "fake-openai", kind: "openai-compatible", baseUrl: upstream.openAiBaseUrl, apiKey: "sk-test", ...timeouts },
        // The same upstream through the official openai SDK, the other client an OpenAI-format provider may use.
        {
          name: "fake-openai-sdk",
          kind: "openai-compatible",
          client: "sdk",
          baseUrl: upstream.openAiBaseUrl,
          apiKey: "sk-test",
          ...timeouts,
        },
        { name: "fake-openai-native", kind: "openai", baseUrl: upstream.openAiBaseUrl, apiKey: "sk-test", ...timeouts },
        { name: "fake-anthropic", kind: "anthropic", baseUrl: upstream.anthropicBaseUrl, apiKey: "sk-ant-test", ...timeouts },
        { name: "local", kind: "local" },
      ],
      models: [
        {
          name: "gpt-test",
          provider: "fake-openai",
          upstreamModel: "gpt-4o-mini",
          aliases: ["fast"],
          pricing: { inputPerMillion: 1, outputPerMillion: 2 },
          capabilities: { tools: true, vision: true, jsonMode: true, documents: true, audio: true, reasoning: true },
        },
        {
          name: "claude-test",
          provider: "fake-anthropic",
          upstreamModel: "claude-haiku-4-5",
          pricing: { inputPerMillion: 3, outputPerMillion: 15 },
          capabilities: { tools: true, vision: true, jsonMode: true, documents: true, reasoning: true },
        },
        { name: "local-echo", provider: "local", maxOutputTokens: 256 },
        // A model whose server cannot stream: unary calls ask it without streaming.
        { name: "no-stream", provider: "fake-openai", upstreamModel: "gpt-4o-mini", capabilities: { streaming: false } },
        { name: "dual", deployments: dualDeployments },
        { name: "hedged", deployments: dualDeployments, hedgeAfterMs: 100 },
        // A small window, for trimming tests.
        {
          name: "tiny",
          provider: "fake-openai",
          upstreamModel: "gpt-4o-mini",
          contextWindow: 300,
          maxOutputTokens: 50,
          tokenizer: "o200k_base",
        },
        // Through the official openai SDK, the other client of OpenAI-format providers.
        {
          name: "gpt-sdk",
          provider: "fake-openai-sdk",
          upstreamModel: "gpt-4o-mini",
          pricing: { inputPerMillion: 1, outputPerMillion: 2 },
          capabilities: { tools: true, vision: true, jsonMode: true, documents: true, audio: true, reasoning: true },
        },
        // OpenAI's own API (kind openai): modern parameters, no pass-through body.
        {
          name: "gpt-native",
          provider: "fake-openai-native",
          upstreamModel: "gpt-4o-mini",
          pricing: { inputPerMillion: 1, outputPerMillion: 2 },
          capabilities: { tools: true, vision: true, jsonMode: true, documents: true, audio: true, reasoning: true },
        },
        ...(options.extraModels ?? []),
      ],
    },
    {},
  );
  const logger = options.logSink
    ? createLogger("info", options.logSink)
    : process.env["HARNESS_LOG"]
      ? createLogger("debug")
      : silentLogger;
  const app = createApp(config, {
    logger,
    env: options.env ?? {},
    ...(options.spanProcessor ? { spanProcessor: options.spanProcessor } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  const server = await app.start();
  return {
    upstream,
    app,
    server,
    grpcAddress: `127.0.0.1:${server.grpcPort}`,
    grpcUrl: `http://127.0.0.1:${server.grpcPort}`,
    httpUrl: `http://127.0.0.1:${server.httpPort}`,
    rpcTransport: (transportOptions) => rpcTransportTo(server, transportOptions),
    close: async () => {
      await server.close(0);
      await upstream.close();
    },
  };
}
