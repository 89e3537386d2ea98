import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { invalidRequest } from "../core/errors.js";
import type { KeyManager } from "../keys/manage.js";
import type { KeyRecord } from "../keys/store.js";
import { tenantOf } from "./auth.js";
import {
  ApiKeySchema,
  CreateKeyResponseSchema,
  GetKeyResponseSchema,
  type KeyService,
  ListKeysResponseSchema,
  RevokeKeyResponseSchema,
  RotateKeyResponseSchema,
} from "../../gen/ts/llmgateway/v1/key_service_pb.js";

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** The KeyService: thin over the key manager, which checks rights and input. Secrets leave only in Create and Rotate answers. */
export function createKeyService(keys: KeyManager): ServiceImpl<typeof KeyService> {
  return {
    async createKey(req, ctx) {
      const { record, secret } = await keys.create(tenantOf(ctx), {
        tenant: req.tenant,
        name: req.name,
        project: req.project,
        allowedModels: req.allowedModels,
        limits: {
          requestsPerMinute: Number(req.limits?.requestsPerMinute ?? 0n),
          requestsPerHour: Number(req.limits?.requestsPerHour ?? 0n),
          tokensPerMinute: Number(req.limits?.tokensPerMinute ?? 0n),
        },
        budget: { dailyUsd: req.budget?.dailyUsd ?? 0, monthlyUsd: req.budget?.monthlyUsd ?? 0 },
        metadata: req.metadata,
        expiresAt: Number(req.expireTimeMs),
        priority: req.priority,
      });
      return create(CreateKeyResponseSchema, { key: toApiKey(record), secret });
    },
    async listKeys(req, ctx) {
      const size = req.pageSize || DEFAULT_PAGE;
      if (size < 0 || size > MAX_PAGE) throw invalidRequest("page_size", `must be 1 to ${MAX_PAGE}, or 0 for ${DEFAULT_PAGE}`);
      const offset = req.pageToken ? Number(req.pageToken) : 0;
      if (!Number.isSafeInteger(offset) || offset < 0) throw invalidRequest("page_token", "pass a previous answer's next_page_token");
      const page = await keys.list(tenantOf(ctx), req.tenant, offset, size);
      return create(ListKeysResponseSchema, {
        keys: page.records.map(toApiKey),
        nextPageToken: page.next === undefined ? "" : String(page.next),
      });
    },
    async getKey(req, ctx) {
      return create(GetKeyResponseSchema, { key: toApiKey(await keys.get(tenantOf(ctx), req.id)) });
    },
    async rotateKey(req, ctx) {
      const { record, secret } = await keys.rotate(tenantOf(ctx), req.id, Number(req.graceSeconds));
      return create(RotateKeyResponseSchema, { key: toApiKey(record), secret });
    },
    async revokeKey(req, ctx) {
      return create(RevokeKeyResponseSchema, { key: toApiKey(await keys.revoke(tenantOf(ctx), req.id)) });
    },
  };
}

/** A key as callers see it: everything but its digests. */
export function toApiKey(r: KeyRecord) {
  const [current, previous] = r.secrets;
  return create(ApiKeySchema, {
    id: r.id,
    tenant: r.tenant,
    name: r.name,
    project: r.project ?? "",
    allowedModels: r.allowedModels ?? [],
    limits: {
      requestsPerMinute: BigInt(r.limits?.requestsPerMinute ?? 0),
      requestsPerHour: BigInt(r.limits?.requestsPerHour ?? 0),
      tokensPerMinute: BigInt(r.limits?.tokensPerMinute ?? 0),
    },
    budget: { dailyUsd: r.budget?.dailyUsd ?? 0, monthlyUsd: r.budget?.monthlyUsd ?? 0 },
    metadata: r.metadata,
    secretPrefix: current?.prefix ?? "",
    createTimeMs: BigInt(r.createdAt),
    expireTimeMs: BigInt(r.expiresAt ?? 0),
    revokeTimeMs: BigInt(r.revokedAt ?? 0),
    previousSecretValidUntilMs: BigInt(previous?.validUntil ?? 0),
    ...(r.priority === undefined ? {} : { priority: r.priority }),
  });
}
