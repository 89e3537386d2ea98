import type { KeyPage, KeyRecord, KeyStore } from "./store.js";

const copy = (r: KeyRecord): KeyRecord => structuredClone(r);

/** Keys in this process only: for one replica, or tests. Records are copied in and out, as Redis would. */
export function createMemoryKeyStore(): KeyStore {
  const byId = new Map<string, KeyRecord>();
  const digests = new Map<string, string>();
  const listeners = new Set<(id: string | undefined) => void>();
  return {
    async put(record, expectedVersion, retired) {
      const current = byId.get(record.id);
      if ((current?.version ?? 0) !== expectedVersion || (expectedVersion === 0 && current)) return false;
      byId.set(record.id, copy(record));
      for (const s of record.secrets) digests.set(s.digest, record.id);
      for (const d of retired) if (digests.get(d) === record.id) digests.delete(d);
      for (const l of listeners) l(record.id);
      return true;
    },
    async get(id) {
      const r = byId.get(id);
      return r && copy(r);
    },
    async byDigest(digest) {
      const id = digests.get(digest);
      const r = id === undefined ? undefined : byId.get(id);
      return r && copy(r);
    },
    async list(tenant, offset, limit): Promise<KeyPage> {
      const all = [...byId.values()]
        .filter((r) => tenant === undefined || r.tenant === tenant)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
      const records = all.slice(offset, offset + limit).map(copy);
      return offset + limit < all.length ? { records, next: offset + limit } : { records };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready: () => Promise.resolve(),
    async close() {
      listeners.clear();
    },
  };
}
