import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import type { Gateway } from "../pipeline/pipeline.js";
import type { DurableFace } from "../durable/durable.js";
import * as reflectionV1 from "../../gen/ts/grpc/reflection/v1/reflection_pb.js";
import * as reflectionV1alpha from "../../gen/ts/grpc/reflection/v1alpha/reflection_pb.js";
import { file_health_v1_health, Health } from "../../gen/ts/health/v1/health_pb.js";
import { CompletionService, file_llmgateway_v1_completion_service } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { file_llmgateway_v1_health_service, HealthService } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { CacheService, file_llmgateway_v1_cache_service } from "../../gen/ts/llmgateway/v1/cache_service_pb.js";
import { createCacheService } from "./cache-service.js";
import { file_llmgateway_v1_session_service, SessionService } from "../../gen/ts/llmgateway/v1/session_service_pb.js";
import type { Sessions } from "../sessions/sessions.js";
import { createSessionService } from "./session-service.js";
import { file_llmgateway_v1_tool_service, ToolService } from "../../gen/ts/llmgateway/v1/tool_service_pb.js";
import type { Tools } from "../tools/registry.js";
import { createToolService } from "./tool-service.js";
import { AdminService, file_llmgateway_v1_admin_service } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { createAdminService, type AdminDeps } from "./admin-service.js";
import { createCompletionService } from "./completion-service.js";
import { file_llmgateway_v1_key_service, KeyService } from "../../gen/ts/llmgateway/v1/key_service_pb.js";
import type { KeyManager } from "../keys/manage.js";
import { createKeyService } from "./key-service.js";
import { EmbeddingService, file_llmgateway_v1_embedding_service } from "../../gen/ts/llmgateway/v1/embedding_service_pb.js";
import { createEmbeddingService } from "./embedding-service.js";
import { createGrpcHealthService } from "./grpc-health.js";
import { createHealthService } from "./health-service.js";
import { createReflectionServices } from "./reflection.js";
import { file_google_rpc_error_details } from "../../gen/ts/google/rpc/error_details_pb.js";
import { file_google_rpc_status } from "../../gen/ts/google/rpc/status_pb.js";

/** The services the gateway answers for, by fully-qualified name. */
export const servedServices = [
  CompletionService,
  EmbeddingService,
  HealthService,
  CacheService,
  SessionService,
  ToolService,
  AdminService,
  KeyService,
  Health,
  reflectionV1.ServerReflection,
  reflectionV1alpha.ServerReflection,
].map((s) => s.typeName);

/** What the services are built from. */
export interface RouteDeps extends Omit<AdminDeps, "gateway"> {
  gateway: Gateway;
  sessions: Sessions;
  tools: Tools;
  /** Runtime API keys (KeyService). */
  keys: KeyManager;
  /** The most one message may carry (server.maxMessageBytes): an embedding response too large is refused up front. */
  maxMessageBytes?: number;
  /** Resumable streams and idempotency keys; absent, neither. */
  durable?: DurableFace | undefined;
}

/** A served service: its descriptor and its implementation. */
export interface ServiceEntry {
  desc: DescService;
  impl: ServiceImpl<DescService>;
}

const entry = <S extends DescService>(desc: S, impl: ServiceImpl<S>): ServiceEntry => ({
  desc,
  impl: impl as unknown as ServiceImpl<DescService>,
});

/** Every service the gateway answers for, built once: both listeners serve these same implementations. */
export function services(deps: RouteDeps): ServiceEntry[] {
  const { gateway, clock, sessions, tools } = deps;
  const reflection = createReflectionServices(
    [
      file_llmgateway_v1_completion_service,
      file_llmgateway_v1_embedding_service,
      file_llmgateway_v1_health_service,
      file_llmgateway_v1_cache_service,
      file_llmgateway_v1_session_service,
      file_llmgateway_v1_tool_service,
      file_llmgateway_v1_admin_service,
      file_llmgateway_v1_key_service,
      file_health_v1_health,
      reflectionV1.file_grpc_reflection_v1_reflection,
      reflectionV1alpha.file_grpc_reflection_v1alpha_reflection,
      // Not services, but what every error carries (grpc-status-details-bin): tools that know only
      // reflection (grpcurl, buf curl) can then decode ErrorInfo and RetryInfo.
      file_google_rpc_error_details,
      file_google_rpc_status,
    ],
    servedServices,
  );
  return [
    entry(CompletionService, createCompletionService(gateway, clock, deps.durable)),
    entry(EmbeddingService, createEmbeddingService(gateway, clock, deps.maxMessageBytes)),
    entry(AdminService, createAdminService(deps)),
    entry(KeyService, createKeyService(deps.keys)),
    entry(HealthService, createHealthService(gateway)),
    entry(CacheService, createCacheService(gateway.cache, gateway.embeddingCache)),
    entry(SessionService, createSessionService(sessions, gateway.catalog)),
    entry(ToolService, createToolService(tools)),
    entry(
      Health,
      createGrpcHealthService(gateway.health, [
        CompletionService.typeName,
        EmbeddingService.typeName,
        HealthService.typeName,
        CacheService.typeName,
        SessionService.typeName,
        ToolService.typeName,
        AdminService.typeName,
        KeyService.typeName,
      ]),
    ),
    entry(reflectionV1.ServerReflection, reflection.v1),
    entry(reflectionV1alpha.ServerReflection, reflection.v1alpha),
  ];
}

/** Registers services on a Connect router. */
export function registerRoutes(router: ConnectRouter, entries: readonly ServiceEntry[]): void {
  for (const { desc, impl } of entries) router.service(desc, impl);
}
