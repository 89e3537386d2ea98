import type * as http from "node:http";
import { GatewayError, invalidRequest } from "../../core/errors.js";
import { JsonDepthScanner, MAX_JSON_DEPTH } from "../../core/json-limits.js";

/**
 * Reads a JSON object body, bounded: no more than `limit` bytes (refused as
 * soon as the declared length or the bytes read pass it), and no deeper than
 * MAX_JSON_DEPTH levels (refused while the bytes arrive, before any parser
 * sees them). Anything else than a JSON object is INVALID_REQUEST naming the body.
 */
export async function readJsonBody(req: http.IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const tooLarge = () =>
    new GatewayError("INVALID_REQUEST", `body: larger than the ${limit} bytes this gateway accepts`, { metadata: { field: "body" } });
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    // The rest of the body will not be read: this connection cannot carry another request.
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  const scanner = new JsonDepthScanner();
  let size = 0;
  for await (const c of req) {
    const chunk = c as Buffer;
    size += chunk.length;
    if (size > limit) throw tooLarge();
    if (!scanner.push(chunk)) throw invalidRequest("body", `nests deeper than ${MAX_JSON_DEPTH} levels`);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks, size).toString("utf8"));
  } catch {
    throw invalidRequest("body", "must be a JSON object");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidRequest("body", "must be a JSON object");
  return value as Record<string, unknown>;
}
