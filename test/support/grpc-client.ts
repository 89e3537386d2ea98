import * as grpc from "@grpc/grpc-js";
import { createRegistry, fromBinary, toBinary, type DescMessage, type DescService, type MessageShape } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { ErrorInfoSchema, RetryInfoSchema, type ErrorInfo } from "../../gen/ts/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/ts/google/rpc/status_pb.js";

/** A method of a generic grpc-js client: its arguments and result depend on the method, so they are the caller's to type. */
// biome-ignore lint/suspicious/noExplicitAny: grpc-js's generic clients are untyped by nature.
type GrpcMethod = (...args: any[]) => any;

/**
 * A real @grpc/grpc-js client for a protobuf-es service: grpc-js does the
 * HTTP/2 and the gRPC framing, protobuf-es the (de)serialisation.
 */
export function grpcClient(
  service: DescService,
  address: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): grpc.Client & Record<string, GrpcMethod> {
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
  const Ctor = grpc.makeGenericClientConstructor(definition, service.typeName);
  return new Ctor(address, credentials) as grpc.Client & Record<string, GrpcMethod>;
}

/** Calls a unary method and resolves with the response or rejects with the ServiceError. */
export function unary<T>(
  client: grpc.Client & Record<string, GrpcMethod>,
  method: string,
  request: unknown,
  options: grpc.CallOptions = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method]!(request, new grpc.Metadata(), options, (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res)));
  });
}

const details = createRegistry(ErrorInfoSchema, RetryInfoSchema);

/** Decodes the google.rpc.Status details a gRPC error carries in grpc-status-details-bin. */
export function errorDetails(err: grpc.ServiceError): { errorInfo?: ErrorInfo; retryDelayMs?: number } {
  const raw = err.metadata?.get("grpc-status-details-bin")[0];
  if (!raw) return {};
  const status = fromBinary(StatusSchema, raw as Buffer);
  const out: { errorInfo?: ErrorInfo; retryDelayMs?: number } = {};
  for (const any of status.details) {
    const msg = anyUnpack(any, details);
    if (msg?.$typeName === "google.rpc.ErrorInfo") out.errorInfo = msg as ErrorInfo;
    if (msg?.$typeName === "google.rpc.RetryInfo") {
      const d = (msg as MessageShape<typeof RetryInfoSchema>).retryDelay;
      out.retryDelayMs = Number(d?.seconds ?? 0n) * 1000 + Math.round((d?.nanos ?? 0) / 1e6);
    }
  }
  return out;
}
