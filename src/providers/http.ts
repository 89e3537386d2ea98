import { Readable } from "node:stream";
import { Agent, request, type Dispatcher } from "undici";

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const NO_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A fetch built on undici's request API, answering with a standard Response
 * (for the tools and the embedder, which may read it any way a Response can
 * be read). Node's global fetch costs about a millisecond more per call on
 * these machines (measured in docs/benchmarks.md). Bodies sent as strings or
 * bytes go through undici; anything else (multipart uploads) goes to the
 * global fetch unchanged.
 */
export function createUpstreamFetch(dispatcher: Dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 256 })): Fetch {
  return async (input, init = {}) => {
    if (!undiciCanSend(input, init)) return fetch(input, init);
    const res = await send(input as string | URL, init, dispatcher);
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

/**
 * The fetch the provider SDKs are given. It answers with only what the
 * openai and @anthropic-ai/sdk clients read of a response (status, ok, url,
 * headers.get and entries, body, json(), text()), over undici's response
 * as it comes: no web Headers (which validates every header again), no
 * web ReadableStream over the body (Readable.toWeb and its per-chunk
 * enqueueing), no Response. The SDKs iterate any body that is async
 * iterable as it is, which undici's body is. Anything the SDKs would send
 * that undici cannot (a streamed or multipart body) goes to the global fetch.
 */
export function createSdkFetch(dispatcher: Dispatcher): Fetch {
  return async (input, init = {}) => {
    if (!undiciCanSend(input, init)) return fetch(input, init);
    const url = input as string | URL;
    const res = await send(url, init, dispatcher);
    // The SDKs' declared fetch type names Response; they use the members SdkResponse has (see above).
    return new SdkResponse(res, typeof url === "string" ? url : url.href) as unknown as Response;
  };
}

function undiciCanSend(input: string | URL | Request, init: RequestInit): boolean {
  const body = init.body;
  return !(input instanceof Request) && (body == null || typeof body === "string" || body instanceof Uint8Array);
}

function send(url: string | URL, init: RequestInit, dispatcher: Dispatcher): Promise<Dispatcher.ResponseData> {
  return request(url, {
    method: (init.method ?? "GET") as Dispatcher.HttpMethod,
    // undici takes a Headers (any iterable of pairs) or a plain record as it is.
    headers:
      init.headers instanceof Headers || !Array.isArray(init.headers)
        ? (init.headers as Record<string, string>)
        : Object.fromEntries(init.headers),
    body: (init.body as string | Uint8Array | null | undefined) ?? null,
    signal: init.signal ?? undefined,
    dispatcher,
  });
}

/** A response's headers as undici parsed them (names in lower case), read the way Headers is read. */
class RecordHeaders {
  constructor(private readonly record: Record<string, string | string[] | undefined>) {}
  get(name: string): string | null {
    const value = this.record[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }
  has(name: string): boolean {
    return this.record[name.toLowerCase()] !== undefined;
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.record)) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }
  forEach(fn: (value: string, name: string) => void): void {
    for (const [name, value] of this.entries()) fn(value, name);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** The members of a fetch Response that the provider SDKs read, over undici's response. */
class SdkResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: RecordHeaders;
  readonly body: Dispatcher.ResponseData["body"];
  constructor(
    res: Dispatcher.ResponseData,
    readonly url: string,
  ) {
    this.status = res.statusCode;
    this.ok = res.statusCode >= 200 && res.statusCode < 300;
    this.headers = new RecordHeaders(res.headers);
    this.body = res.body;
  }
  get bodyUsed(): boolean {
    return this.body.bodyUsed;
  }
  json(): Promise<unknown> {
    return this.body.json();
  }
  text(): Promise<string> {
    return this.body.text();
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.body.arrayBuffer();
  }
}
