/**
 * The gRPC face's floor: CompletionService's Complete and StreamComplete on a
 * bare @grpc/grpc-js server, passed through to the upstream. The service
 * definition is built from the protobuf-es descriptor, as the gateway's own
 * adapter does, so the bytes on the wire are the same.
 * Usage: node grpc-floor.js <upstream base URL>; prints "grpc-floor on 127.0.0.1:PORT".
 */
import { fromBinary, toBinary, type DescMessage, type DescService, type MessageShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  type CompleteRequest,
  type CompleteResponse,
  CompletionService,
  type StreamCompleteRequest,
  type StreamCompleteResponse,
} from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { completeViaUpstream, streamViaUpstream } from "./passthrough.js";

/** A grpc-js service definition for a protobuf-es service: binary (de)serialisation by protobuf-es. */
function definitionOf(service: DescService): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const m of service.methods) {
    definition[m.localName] = {
      path: `/${service.typeName}/${m.name}`,
      requestStream: m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming",
      responseStream: m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming",
      requestSerialize: (value) => Buffer.from(toBinary(m.input, value as MessageShape<DescMessage>)),
      requestDeserialize: (bytes: Buffer) => fromBinary(m.input, bytes),
      responseSerialize: (value) => Buffer.from(toBinary(m.output, value as MessageShape<DescMessage>)),
      responseDeserialize: (bytes: Buffer) => fromBinary(m.output, bytes),
    };
  }
  return definition as grpc.ServiceDefinition;
}

const upstream = process.argv[2];
if (!upstream) throw new Error("usage: grpc-floor <upstream base URL>");

const failure = (err: unknown): Partial<grpc.StatusObject> => ({ code: grpc.status.UNAVAILABLE, details: String(err) });

const server = new grpc.Server();
server.addService(definitionOf(CompletionService), {
  complete(call: grpc.ServerUnaryCall<CompleteRequest, CompleteResponse>, callback: grpc.sendUnaryData<CompleteResponse>): void {
    completeViaUpstream(upstream, call.request).then(
      (res) => callback(null, res),
      (err: unknown) => callback(failure(err)),
    );
  },
  streamComplete(call: grpc.ServerWritableStream<StreamCompleteRequest, StreamCompleteResponse>): void {
    const controller = new AbortController();
    call.on("cancelled", () => controller.abort());
    void (async () => {
      try {
        for await (const message of streamViaUpstream(upstream, call.request, controller.signal)) {
          // Honour backpressure, as a real server must.
          if (!call.write(message)) await new Promise((r) => call.once("drain", r));
        }
        call.end();
      } catch (err) {
        // grpc-js turns an emitted error into the call's status.
        call.emit("error", Object.assign(new Error(String(err)), failure(err)));
      }
    })();
  },
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`grpc-floor on 127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
