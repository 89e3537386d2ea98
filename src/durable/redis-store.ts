import { queuedDuplicate, type RedisClient } from "../redis-client.js";
import type { CallRecord, DurableStore } from "./store.js";

// Every key of one call carries the same hash tag, so each script runs in one slot of a cluster.
const callKey = (id: string) => `llmgw:{durable:${id}}:call`;
const eventsKey = (id: string) => `llmgw:{durable:${id}}:events`;
const idemKey = (key: string) => `llmgw:{idem:${key}}`;
/** Appends and takeovers are announced here, so that readers on every replica wake without polling. */
const CHANNEL = "llmgw:durable:notify";

const CREATE = `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;
const APPEND = `if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
if #ARGV > 3 then redis.call('RPUSH', KEYS[2], unpack(ARGV, 4)) end
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'state', 'ended') end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return 1`;
const RENEW = `if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'leaseUntil', ARGV[2])
return 1`;
const CLAIM = `if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'leaseUntil')) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'leaseUntil', ARGV[3])
return 1`;
const TOUCH = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'seenUntil') or '0') < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'seenUntil', ARGV[1])
end
return 1`;
const UNBIND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Durable calls in Redis, shared by every replica: per call a hash (the record) and a list (the
 * journal, one JSON event per element), both expiring after the call's retention; an idempotency key
 * is a string naming its call. Owner-checked writes are Lua scripts, so a replica that lost its lease
 * can never write into a journal another replica continues.
 */
export function createRedisDurableStore(redis: RedisClient): DurableStore {
  const waiters = new Map<string, Set<() => void>>();
  let subscriber: RedisClient | undefined;
  let subscribed: Promise<unknown> | undefined;
  const listen = (): Promise<unknown> => {
    if (subscribed) return subscribed;
    // Its own connection: a subscribed connection takes no other commands.
    subscriber = queuedDuplicate(redis, { commandTimeout: undefined } as Record<string, unknown>);
    subscriber.on("message", (_channel: string, id: string) => {
      const set = waiters.get(id);
      if (!set) return;
      waiters.delete(id);
      for (const w of set) w();
    });
    subscribed = subscriber.subscribe(CHANNEL);
    return subscribed;
  };
  const notify = (id: string) => redis.publish(CHANNEL, id);

  return {
    async create(id, r, ttlMs) {
      const fields = Object.entries(r).flatMap(([k, v]) => [k, String(v)]);
      return (await redis.eval(CREATE, 1, callKey(id), ttlMs, ...fields)) === 1;
    },
    async get(id) {
      const h = await redis.hgetall(callKey(id));
      if (!h["owner"]) return undefined;
      return {
        tenant: h["tenant"] ?? "",
        digest: h["digest"] ?? "",
        request: h["request"] ?? "",
        owner: h["owner"],
        leaseUntil: Number(h["leaseUntil"]),
        seenUntil: Number(h["seenUntil"] ?? 0),
        retentionMs: Number(h["retentionMs"] ?? 0),
        state: h["state"] === "ended" ? "ended" : "running",
      } satisfies CallRecord;
    },
    async append(id, owner, events, ended, ttlMs) {
      const ok = (await redis.eval(APPEND, 2, callKey(id), eventsKey(id), owner, ended ? "1" : "0", ttlMs, ...events)) === 1;
      if (ok) await notify(id);
      return ok;
    },
    read: (id, after) => redis.lrange(eventsKey(id), after, -1),
    async renew(id, owner, leaseUntil) {
      return (await redis.eval(RENEW, 1, callKey(id), owner, leaseUntil)) === 1;
    },
    async claim(id, owner, now, leaseUntil) {
      const ok = (await redis.eval(CLAIM, 1, callKey(id), owner, now, leaseUntil)) === 1;
      if (ok) await notify(id);
      return ok;
    },
    async touch(id, seenUntil) {
      await redis.eval(TOUCH, 1, callKey(id), seenUntil);
    },
    async wait(id, after, timeoutMs, signal) {
      await listen();
      let done!: () => void;
      const woken = new Promise<void>((resolve) => {
        done = resolve;
      });
      let set = waiters.get(id);
      if (!set) waiters.set(id, (set = new Set()));
      set.add(done);
      // Subscribed before looking: an append between the look and the wait still wakes this reader.
      const [length, state] = await Promise.all([redis.llen(eventsKey(id)), redis.hget(callKey(id), "state")]);
      if (length > after || state !== "running" || signal.aborted) {
        set.delete(done);
        return;
      }
      const timer = setTimeout(done, timeoutMs);
      const onAbort = () => done();
      signal.addEventListener("abort", onAbort, { once: true });
      await woken;
      clearTimeout(timer);
      set.delete(done);
      signal.removeEventListener("abort", onAbort);
    },
    async bindKey(key, id, ttlMs) {
      const set = await redis.set(idemKey(key), id, "PX", ttlMs, "NX");
      if (set === "OK") return id;
      return (await redis.get(idemKey(key))) ?? (await this.bindKey(key, id, ttlMs));
    },
    async unbindKey(key, id) {
      await redis.eval(UNBIND, 1, idemKey(key), id);
    },
    async close() {
      for (const set of waiters.values()) for (const w of set) w();
      waiters.clear();
      subscriber?.disconnect();
    },
  };
}
