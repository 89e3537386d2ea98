import type { Clock } from "../../core/clock.js";
import type { SemanticIndex, SemanticMatch } from "./index.js";
import { dot, type Embedder } from "./embedder.js";
import { popcount, Sketcher } from "./sketch.js";
import type { GuardFeatures } from "./guard.js";

type Guard = typeof import("./guard.js");
let guardLoading: Promise<Guard> | undefined;

/**
 * The near-miss guard, loaded on first use: its language model (compromise)
 * costs tens of megabytes, which a gateway without a semantic cache never pays. Its lexical tables (WordNet) are
 * read with it, so that no lookup's time budget pays for them.
 */
const loadGuard = (): Promise<Guard> =>
  (guardLoading ??= import("./guard.js").then((guard) => {
    guard.warmGuard();
    return guard;
  }));

/** One entry as replicas exchange it. */
export interface SemanticEntry {
  tenant: string;
  scope: string;
  query: string;
  key: string;
  /** Wall-clock milliseconds after which the answer is gone anyway. */
  expiresAt: number;
  vector: Float32Array;
}

/** How replicas share entries (Redis); absent for one replica. */
export interface SemanticSync {
  publish(entry: SemanticEntry): Promise<void>;
  publishClear(tenant: string | undefined): Promise<void>;
  /** Delivers entries and clears other replicas (and this one) published, from the oldest still kept. */
  subscribe(onEntry: (e: SemanticEntry) => void, onClear: (tenant: string | undefined) => void): void;
  close(): Promise<void>;
}

/**
 * The vectors of one tenant and scope, side by side in one typed array, with
 * a bit sketch of each beside them. A lookup scans the sketches (about 60 ns
 * an entry) and scores exactly only the few within the threshold's Hamming
 * radius; docs/caching.md has the figures that chose this over a plain scan.
 */
export class Partition {
  vectors: Float32Array;
  sketches: Uint32Array;
  count = 0;
  readonly keys: string[] = [];
  readonly queries: string[] = [];
  readonly features: (GuardFeatures | undefined)[] = [];
  readonly expiresAt: number[] = [];
  readonly slot = new Map<string, number>();

  constructor(
    readonly tenant: string,
    readonly dims: number,
    private readonly sketcher: Sketcher,
  ) {
    this.vectors = new Float32Array(dims * 16);
    this.sketches = new Uint32Array(sketcher.words * 16);
  }

  add(key: string, query: string, vector: Float32Array, expiresAt: number): void {
    const existing = this.slot.get(key);
    if (existing !== undefined) {
      this.expiresAt[existing] = Math.max(this.expiresAt[existing]!, expiresAt);
      return;
    }
    if ((this.count + 1) * this.dims > this.vectors.length) {
      const grown = new Float32Array(this.vectors.length * 2);
      grown.set(this.vectors);
      this.vectors = grown;
      const sketches = new Uint32Array(this.sketches.length * 2);
      sketches.set(this.sketches);
      this.sketches = sketches;
    }
    const i = this.count++;
    this.vectors.set(vector, i * this.dims);
    this.sketcher.sketch(vector, this.sketches, i * this.sketcher.words);
    this.keys[i] = key;
    this.queries[i] = query;
    this.features[i] = undefined;
    this.expiresAt[i] = expiresAt;
    this.slot.set(key, i);
  }

  /** Removes by moving the last entry into the hole. */
  remove(key: string): boolean {
    const i = this.slot.get(key);
    if (i === undefined) return false;
    const last = --this.count;
    this.slot.delete(key);
    if (i !== last) {
      this.vectors.copyWithin(i * this.dims, last * this.dims, (last + 1) * this.dims);
      const w = this.sketcher.words;
      this.sketches.copyWithin(i * w, last * w, (last + 1) * w);
      this.keys[i] = this.keys[last]!;
      this.queries[i] = this.queries[last]!;
      this.features[i] = this.features[last];
      this.expiresAt[i] = this.expiresAt[last]!;
      this.slot.set(this.keys[i]!, i);
    }
    this.keys.length = this.queries.length = this.features.length = this.expiresAt.length = last;
    return true;
  }

