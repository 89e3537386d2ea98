import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { MetadataHeaders } from "./metadata-headers.js";

describe("MetadataHeaders", () => {
  const metadata = new Metadata();
  metadata.set("x-api-key", "sk-1");
  metadata.add("x-multi", "a");
  metadata.add("x-multi", "b");
  metadata.set("trace-bin", Buffer.from([0xfb, 0xff]));

  it("reads names in any case, joins repeated values and gives binary values as unpadded base64", () => {
    const h = new MetadataHeaders(metadata);
    expect(h.get("X-Api-Key")).toBe("sk-1");
    expect(h.has("x-api-key")).toBe(true);
    expect(h.get("x-multi")).toBe("a, b");
    expect(h.get("trace-bin")).toBe("+/8");
    expect(h.get("missing")).toBeNull();
  });

  it("iterates like Headers, and takes writes without touching the metadata", () => {
    const h = new MetadataHeaders(metadata);
    h.append("x-api-key", "sk-2");
    h.delete("x-multi");
    expect([...h]).toEqual([
      ["x-api-key", "sk-1, sk-2"],
      ["trace-bin", "+/8"],
    ]);
    const seen: string[] = [];
    h.forEach((v, k) => {
      seen.push(`${k}=${v}`);
    });
    expect(seen).toEqual(["x-api-key=sk-1, sk-2", "trace-bin=+/8"]);
    expect(metadata.get("x-multi")).toEqual(["a", "b"]);
  });
});
