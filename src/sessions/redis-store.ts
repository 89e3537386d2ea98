import { createHash } from "node:crypto";
import type { ChatMessage } from "../core/types.js";
import type { RedisClient } from "../redis-client.js";
import type { NewSession, SessionRecord, SessionStore, StoredMessage } from "./store.js";

// Appends every message and moves the expiry in one step, so that concurrent appends interleave whole, never lost.
// KEYS: meta hash, message list. ARGV: now, ttl ms, messages as JSON...
const APPEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
for i = 3, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
local ttl = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[1], 'expiresAt', tonumber(ARGV[1]) + ttl)
redis.call('PEXPIRE', KEYS[1], ttl)
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ttl) end
return redis.call('LLEN', KEYS[2])
`;

// KEYS: meta hash, message list. ARGV: now, ttl ms, index, message JSON.
const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local index = tonumber(ARGV[3])
if index < 0 or index >= redis.call('LLEN', KEYS[2]) then return 0 end
redis.call('LSET', KEYS[2], index, ARGV[4])
local ttl = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[1], 'expiresAt', tonumber(ARGV[1]) + ttl)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
`;

type Scripted = RedisClient & {
  llmgwSessionAppend(meta: string, list: string, now: number, ttl: number, ...messages: string[]): Promise<number>;
  llmgwSessionUpdate(meta: string, list: string, now: number, ttl: number, index: number, message: string): Promise<number>;
};

/**
 * Sessions in Redis, shared by replicas: a hash per session (settings and
 * times), a list of its messages, both expiring together, and a sorted set
 * per owner for listing (members of expired sessions are pruned as they are met).
 * A session's hash and list share a slot (`{id}`), as the scripts need; the
 * owner's set lives elsewhere, so it is written after the session and
 * removed from after it, never in one transaction with it (a Redis Cluster
 * refuses one that spans slots).
 */
export function createRedisSessionStore(redis: RedisClient, prefix = "llmgw:session"): SessionStore {
  const r = redis as Scripted;
  r.defineCommand("llmgwSessionAppend", { numberOfKeys: 2, lua: APPEND });
  r.defineCommand("llmgwSessionUpdate", { numberOfKeys: 2, lua: UPDATE });
  const metaKey = (id: string) => `${prefix}:{${id}}`;
  const listKey = (id: string) => `${prefix}:{${id}}:messages`;
  const ownerKey = (owner: string) => `${prefix}:owner:${createHash("sha256").update(owner).digest("hex").slice(0, 24)}`;

  const toRecord = (id: string, h: Record<string, string>, count: number): SessionRecord | undefined => {
    if (!h["data"]) return undefined;
    return {
      ...(JSON.parse(h["data"]) as NewSession),
      id,
      updatedAt: Number(h["updatedAt"]),
      expiresAt: Number(h["expiresAt"]),
      messageCount: count,
    };
  };

  async function read(id: string): Promise<SessionRecord | undefined> {
    const [[, h], [, n]] = (await redis.multi().hgetall(metaKey(id)).llen(listKey(id)).exec()) as [
      [null, Record<string, string>],
      [null, number],
    ];
    return toRecord(id, h, n);
  }

  const encode = (m: ChatMessage, now: number) => JSON.stringify({ m, t: now });
  const decode = (raw: string, index: number): StoredMessage => {
    const { m, t } = JSON.parse(raw) as { m: ChatMessage; t: number };
    return { index, message: m, updatedAt: t };
  };

  return {
    kind: "redis",
    async create(s) {
      const expiresAt = s.createdAt + s.ttlMs;
      const { id, ...data } = s;
      await redis
        .multi()
        .hset(metaKey(id), { data: JSON.stringify({ ...data, id }), updatedAt: s.createdAt, expiresAt })
        .pexpire(metaKey(id), s.ttlMs)
        .exec();
      // Listed once it exists: a listing that met the id first would prune it as expired.
      // An unlisted record stays out of the owner's set, which only a listing prunes.
      if (!s.unlisted) await redis.zadd(ownerKey(s.owner), s.createdAt, id);
      return { ...structuredClone(s), updatedAt: s.createdAt, expiresAt, messageCount: 0 };
    },
    get: read,
    async messages(id, offset, limit) {
      if (limit <= 0) return [];
      const raw = await redis.lrange(listKey(id), offset, offset + limit - 1);
      return raw.map((x, i) => decode(x, offset + i));
    },
    async append(id, messages, now) {
      const record = await read(id);
      if (!record) return undefined;
      const n = await r.llmgwSessionAppend(metaKey(id), listKey(id), now, record.ttlMs, ...messages.map((m) => encode(m, now)));
      if (n < 0) return undefined;
      return { ...record, updatedAt: now, expiresAt: now + record.ttlMs, messageCount: n };
    },
    async update(id, index, message, now) {
      const record = await read(id);
      if (!record) return undefined;
      const ok = await r.llmgwSessionUpdate(metaKey(id), listKey(id), now, record.ttlMs, index, encode(message, now));
      return ok === 1 ? { index, message: structuredClone(message), updatedAt: now } : undefined;
    },
    async delete(id) {
      const record = await read(id);
      if (!record) return false;
      await redis.del(metaKey(id), listKey(id));
      await redis.zrem(ownerKey(record.owner), id);
      return true;
    },
    async list(owner, offset, limit) {
      const key = ownerKey(owner);
      const ids = await redis.zrevrange(key, 0, -1);
      const records = await Promise.all(ids.map(read));
      const stale = ids.filter((_, i) => !records[i]);
      if (stale.length > 0) await redis.zrem(key, ...stale);
      const live = records.filter((x): x is SessionRecord => x !== undefined && x.owner === owner);
      return { sessions: live.slice(offset, offset + limit), total: live.length };
    },
    async close() {},
  };
}
