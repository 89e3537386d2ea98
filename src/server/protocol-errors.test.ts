import { gzipSync } from "node:zlib";
import { Code, ConnectError } from "@connectrpc/connect";
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";
import { describe, expect, it } from "vitest";
import { typedFrameworkError } from "./framework-errors.js";
import { errorResponse, typedErrors } from "./protocol-errors.js";

const frame = (flags: number, data: Uint8Array) => {
  const out = new Uint8Array(5 + data.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, data.length);
  out.set(data, 5);
  return out;
};
async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
async function bodyOf(res: UniversalServerResponse): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of res.body ?? []) chunks.push(c);
  return Buffer.concat(chunks);
}

describe("framework errors in each protocol's format", () => {
  it("a Connect end-of-stream error sent compressed (a long one, to a client that accepts gzip) is read and given an ErrorInfo", async () => {
    const endStream = JSON.stringify({ error: { code: "internal", message: `parse binary: ${"x".repeat(2000)}` } });
    const res: UniversalServerResponse = {
      status: 200,
      header: new Headers({ "content-type": "application/connect+proto", "connect-content-encoding": "gzip" }),
      body: once(frame(0x03, gzipSync(endStream))),
    };
    const out = await bodyOf(await typedErrors(res, "connect-stream", typedFrameworkError, undefined));
    expect(out[0]).toBe(0x02);
    const json = JSON.parse(out.subarray(5).toString()) as { error: { code: string; details: { type: string }[] } };
    expect(json.error.code).toBe("invalid_argument");
    expect(json.error.details[0]?.type).toBe("google.rpc.ErrorInfo");
  });

  it("an envelope that cannot be read goes out as it came", async () => {
    const res: UniversalServerResponse = {
      status: 200,
      header: new Headers({ "content-type": "application/grpc-web+proto", "grpc-encoding": "snappy" }),
      body: once(frame(0x81, new Uint8Array([1, 2, 3]))),
    };
    expect([...(await bodyOf(await typedErrors(res, "grpc-web", typedFrameworkError, undefined)))]).toEqual([0x81, 0, 0, 0, 3, 1, 2, 3]);
  });

  it("an error response in each protocol carries the error", async () => {
    const error = typedFrameworkError(new ConnectError("body: not valid JSON", Code.InvalidArgument));
    expect(errorResponse("grpc", error, undefined).trailer?.get("grpc-status")).toBe("3");
    expect((await bodyOf(errorResponse("grpc-web", error, undefined)))[0]).toBe(0x80);
    expect(errorResponse("connect-unary", error, undefined).status).toBe(400);
    expect((await bodyOf(errorResponse("connect-stream", error, undefined)))[0]).toBe(0x02);
  });
});
