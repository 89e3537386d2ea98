import type { Clock } from "../core/clock.js";
import type { CallRecord, DurableStore } from "./store.js";

interface Entry {
  record: CallRecord;
  events: string[];
  expiresAt: number;
}

/**
 * Durable calls in this process: the embedded default, one replica. Entries expire lazily by the
 * clock; waiters are woken by the appends and record changes they wait for.
 */
export function createMemoryDurableStore(clock: Clock): DurableStore {
  const calls = new Map<string, Entry>();
  const keys = new Map<string, { id: string; expiresAt: number }>();
  const waiters = new Map<string, Set<() => void>>();

  const live = (id: string): Entry | undefined => {
    const e = calls.get(id);
    if (e && e.expiresAt <= clock.now()) {
      calls.delete(id);
      return undefined;
    }
    return e;
  };
  const wake = (id: string) => {
    const set = waiters.get(id);
    if (!set) return;
    waiters.delete(id);
    for (const w of set) w();
  };

  return {
    async create(id, record, ttlMs) {
      if (live(id)) return false;
      calls.set(id, { record: { ...record }, events: [], expiresAt: clock.now() + ttlMs });
      return true;
    },
    async get(id) {
      const e = live(id);
      return e ? { ...e.record } : undefined;
    },
    async append(id, owner, events, ended, ttlMs) {
      const e = live(id);
      if (!e || e.record.owner !== owner) return false;
      e.events.push(...events);
      if (ended) e.record.state = "ended";
      e.expiresAt = clock.now() + ttlMs;
      wake(id);
      return true;
    },
    async read(id, after) {
      return live(id)?.events.slice(after) ?? [];
    },
    async renew(id, owner, leaseUntil) {
      const e = live(id);
      if (!e || e.record.owner !== owner) return false;
      e.record.leaseUntil = leaseUntil;
      return true;
    },
    async claim(id, owner, now, leaseUntil) {
      const e = live(id);
      if (e?.record.state !== "running" || e.record.leaseUntil > now) return false;
      e.record.owner = owner;
      e.record.leaseUntil = leaseUntil;
      wake(id);
      return true;
    },
    async touch(id, seenUntil) {
      const e = live(id);
      if (e) e.record.seenUntil = Math.max(e.record.seenUntil, seenUntil);
    },
    wait(id, after, timeoutMs, signal) {
      return new Promise<void>((resolve) => {
        const e = live(id);
        if (!e || e.events.length > after || e.record.state === "ended" || signal.aborted) return resolve();
        let set = waiters.get(id);
        if (!set) waiters.set(id, (set = new Set()));
        const done = () => {
          cancel();
          set.delete(done);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const cancel = clock.after(timeoutMs, done);
        set.add(done);
        signal.addEventListener("abort", done, { once: true });
      });
    },
    async bindKey(key, id, ttlMs) {
      const bound = keys.get(key);
      if (bound && bound.expiresAt > clock.now()) return bound.id;
      keys.set(key, { id, expiresAt: clock.now() + ttlMs });
      return id;
    },
    async unbindKey(key, id) {
      if (keys.get(key)?.id === id) keys.delete(key);
    },
    async close() {
      for (const id of [...waiters.keys()]) wake(id);
    },
  };
}
