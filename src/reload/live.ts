import type { Authenticator } from "../auth/tenants.js";
import type { GatewayConfig } from "../config/schema.js";
import type { CallContext } from "../core/call.js";
import type { Catalog } from "../core/catalog.js";
import type { Gateway } from "../pipeline/pipeline.js";
import type { ProviderDeployment } from "../providers/registry.js";
import type { Tools } from "../tools/registry.js";

/**
 * What a configuration builds and a reload replaces as one: the catalogue,
 * the provider clients, routing, keys and tenants, tools and the pipeline.
 * The stores, the Redis connection, the listeners, metrics, breakers and
 * deployment statistics outlive it.
 */
export interface Generation {
  readonly config: GatewayConfig;
  readonly gateway: Gateway;
  readonly auth: Authenticator;
  readonly tools: Tools;
  readonly providers: ReadonlyMap<string, ProviderDeployment>;
}

/** The generation serving new calls, and the calls each generation still has in flight. */
export interface Generations {
  current(): Generation;
  /** Makes `next` the generation of every call that starts from now on; returns the one it replaces. */
  swap(next: Generation): Generation;
  /** Counts a call in flight on a generation; the returned function ends it. */
  enter(generation: Generation): () => void;
  /** Resolves once a generation no longer serving has no call in flight. */
  drained(generation: Generation): Promise<void>;
}

/** Holds the serving generation. A swap is one assignment: no call ever sees half of two configurations. */
export function createGenerations(first: Generation): Generations {
  let current = first;
  const inFlight = new Map<Generation, number>();
  const waiting = new Map<Generation, () => void>();
  const settle = (g: Generation) => {
    if (g === current || (inFlight.get(g) ?? 0) > 0) return;
    inFlight.delete(g);
    waiting.get(g)?.();
    waiting.delete(g);
  };
  return {
    current: () => current,
    swap(next) {
      const old = current;
      current = next;
      return old;
    },
    enter(g) {
      inFlight.set(g, (inFlight.get(g) ?? 0) + 1);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        inFlight.set(g, (inFlight.get(g) ?? 1) - 1);
        settle(g);
      };
    },
    drained(g) {
      if (g !== current && (inFlight.get(g) ?? 0) === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const before = waiting.get(g);
        waiting.set(g, () => {
          before?.();
          resolve();
        });
      });
    },
  };
}

/**
 * A view of whatever `get` returns at the moment a property is read: the
 * services, faces and metrics built once at start-up read the serving
 * generation's part through it. Methods are bound to the object they came from.
 */
export function live<T extends object>(get: () => T): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const target = get();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    has: (_target, property) => Reflect.has(get(), property),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor(_target, property) {
      const d = Reflect.getOwnPropertyDescriptor(get(), property);
      return d ? { ...d, configurable: true } : undefined;
    },
  });
}

/**
 * The gateway every face calls. A call is pinned to the generation that was
 * serving when the gateway first saw its CallContext (a face that resolves
 * the model, then streams, gets both from one generation), and counted in
 * flight there until it ends: a reload never changes a call half-way.
 */
export function liveGateway(generations: Generations): Gateway {
  const pinned = new WeakMap<CallContext, Generation>();
  const pin = (call: CallContext): Generation => {
    let g = pinned.get(call);
    if (!g) {
      g = generations.current();
      pinned.set(call, g);
    }
    return g;
  };
  // A call that throws before it returns its promise must not stay counted: its generation would never drain.
  const counted = <T>(g: Generation, run: () => Promise<T>): Promise<T> => {
    const done = generations.enter(g);
    try {
      return run().finally(done);
    } catch (err) {
      done();
      throw err;
    }
  };
  const gateway = () => generations.current().gateway;
  const catalog: Catalog = live(() => gateway().catalog);
  const cache = live(() => gateway().cache);
  return {
    catalog,
    cache,
    // Long-lived parts: every generation shares them, so the first one's are everyone's.
    health: gateway().health,
    stats: gateway().stats,
    breakers: gateway().breakers,
    embeddingCache: gateway().embeddingCache,
    queues: gateway().queues,
    complete(request, call) {
      const g = pin(call);
      return counted(g, () => g.gateway.complete(request, call));
    },
    async *stream(request, call, continueFrom) {
      const g = pin(call);
      const done = generations.enter(g);
      try {
        yield* g.gateway.stream(request, call, continueFrom);
      } finally {
        done();
      }
    },
    embed(request, call) {
      const g = pin(call);
      return counted(g, () => g.gateway.embed(request, call));
    },
    countTokens: (model, messages, call) => pin(call).gateway.countTokens(model, messages, call),
    resolveModel: (name, call) => pin(call).gateway.resolveModel(name, call),
  };
}
