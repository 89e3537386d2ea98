import type { BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";
import { type Dispatcher, request } from "undici";

/** The SDK's request handler option; the handler below has its shape. */
type RequestHandler = NonNullable<BedrockRuntimeClientConfig["requestHandler"]>;

/** The parts of the SDK's signed HTTP request that the handler reads. */
interface SignedRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

function urlOf(r: SignedRequest): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(r.query ?? {})) for (const value of [v ?? ""].flat()) query.append(k, value);
  const search = query.size > 0 ? `?${query}` : "";
  return `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ""}${r.path}${search}`;
}

/**
 * The Bedrock client's HTTP handler over the provider's own undici pool, as every other remote provider
 * has: its connect timeout is the provider's, and it speaks HTTP/1.1 (the runtime client's default
 * handler speaks HTTP/2 only, which a proxy or private endpoint in front of Bedrock may not). The SDK
 * has signed the request already; the caller's abort signal ends the upstream request.
 */
export function createBedrockHttpHandler(dispatcher: Dispatcher): RequestHandler {
  const handler = {
    async handle(r: SignedRequest, options?: { abortSignal?: AbortSignal }) {
      const body = r.body as string | Uint8Array | undefined;
      const res = await request(urlOf(r), {
        method: r.method as Dispatcher.HttpMethod,
        headers: r.headers,
        ...(body === undefined ? {} : { body }),
        dispatcher,
        ...(options?.abortSignal ? { signal: options.abortSignal } : {}),
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      // The body stays a stream: ConverseStream's events are read from it as they come.
      return { response: { statusCode: res.statusCode, headers, body: res.body } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
  // The SDK's HttpRequest and HttpResponse are classes of @smithy/protocol-http, which the SDK checks by shape.
  return handler as unknown as RequestHandler;
}
