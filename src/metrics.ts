import { Counter, Gauge, Registry } from "prom-client";
import type { ResponseCache } from "./cache/response-cache.js";

/**
 * The Prometheus registry served at GET /metrics on the browser listener.
 * Values are read from the components when Prometheus scrapes, so nothing
 * is counted twice on the hot path.
 */
export function createMetrics(parts: { cache: ResponseCache }): Registry {
  const registry = new Registry();
  const { cache } = parts;
  // One read of the cache's statistics per scrape, shared by every cache metric.
  let scrape: ReturnType<ResponseCache["stats"]> | undefined;
  const stats = () => (scrape ??= cache.stats().finally(() => setImmediate(() => (scrape = undefined))));

  new Counter({
    name: "llmgw_cache_requests_total",
    help: "Requests by how the cache answered (hit_exact, hit_semantic, coalesced, miss, bypass).",
    labelNames: ["result"],
    registers: [registry],
    async collect() {
      const s = await stats();
      this.reset();
      this.inc({ result: "hit_exact" }, s.hitsExact);
      this.inc({ result: "hit_semantic" }, s.hitsSemantic);
      this.inc({ result: "coalesced" }, s.coalesced);
      this.inc({ result: "miss" }, s.misses);
      this.inc({ result: "bypass" }, s.bypassed);
    },
  });
  const counter = (name: string, help: string, read: (s: Awaited<ReturnType<ResponseCache["stats"]>>) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      async collect() {
        const v = read(await stats());
        this.reset();
        this.inc(v);
      },
    });
  const gauge = (name: string, help: string, read: (s: Awaited<ReturnType<ResponseCache["stats"]>>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(read(await stats()));
      },
    });
  counter("llmgw_cache_tokens_saved_total", "Tokens hits and coalesced requests did not spend upstream.", (s) => s.tokensSaved);
  counter("llmgw_cache_cost_saved_usd_total", "What those tokens would have cost, in USD.", (s) => s.costSavedUsd);
  counter("llmgw_cache_stored_total", "Answers stored.", (s) => s.stored);
  counter("llmgw_cache_errors_total", "Cache store operations that failed (served as misses).", (s) => s.errors);
  gauge("llmgw_cache_entries", "Stored answers (in the shared store when it is Redis).", (s) => s.entries);
  gauge("llmgw_cache_bytes", "Bytes of stored answers.", (s) => s.bytes);
  gauge("llmgw_cache_semantic_entries", "Queries in this replica's semantic index.", (s) => s.semanticEntries);
  return registry;
}
