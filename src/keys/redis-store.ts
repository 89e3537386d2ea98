import { queuedDuplicate, type RedisClient } from "../redis-client.js";
import type { KeyPage, KeyRecord, KeyStore } from "./store.js";

// Every key of the store shares the {keys} hash tag, so that the scripts below touch one slot of a Redis
// Cluster. Key records are small and read through each replica's short cache, so one slot carries them well.
const RECORDS = "llmgw:{keys}:records";
const DIGESTS = "llmgw:{keys}:digests";
const ALL = "llmgw:{keys}:all";
const byTenant = (tenant: string) => `llmgw:{keys}:tenant:${tenant}`;
/** Where every replica hears of changes; a channel is not a key, and a Cluster carries it to every node. */
export const KEY_CHANGES_CHANNEL = "llmgw:keys:changed";

// KEYS: records, digests, tenant index, all index. ARGV: id, record, expected version, created at, n, n digests
// to index, then the digests to drop. The version check and every index change happen at once.
const PUT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
local expected = tonumber(ARGV[3])
if expected == 0 then
  if current then return 0 end
elseif not current or cjson.decode(current).version ~= expected then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local n = tonumber(ARGV[5])
for i = 6, 5 + n do redis.call('HSET', KEYS[2], ARGV[i], ARGV[1]) end
for i = 6 + n, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then redis.call('HDEL', KEYS[2], ARGV[i]) end
end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
return 1`;

// KEYS: digests, records. ARGV: digest. One round trip for the lookup a call's authentication may need.
const BY_DIGEST = `
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then return false end
return redis.call('HGET', KEYS[2], id)`;

const parse = (json: string | null | undefined): KeyRecord | undefined => (json ? (JSON.parse(json) as KeyRecord) : undefined);

/**
 * Keys in Redis, shared by every replica. Writes are published on
 * KEY_CHANGES_CHANNEL; a second connection (subscribers cannot send other
 * commands) hears them and tells this replica's listeners, and after a
 * reconnection tells them that anything may have changed.
 */
export function createRedisKeyStore(redis: RedisClient): KeyStore {
  const listeners = new Set<(id: string | undefined) => void>();
  let subscriber: RedisClient | undefined;
  let subscribed: Promise<void> | undefined;
  const tell = (id: string | undefined) => {
    for (const l of listeners) l(id);
  };
  const subscribe = () => {
    if (subscriber) return;
    // Queued until connected: the shared client fails commands at once while down, a subscription should wait.
    const sub = queuedDuplicate(redis, { maxRetriesPerRequest: null });
    let connectedBefore = false;
    sub.on("ready", () => {
      // Messages sent while this connection was down were lost: every cached lookup is suspect.
      if (connectedBefore) tell(undefined);
      connectedBefore = true;
    });
    sub.on("message", (channel: string, id: string) => {
      if (channel === KEY_CHANGES_CHANNEL) tell(id);
    });
    sub.on("error", () => {});
    subscribed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      timer.unref();
      sub.subscribe(KEY_CHANGES_CHANNEL).then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        () => {},
      );
    });
    subscriber = sub;
  };
  return {
    async put(record, expectedVersion, retired) {
      const digests = record.secrets.map((s) => s.digest);
      const done = await redis.eval(
        PUT,
        4,
        RECORDS,
        DIGESTS,
        byTenant(record.tenant),
        ALL,
        record.id,
        JSON.stringify(record),
        expectedVersion,
        record.createdAt,
        digests.length,
        ...digests,
        ...retired,
      );
      if (done !== 1) return false;
      // The write stands even if this message is lost: other replicas' caches lapse within keys.cacheMs.
      await redis.publish(KEY_CHANGES_CHANNEL, record.id).catch(() => 0);
      return true;
    },
    async get(id) {
      return parse(await redis.hget(RECORDS, id));
    },
    async byDigest(digest) {
      return parse((await redis.eval(BY_DIGEST, 2, DIGESTS, RECORDS, digest)) as string | null);
    },
    async list(tenant, offset, limit): Promise<KeyPage> {
      const index = tenant === undefined ? ALL : byTenant(tenant);
      // One more than asked: whether a next page exists.
      const ids = await redis.zrevrange(index, offset, offset + limit);
      const page = ids.slice(0, limit);
      const records = page.length ? (await redis.hmget(RECORDS, ...page)).map(parse).filter((r): r is KeyRecord => r !== undefined) : [];
      return ids.length > limit ? { records, next: offset + limit } : { records };
    },
    onChange(listener) {
      subscribe();
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready() {
      subscribe();
      return subscribed ?? Promise.resolve();
    },
    async close() {
      listeners.clear();
      subscriber?.disconnect();
      subscriber = undefined;
    },
  };
}