  /** Indexes of entries at or above the threshold, most similar first; `qs` is the query's sketch. */
  scan(q: Float32Array, qs: Uint32Array, threshold: number): { i: number; similarity: number }[] {
    const out: { i: number; similarity: number }[] = [];
    const v = this.vectors;
    const sk = this.sketches;
    const d = this.dims;
    const w = this.sketcher.words;
    const radius = this.sketcher.radius(threshold);
    for (let i = 0, sb = 0; i < this.count; i++, sb += w) {
      let h = 0;
      for (let j = 0; j < w && h <= radius; j++) h += popcount(qs[j]! ^ sk[sb + j]!);
      if (h > radius) continue;
      let s = 0;
      const base = i * d;
      for (let j = 0; j < d; j++) s += q[j]! * v[base + j]!;
      if (s >= threshold) out.push({ i, similarity: s });
    }
    return out.sort((a, b) => b.similarity - a.similarity);
  }

  /** The same answer by scoring every entry: the reference the sketch scan is tested against. */
  scanAll(q: Float32Array, threshold: number): { i: number; similarity: number }[] {
    const out: { i: number; similarity: number }[] = [];
    for (let i = 0; i < this.count; i++) {
      const s = dot(q, this.vectors, i * this.dims);
      if (s >= threshold) out.push({ i, similarity: s });
    }
    return out.sort((a, b) => b.similarity - a.similarity);
  }
}

export interface SemanticIndexOptions {
  embedder: Embedder;
  threshold: number;
  maxEntries: number;
  clock: Clock;
  sync?: SemanticSync | undefined;
  /** Told of every guarded near miss, for logs and the evaluation. */
  onGuarded?: (query: string, cached: string, reason: string, similarity: number) => void;
  /** Told once, at warm-up, when the guard's synonyms (WordNet) could not be read: it then knows none. */
  onNoSynonyms?: (error: string) => void;
  /** The guard's working time per lookup, in ms of CPU on the event loop (GUARD_BUDGET_MS by default). */
  guardBudgetMs?: number;
}

/** Candidates the guard reads per lookup, closest first; past them a lookup is a miss. */
export const MAX_GUARDED = 8;
/**
 * And the time it may spend on them: prompts written to be slow to read (at the 2,000-character bound, tens of ms
 * each the first time) end the lookup as a miss once this is spent, rather than holding the event loop. Measured
 * with the process's own timer, not the injected clock: it bounds real work, and an honest lookup needs well under 1 ms.
 */
export const GUARD_BUDGET_MS = 20;

/**
 * Each replica's semantic index, in memory. With a sync (Redis), every entry
 * any replica adds reaches every index, so a replica started later catches up.
 */
