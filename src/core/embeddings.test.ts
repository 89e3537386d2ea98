import { describe, expect, it } from "vitest";
import { vectorFromBase64, vectorToBase64 } from "./embeddings.js";

describe("base64 vectors (OpenAI's encoding_format: base64)", () => {
  it("are little-endian float32 values, both ways", () => {
    const v = Float32Array.of(0.5, -1.25, 3.4028234663852886e38, 1e-45);
    const bytes = Buffer.alloc(16);
    for (const [i, x] of v.entries()) bytes.writeFloatLE(x, i * 4);
    expect(vectorToBase64(v)).toBe(bytes.toString("base64"));
    expect(Array.from(vectorFromBase64(bytes.toString("base64")))).toEqual(Array.from(v));
  });

  it("read a vector that sits inside a larger buffer, and ignore a trailing partial value", () => {
    const big = new Float32Array([9, 1, 2, 9]);
    const view = big.subarray(1, 3);
    expect(Array.from(vectorFromBase64(vectorToBase64(view)))).toEqual([1, 2]);
    const odd = Buffer.concat([Buffer.from(vectorToBase64(view), "base64"), Buffer.from([1, 2])]).toString("base64");
    expect(Array.from(vectorFromBase64(odd))).toEqual([1, 2]);
  });
});
