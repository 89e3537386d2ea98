import { create, type DescMessage, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type deserialize as Deserialize, Metadata, type serialize as Serialize, type StatusObject, type status } from "@grpc/grpc-js";
import { StatusSchema } from "../../../gen/ts/google/rpc/status_pb.js";
import { typedFrameworkError } from "../framework-errors.js";

/**
 * A request whose bytes are not the method's message. grpc-js answers a
 * deserializer that throws with a bare INTERNAL; ours never throws, and the
 * handler refuses the marker in the gateway's shape (INVALID_ARGUMENT with an
 * ErrorInfo), as the browser listener does.
 */
export class Unreadable {
  constructor(readonly error: ConnectError) {}
}

/** The protobuf-es (de)serializers of one message type, in the shape grpc-js takes. */
export function serializerOf<D extends DescMessage>(schema: D): Serialize<MessageShape<D>> {
  return (message) => {
    const bytes = toBinary(schema, message);
    // grpc-js copies the bytes into its frame with Buffer#copy: a view over the same memory will do.
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

export function deserializerOf<D extends DescMessage>(schema: D): Deserialize<MessageShape<D> | Unreadable> {
  return (bytes) => {
    try {
      return fromBinary(schema, bytes);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return new Unreadable(typedFrameworkError(new ConnectError(`parse binary: ${reason}`, Code.Internal)));
    }
  };
}

/** Response headers or trailers as grpc-js metadata; what it would refuse to send is left out. */
export function metadataOf(headers: Headers, into = new Metadata()): Metadata {
  headers.forEach((value, key) => {
    try {
      if (key.endsWith("-bin")) into.add(key, Buffer.from(value, "base64"));
      else into.add(key, value);
    } catch {
      // grpc-js refuses non-ASCII values; a header of ours is never one, and no caller's text goes here.
    }
  });
  return into;
}

/** The encoded google.rpc.Status of an error: its code, message and details (ErrorInfo, RetryInfo). */
export function statusDetailsOf(error: ConnectError): Buffer {
  const status = create(StatusSchema, {
    code: error.code,
    message: error.rawMessage,
    details: error.details.map((d) =>
      "desc" in d ? anyPack(d.desc, create(d.desc, d.value)) : { typeUrl: `type.googleapis.com/${d.type}`, value: d.value },
    ),
  });
  return Buffer.from(toBinary(StatusSchema, status));
}

/**
 * The status a gRPC client receives for an error: code, message, and in the
 * trailers the trailers set so far, the response headers when none were
 * sent (a trailers-only response carries both), the error's own metadata
 * (retry-after), and grpc-status-details-bin with its details.
 */
export function statusOf(error: ConnectError, trailer: Headers, unsentHeader?: Headers): StatusObject {
  const metadata = metadataOf(trailer, unsentHeader ? metadataOf(unsentHeader) : undefined);
  metadataOf(error.metadata, metadata);
  if (error.details.length > 0) metadata.set("grpc-status-details-bin", statusDetailsOf(error));
  // Connect's codes are gRPC's, number for number.
  return { code: error.code as number as status, details: error.rawMessage, metadata };
}
