import { Readable } from "node:stream";
import { Agent, request, type Dispatcher } from "undici";

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const NO_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A fetch for the provider SDKs built on undici's request API. Node's global
 * fetch costs about a millisecond more per call on these machines (measured
 * in docs/benchmarks.md), which is most of what a gateway may add. Bodies the
 * SDKs send for chat calls are strings or bytes; anything else (multipart
 * uploads) goes to the global fetch unchanged.
 */
export function createUpstreamFetch(dispatcher: Dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 256 })): Fetch {
  return async (input, init = {}) => {
    const body = init.body;
    if (input instanceof Request || (body != null && typeof body !== "string" && !(body instanceof Uint8Array))) {
      return fetch(input, init);
    }
    const url = input instanceof URL ? input : new URL(input);
    const res = await request(url, {
      method: (init.method ?? "GET") as Dispatcher.HttpMethod,
      headers: headerRecord(init.headers),
      body: body ?? null,
      signal: init.signal ?? undefined,
      dispatcher,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const stream = NO_BODY_STATUSES.has(res.statusCode) ? null : (Readable.toWeb(res.body) as ReadableStream<Uint8Array>);
    if (stream === null) res.body.resume();
    return new Response(stream, { status: res.statusCode, headers });
  };
}

function headerRecord(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const entries = headers instanceof Headers ? headers.entries() : Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of entries) if (value !== undefined && value !== null) out[name.toLowerCase()] = String(value);
  return out;
}
