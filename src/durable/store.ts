/**
 * Where a durable call lives while it runs and for a while after: its record (who may read it, what was
 * asked, which replica generates it and until when) and its journal (every event it produced, in order).
 * Readers on any replica replay the journal and then follow it; an idempotency key points at a call.
 * The memory store serves one replica (the embedded default); the Redis store shares calls between
 * replicas. One contract test (test/durable/store-contract.test.ts) runs against both.
 */
export interface CallRecord {
  /** The tenant the call belongs to: another tenant's reader is told the call does not exist. */
  tenant: string;
  /** A digest of the canonical request, to refuse an idempotency key reused with another body. */
  digest: string;
  /** The request, as JSON: what a replica taking over the generation continues. */
  request: string;
  /** The replica generating the call now. */
  owner: string;
  /** Until when (epoch ms) the owner's lease holds; after it another replica may take over. */
  leaseUntil: number;
  /** Until when (epoch ms) some reader on another replica is known to be attached. */
  seenUntil: number;
  /** How long the call is kept after its last write (longer for a call an idempotency key names). */
  retentionMs: number;
  /** running until the journal's last event (a done or an error) is written. */
  state: "running" | "ended";
}

export interface DurableStore {
  /** Creates a call's record; false when a call with this id exists already. */
  create(id: string, record: CallRecord, ttlMs: number): Promise<boolean>;
  get(id: string): Promise<CallRecord | undefined>;
  /**
   * Appends events (JSON) to the journal of a call `owner` still owns; false, and nothing written, when
   * another replica took the call over. `ended` marks the call ended with these events.
   */
  append(id: string, owner: string, events: readonly string[], ended: boolean, ttlMs: number): Promise<boolean>;
  /** The journal's events after the first `after` (event ids count from 1). */
  read(id: string, after: number): Promise<string[]>;
  /** Extends the owner's lease; false when another replica holds the call now. */
  renew(id: string, owner: string, leaseUntil: number): Promise<boolean>;
  /** Takes over a running call whose lease ended before `now`; true when this owner got it. */
  claim(id: string, owner: string, now: number, leaseUntil: number): Promise<boolean>;
  /** A reader is attached until `seenUntil`: the owner does not abort the call before then. */
  touch(id: string, seenUntil: number): Promise<void>;
  /**
   * Resolves once the journal may have grown past `after` or the call's record changed, or after
   * `timeoutMs` (the reader then checks the lease), or when the signal aborts.
   */
  wait(id: string, after: number, timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Binds an idempotency key (already scoped to its tenant) to a call id unless bound; returns the id bound. */
  bindKey(key: string, id: string, ttlMs: number): Promise<string>;
  /** Unbinds a key from a call (a call that failed may run again under its key). */
  unbindKey(key: string, id: string): Promise<void>;
  close(): Promise<void>;
}
