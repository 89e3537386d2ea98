import type { Cluster, Redis, RedisOptions } from "ioredis";
import type { Logger } from "../../log.js";
import type { RedisClient } from "../../redis-client.js";
import type { SemanticEntry, SemanticSync } from "./memory-index.js";

/**
 * Shares semantic entries through one Redis stream: a replica appends what it
 * stores (vector included, so no other replica embeds it again), and every
 * replica reads the stream from its oldest kept entry, then follows it with a
 * blocking XREAD on its own connection. The stream is trimmed to about
 * `maxLen` entries; clears travel as entries too. The stream is one key, so
 * on a Redis Cluster it lives on one master, which every replica reads.
 */
export function createRedisSemanticSync(
  redis: RedisClient,
  options: { embedder: string; maxLen: number; logger: Logger; key?: string },
): SemanticSync {
  const key = options.key ?? "llmgw:semantic";
  // Blocking reads need a connection of their own, and one that queues while it reconnects.
  // Blocking reads wait up to a second by design: no command timeout here (ioredis applies any number, even 0).
  const unbounded = { maxRetriesPerRequest: null, commandTimeout: undefined } as RedisOptions;
  const reader: RedisClient = redis.isCluster
    ? // A cluster's command timeout lives in the options of its node connections.
      (redis as Cluster).duplicate([], {
        enableOfflineQueue: true,
        redisOptions: { ...(redis as Cluster).options.redisOptions, ...unbounded },
      } as Parameters<Cluster["duplicate"]>[1])
    : (redis as Redis).duplicate({ enableOfflineQueue: true, ...unbounded });
  reader.on("error", () => {});
  let closed = false;

  async function follow(onEntry: (e: SemanticEntry) => void, onClear: (tenant: string | undefined) => void): Promise<void> {
    let last = "0";
    let failing = false;
    while (!closed) {
      try {
        const res = await reader.xreadBuffer("COUNT", 1000, "BLOCK", 1000, "STREAMS", key, last);
        failing = false;
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            last = id.toString();
            const f = new Map<string, Buffer>();
            for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!.toString(), fields[i + 1]!);
            const op = f.get("op")?.toString();
            if (op === "clear") {
              const tenant = f.get("tenant")?.toString();
              onClear(tenant === "*" ? undefined : tenant);
            } else if (op === "add" && f.get("embedder")?.toString() === options.embedder) {
              const raw = f.get("vector")!;
              // Copy out of the reply buffer, which may not be aligned for floats.
              const vector = new Float32Array(raw.byteLength / 4);
              new Uint8Array(vector.buffer).set(raw);
              onEntry({
                tenant: f.get("tenant")!.toString(),
                scope: f.get("scope")!.toString(),
                query: f.get("query")!.toString(),
                key: f.get("key")!.toString(),
                expiresAt: Number(f.get("expiresAt")!.toString()),
                vector,
              });
            }
          }
        }
      } catch (err) {
        if (closed) return;
        if (!failing)
          options.logger.warn("semantic cache: cannot read shared entries; retrying", {
            error: err instanceof Error ? err.message : String(err),
          });
        failing = true;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  return {
    async publish(e) {
      await redis.xadd(
        key,
        "MAXLEN",
        "~",
        options.maxLen,
        "*",
        "op",
        "add",
        "embedder",
        options.embedder,
        "tenant",
        e.tenant,
        "scope",
        e.scope,
        "query",
        e.query,
        "key",
        e.key,
        "expiresAt",
        String(e.expiresAt),
        "vector",
        Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength),
      );
    },
    async publishClear(tenant) {
      await redis.xadd(key, "MAXLEN", "~", options.maxLen, "*", "op", "clear", "tenant", tenant ?? "*");
    },
    subscribe(onEntry, onClear) {
      void follow(onEntry, onClear);
    },
    async close() {
      closed = true;
      reader.disconnect();
    },
  };
}
