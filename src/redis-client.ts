import type { Cluster, Redis, RedisOptions } from "ioredis";

/**
 * What every Redis-backed store is given: one Redis, or a Redis Cluster. Their
 * command APIs are the same for what the stores use; what differs is that on a
 * cluster a script, a MULTI or a multi-key command must name keys of one slot
 * (hence the `{hash tags}` in key names), and that SCAN and FLUSHALL reach one
 * node only (hence scanKeys below).
 */
export type RedisClient = Redis | Cluster;

/** The connections that hold data: the one Redis, or each master of a cluster. */
export async function masters(client: RedisClient): Promise<Redis[]> {
  if (!client.isCluster) return [client as Redis];
  const cluster = client as Cluster;
  // A cluster still connecting knows no master yet. A PING waits for it when the client queues
  // commands while offline, and fails at once when it does not, like any other command.
  if (cluster.status !== "ready") await cluster.ping();
  return cluster.nodes("master");
}

/**
 * Every key matching `pattern`, in batches, with the node that holds them:
 * SCAN walks one node's keyspace only, so on a cluster every master is walked.
 * Commands on a batch go to its `node` one key at a time (pipelined), because
 * a node's keys span many slots and a multi-key command must stay in one.
 */
export async function* scanKeys(client: RedisClient, pattern: string, count = 1000): AsyncGenerator<{ node: Redis; keys: string[] }> {
  for (const node of await masters(client)) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", count);
      cursor = next;
      if (keys.length > 0) yield { node, keys };
    } while (cursor !== "0");
  }
}

/** Deletes every key matching `pattern` (on every master); says how many there were. */
export async function unlinkMatching(client: RedisClient, pattern: string): Promise<number> {
  let n = 0;
  for await (const { node, keys } of scanKeys(client, pattern)) {
    const pipe = node.pipeline();
    for (const k of keys) pipe.unlink(k);
    for (const [err, removed] of (await pipe.exec()) ?? []) if (!err) n += Number(removed);
  }
  return n;
}

/**
 * A connection of its own (for a subscription or blocking reads) that queues commands while it reconnects
 * rather than failing them as the shared client does; `extra` is applied to every node's connection.
 */
export function queuedDuplicate(client: RedisClient, extra: Partial<RedisOptions> = {}): RedisClient {
  if (!client.isCluster) return (client as Redis).duplicate({ enableOfflineQueue: true, ...extra });
  const cluster = client as Cluster;
  return cluster.duplicate([], {
    enableOfflineQueue: true,
    redisOptions: { ...cluster.options.redisOptions, ...extra },
  } as Parameters<Cluster["duplicate"]>[1]);
}
