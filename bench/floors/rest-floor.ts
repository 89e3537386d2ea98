/**
 * The REST face's floor: a bare node:http server that forwards each request
 * body to the upstream with undici and pipes the answer back as it comes
 * (a stream stays a stream). Nothing is parsed or checked.
 * Usage: node rest-floor.js <upstream base URL>; prints "rest-floor on http://127.0.0.1:PORT".
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { request } from "undici";

const upstream = process.argv[2];
if (!upstream) throw new Error("usage: rest-floor <upstream base URL>");
const target = `${upstream}/chat/completions`;

const server = http.createServer((req, res) => {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  void (async () => {
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const answer = await request(target, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: req.headers.authorization ?? "" },
        body: Buffer.concat(chunks),
        signal: controller.signal,
      });
      res.writeHead(answer.statusCode, { "content-type": String(answer.headers["content-type"] ?? "application/json") });
      await pipeline(answer.body, res);
    } catch (err) {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: String(err) } }));
    }
  })();
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`rest-floor on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
