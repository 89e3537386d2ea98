import type { Tenant } from "../core/call.js";

/** One secret of a key, as kept: its digest, never the text. */
export interface KeySecret {
  /** SHA-256 of the secret, lower-case hex. */
  digest: string;
  /** The secret's first characters, to tell keys apart in lists. */
  prefix: string;
  /** When a rotated-out secret stops working (ms since the epoch); absent on the current secret. */
  validUntil?: number | undefined;
}

/** A runtime API key as every store keeps it. */
export interface KeyRecord {
  id: string;
  tenant: string;
  name: string;
  project?: string | undefined;
  /** Catalogue names; absent means the tenant's. */
  allowedModels?: string[] | undefined;
  limits?: Tenant["limits"];
  budget?: Tenant["budget"];
  /** Its calls' priority among its tenant's waiting calls when a request sets none (0 to 9). */
  priority?: number | undefined;
  metadata: Record<string, string>;
  createdAt: number;
  expiresAt?: number | undefined;
  revokedAt?: number | undefined;
  /** The current secret first, then the one rotated out while its grace lasts. */
  secrets: KeySecret[];
  /** Raised by every write: a write based on an older version is refused (two replicas rotating at once). */
  version: number;
}

/** A page of keys, newest first. */
export interface KeyPage {
  records: KeyRecord[];
  /** Where the next page starts; absent on the last. */
  next?: number | undefined;
}

/**
 * Where runtime keys live: a record by id, and an index from each valid
 * secret's digest to it. Both backends keep the same contract
 * (test/keys/key-store-contract.test.ts).
 */
export interface KeyStore {
  /**
   * Writes a record if the stored one is at `expectedVersion` (0: none stored yet), indexing its secrets'
   * digests and dropping `retired` ones. False when another write came first.
   */
  put(record: KeyRecord, expectedVersion: number, retired: readonly string[]): Promise<boolean>;
  get(id: string): Promise<KeyRecord | undefined>;
  /** The record a secret's digest belongs to, whatever its state (revoked, expired, rotated out). */
  byDigest(digest: string): Promise<KeyRecord | undefined>;
  /** A tenant's keys (every tenant's when undefined), newest first, from `offset`. */
  list(tenant: string | undefined, offset: number, limit: number): Promise<KeyPage>;
  /**
   * Calls `listener` with the id of every key written, by this replica or, for a shared store, any other;
   * with undefined when changes may have been missed (a lost connection), meaning "anything may have changed".
   */
  onChange(listener: (id: string | undefined) => void): () => void;
  /** Resolves once changes made elsewhere are heard (a shared store's subscription is in place), or after 5 s. */
  ready(): Promise<void>;
  close(): Promise<void>;
}
