import { Code, ConnectError } from "@connectrpc/connect";
import type { UniversalServerRequest } from "@connectrpc/connect/protocol";
import { JsonDepthScanner, MAX_JSON_DEPTH } from "../core/json-limits.js";
import type { Protocol } from "./protocol-errors.js";

const HEX = (b: number) => (b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : b >= 0x41 && b <= 0x46 ? b - 0x37 : -1);

/** The UTF-16 code unit of a \uXXXX escape at `i` (pointing at the backslash), or -1. */
function escapeAt(bytes: Uint8Array, i: number): number {
  if (i + 5 >= bytes.length || bytes[i] !== 0x5c || bytes[i + 1] !== 0x75) return -1;
  let v = 0;
  for (let k = 2; k < 6; k++) {
    const d = HEX(bytes[i + k]!);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * True when a JSON string in the text escapes half a surrogate pair
 * ("\ud800" alone): not Unicode, so not a protobuf string, and connect-es
 * fails while reporting it (its trailer encoder throws on such text).
 */
export function hasUnpairedSurrogate(bytes: Uint8Array): boolean {
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (!inString) {
      if (b === 0x22) inString = true;
      continue;
    }
    if (b === 0x22) {
      inString = false;
    } else if (b === 0x5c) {
      const unit = escapeAt(bytes, i);
      if (unit < 0) {
        i++;
        continue;
      }
      if (unit >= 0xd800 && unit <= 0xdbff) {
        const low = escapeAt(bytes, i + 6);
        if (low < 0xdc00 || low > 0xdfff) return true;
        i += 11;
      } else if (unit >= 0xdc00 && unit <= 0xdfff) {
        return true;
      } else {
        i += 5;
      }
    }
  }
  return false;
}

/** Why a JSON message may not go on to the framework, if it may not. */
function problemOf(json: Uint8Array): string | undefined {
  if (!new JsonDepthScanner().push(json)) return `the JSON nests deeper than ${MAX_JSON_DEPTH} levels`;
  if (hasUnpairedSurrogate(json)) return "a JSON string escapes half a surrogate pair (not Unicode)";
  // The framework's own parse error quotes a slice of the text, which may cut a character in half and
  // then cannot be sent: say it here, without quoting.
  try {
    JSON.parse(decoder.decode(json));
  } catch {
    return "not valid JSON";
  }
  return undefined;
}

const decoder = new TextDecoder();

async function* chain(first: readonly Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* first;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

/**
 * Reads a JSON request body (Connect JSON, gRPC-Web or gRPC with JSON
 * messages) before the framework does, and refuses one that is not JSON,
 * nests absurdly deep or holds unpaired surrogates, as INVALID_ARGUMENT. The bytes read are
 * put back for the framework. Bodies over the size limit are left to the
 * framework, which refuses them by size; binary bodies are not touched.
 */
export async function guardJsonBody(uReq: UniversalServerRequest, protocol: Protocol, limit: number): Promise<ConnectError | undefined> {
  const type = uReq.header.get("content-type") ?? "";
  const body = uReq.body;
  if (!type.includes("json") || uReq.method !== "POST" || !body || typeof body !== "object" || !(Symbol.asyncIterator in body))
    return undefined;
  const it = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let r = await it.next(); !r.done; r = await it.next()) {
    chunks.push(r.value);
    size += r.value.length;
    if (size > limit + 5) {
      uReq.body = chain(chunks, it);
      return undefined;
    }
  }
  const bytes = Buffer.concat(chunks, size);
  uReq.body = chain([bytes], it);
  const enveloped = protocol !== "connect-unary";
  let problem: string | undefined;
  if (!enveloped) problem = problemOf(bytes);
  else {
    // Each message of a stream in its 5-byte frame; compressed frames are the framework's to read.
    for (let i = 0; i + 5 <= bytes.length && !problem; ) {
      const length = bytes.readUInt32BE(i + 1);
      const data = bytes.subarray(i + 5, i + 5 + length);
      if ((bytes[i]! & 0x01) === 0) problem = problemOf(data);
      i += 5 + length;
    }
  }
  return problem ? new ConnectError(`body: ${problem}`, Code.InvalidArgument) : undefined;
}