export function createSemanticIndex(options: SemanticIndexOptions): SemanticIndex & { embedderName: string } {
  const { embedder, threshold, maxEntries, clock, sync } = options;
  const partitions = new Map<string, Partition>();
  // Every entry in insertion order, for evicting the oldest past maxEntries.
  const order = new Map<string, Partition>();
  // The last queries embedded: a miss embeds its query once, for the lookup and again for the store.
  const recent = new Map<string, Float32Array>();

  const partitionKey = (tenant: string, scope: string) => `${tenant}\u0000${scope}`;
  const sketchers = new Map<number, Sketcher>();
  const sketcherFor = (dims: number): Sketcher => {
    let s = sketchers.get(dims);
    if (!s) sketchers.set(dims, (s = new Sketcher(dims)));
    return s;
  };

  async function vectorOf(query: string): Promise<Float32Array> {
    const known = recent.get(query);
    if (known) return known;
    const [v] = await embedder.embed([query]);
    recent.set(query, v!);
    if (recent.size > 256) recent.delete(recent.keys().next().value!);
    return v!;
  }

  function insert(e: SemanticEntry): void {
    if (e.expiresAt <= clock.now() || e.vector.length === 0) return;
    const pk = partitionKey(e.tenant, e.scope);
    let p = partitions.get(pk);
    if (!p) partitions.set(pk, (p = new Partition(e.tenant, e.vector.length, sketcherFor(e.vector.length))));
    if (p.dims !== e.vector.length) return;
    p.add(e.key, e.query, e.vector, e.expiresAt);
    const ok = `${pk}\u0000${e.key}`;
    order.delete(ok);
    order.set(ok, p);
    while (order.size > maxEntries) {
      const [oldest, op] = order.entries().next().value!;
      order.delete(oldest);
      op.remove(oldest.slice(oldest.lastIndexOf("\u0000") + 1));
    }
  }

  function clearLocal(tenant: string | undefined): void {
    for (const [pk, p] of partitions) {
      if (tenant !== undefined && p.tenant !== tenant) continue;
      partitions.delete(pk);
      for (const key of p.keys) order.delete(`${pk}\u0000${key}`);
    }
  }

  sync?.subscribe(insert, clearLocal);

  return {
    embedderName: embedder.name,

    async find(tenant, scope, query, context): Promise<SemanticMatch | undefined> {
      const p = partitions.get(partitionKey(tenant, scope));
      if (!p || p.count === 0) return undefined;
      const q = await vectorOf(query);
      if (q.length !== p.dims) return undefined;
      // Loaded before the scan: nothing may change the partition between the scan and the guard.
      const { guardFeatures, guardMismatch, readContext, corefSame } = await loadGuard();
      const qs = new Uint32Array(sketcherFor(q.length).words);
      sketcherFor(q.length).sketch(q, qs, 0);
      let features: GuardFeatures | undefined;
      // The earlier turns, read once for the lookup and only once a candidate is refused: a pronoun may name its thing.
      let turns: ReturnType<typeof readContext> | null = null;
      const now = clock.now();
      let guarded = 0;
      const spendUntil = performance.now() + (options.guardBudgetMs ?? GUARD_BUDGET_MS);
      for (const { i, similarity } of p.scan(q, qs, threshold)) {
        if (p.expiresAt[i]! <= now) continue;
        // The closest few only, while the budget lasts: a reading costs up to tens of ms on hostile input.
        if (++guarded > MAX_GUARDED || (guarded > 1 && performance.now() > spendUntil)) break;
        let reason: string | undefined;
        try {
          features ??= guardFeatures(query);
          reason = guardMismatch(features, (p.features[i] ??= guardFeatures(p.queries[i]!)));
          if (reason && context?.length) {
            if (turns === null) turns = readContext(context);
            if (corefSame(turns, query, p.queries[i]!)) reason = undefined;
          }
        } catch (e) {
          // A reading that fails refuses this candidate, not the lookup: the others may still answer.
          reason = `guard failed: ${(e as Error).message}`;
        }
        if (reason) {
          options.onGuarded?.(query, p.queries[i]!, reason, similarity);
          continue;
        }
        return { key: p.keys[i]!, query: p.queries[i]!, similarity, expiresAt: p.expiresAt[i]! };
      }
      return undefined;
    },

    async add(tenant, scope, query, key, ttlMs) {
      const entry: SemanticEntry = { tenant, scope, query, key, expiresAt: clock.now() + ttlMs, vector: await vectorOf(query) };
      insert(entry);
      await sync?.publish(entry);
    },

    forget(tenant, scope, key) {
      const pk = partitionKey(tenant, scope);
      partitions.get(pk)?.remove(key);
      order.delete(`${pk}\u0000${key}`);
    },

    async clear(tenant) {
      clearLocal(tenant);
      await sync?.publishClear(tenant);
    },

    size(tenant) {
      let n = 0;
      for (const p of partitions.values()) if (tenant === undefined || p.tenant === tenant) n += p.count;
      return n;
    },

    async warm() {
      const guard = await loadGuard();
      guard.guardFeatures("Is 10 USD not more than Paris?");
      const wordnet = guard.warmGuard();
      if (!wordnet.ok) options.onNoSynonyms?.(wordnet.error ?? "");
      if (!embedder.nothingToWarm) await embedder.embed(["warm up"]);
    },

    async close() {
      await sync?.close();
      await embedder.close?.();
    },
  };
}
