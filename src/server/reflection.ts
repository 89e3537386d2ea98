import { create, fromBinary, toBinary, type DescFile, type MessageInitShape } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import * as v1 from "../../gen/ts/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/ts/grpc/reflection/v1alpha/reflection_pb.js";

type Request = v1.ServerReflectionRequest | v1alpha.ServerReflectionRequest;
type Answer = NonNullable<
  Exclude<MessageInitShape<typeof v1.ServerReflectionResponseSchema>, v1.ServerReflectionResponse>["messageResponse"]
>;

/**
 * Answers reflection requests from the embedded descriptors of the files
 * that define the served services. Everything is computed once, here.
 */
function createReflector(serviceFiles: readonly DescFile[], serviceNames: readonly string[]) {
  const files = new Map<string, DescFile>();
  const addFile = (f: DescFile) => {
    if (files.has(f.proto.name)) return;
    files.set(f.proto.name, f);
    f.dependencies.forEach(addFile);
  };
  serviceFiles.forEach(addFile);

  // Every fully-qualified symbol (services, methods, messages, nested types, enums) to its file.
  const symbols = new Map<string, DescFile>();
  for (const f of files.values()) {
    for (const s of f.services) {
      symbols.set(s.typeName, f);
      for (const m of s.methods) symbols.set(`${s.typeName}.${m.name}`, f);
    }
    const addMessages = (messages: typeof f.messages) => {
      for (const m of messages) {
        symbols.set(m.typeName, f);
        for (const e of m.nestedEnums) symbols.set(e.typeName, f);
        addMessages(m.nestedMessages);
      }
    };
    addMessages(f.messages);
    for (const e of f.enums) symbols.set(e.typeName, f);
  }

  // A file with its transitive dependencies, encoded once: reflection clients need them all.
  const encoded = new Map<string, Uint8Array>();
  const closure = (f: DescFile, out = new Map<string, Uint8Array>()) => {
    if (out.has(f.proto.name)) return out;
    let bytes = encoded.get(f.proto.name);
    if (!bytes) {
      bytes = toBinary(FileDescriptorProtoSchema, f.proto);
      encoded.set(f.proto.name, bytes);
    }
    out.set(f.proto.name, bytes);
    for (const d of f.dependencies) closure(d, out);
    return out;
  };
  const fileResponse = (f: DescFile): Answer => ({
    case: "fileDescriptorResponse",
    value: { fileDescriptorProto: [...closure(f).values()] },
  });
  const notFound = (what: string): Answer => ({
    case: "errorResponse",
    value: { errorCode: 5, errorMessage: `${what} not found` },
  });

  return (req: Request): v1.ServerReflectionResponse => {
    const r = req.messageRequest;
    let messageResponse: Answer;
    switch (r.case) {
      case "listServices":
        messageResponse = { case: "listServicesResponse", value: { service: serviceNames.map((name) => ({ name })) } };
        break;
      case "fileByFilename": {
        const f = files.get(r.value);
        messageResponse = f ? fileResponse(f) : notFound(`file ${r.value}`);
        break;
      }
      case "fileContainingSymbol": {
        const f = symbols.get(r.value.replace(/^\./, ""));
        messageResponse = f ? fileResponse(f) : notFound(`symbol ${r.value}`);
        break;
      }
      case "fileContainingExtension":
        messageResponse = notFound(`extension ${r.value.extensionNumber} of ${r.value.containingType}`);
        break;
      case "allExtensionNumbersOfType":
        messageResponse = symbols.has(r.value)
          ? { case: "allExtensionNumbersResponse", value: { baseTypeName: r.value, extensionNumber: [] } }
          : notFound(`type ${r.value}`);
        break;
      default:
        messageResponse = { case: "errorResponse", value: { errorCode: 3, errorMessage: "empty reflection request" } };
    }
    return create(v1.ServerReflectionResponseSchema, { validHost: req.host, messageResponse });
  };
}

/** gRPC server reflection, v1 and v1alpha, so that buf curl and grpcurl need no local protos. */
export function createReflectionServices(serviceFiles: readonly DescFile[], serviceNames: readonly string[]) {
  const answer = createReflector(serviceFiles, serviceNames);
  const v1Impl: ServiceImpl<typeof v1.ServerReflection> = {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        const res = answer(req);
        res.originalRequest = req as v1.ServerReflectionRequest;
        yield res;
      }
    },
  };
  const v1alphaImpl: ServiceImpl<typeof v1alpha.ServerReflection> = {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        // The two versions have the same fields and numbers; only the package differs, so the bytes carry over.
        const res = fromBinary(v1alpha.ServerReflectionResponseSchema, toBinary(v1.ServerReflectionResponseSchema, answer(req)));
        res.originalRequest = req;
        yield res;
      }
    },
  };
  return { v1: v1Impl, v1alpha: v1alphaImpl };
}
