/**
 * The same pass-through as grpc-floor.ts on connect-node over h2c, for
 * comparison: what connect-node's gRPC server costs per call by itself.
 * Usage: node connect-floor.js <upstream base URL>; prints "connect-floor on 127.0.0.1:PORT".
 */
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { completeViaUpstream, streamViaUpstream } from "./passthrough.js";

const upstream = process.argv[2];
if (!upstream) throw new Error("usage: connect-floor <upstream base URL>");

const routes = (router: ConnectRouter) =>
  router.service(CompletionService, {
    complete: (req, ctx) => completeViaUpstream(upstream, req, ctx.signal),
    streamComplete: (req, ctx) => streamViaUpstream(upstream, req, ctx.signal),
    countTokens: () => {
      throw new Error("not part of the floor");
    },
    listModels: () => ({ models: [] }),
  });

const server = http2.createServer(connectNodeAdapter({ routes }));
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`connect-floor on 127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
