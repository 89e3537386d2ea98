import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One request a client sent through the proxy, and what the gateway answered. */
export interface RecordedExchange {
  request: { method: string; path: string; headers: Record<string, string>; body: unknown };
  response: { status: number; headers: Record<string, string>; body: string };
}

/** A pass-through HTTP proxy in front of a gateway that keeps every exchange, to see what a real client sends. */
export interface RecordingProxy {
  url: string;
  exchanges: RecordedExchange[];
  close(): Promise<void>;
}

/** Headers that belong to one connection, not to the request: left out of the record and not forwarded. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "content-length"]);

const flat = (headers: http.IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers)
      .filter(([k, v]) => v !== undefined && !HOP_BY_HOP.has(k))
      .map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v)]),
  );

const parse = (text: string): unknown => {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
};

/** Starts a recording proxy on a free port of 127.0.0.1, forwarding to `target` (an http:// origin). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const exchanges: RecordedExchange[] = [];
  const origin = new URL(target);
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const headers = flat(req.headers);
    const exchange: RecordedExchange = {
      request: { method: req.method ?? "GET", path: req.url ?? "/", headers, body: parse(raw.toString()) },
      response: { status: 0, headers: {}, body: "" },
    };
    exchanges.push(exchange);
    const upstream = http.request(
      {
        host: origin.hostname,
        port: origin.port,
        method: req.method,
        path: req.url,
        headers: { ...headers, "content-length": raw.length },
      },
      async (answer) => {
        exchange.response.status = answer.statusCode ?? 0;
        exchange.response.headers = flat(answer.headers);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const body: Buffer[] = [];
        for await (const c of answer) {
          body.push(c as Buffer);
          res.write(c);
        }
        exchange.response.body = Buffer.concat(body).toString();
        res.end();
      },
    );
    upstream.on("error", (err) => {
      exchange.response = { status: 502, headers: {}, body: String(err) };
      res.destroy();
    });
    upstream.end(raw);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
