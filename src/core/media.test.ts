import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { base64Bytes, imageSize, mediaTokens, partTokens } from "./media.js";

/** A real PNG of the given size (one grey channel, all zero). */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type, "latin1"), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  const rows = Buffer.alloc((width + 1) * height);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A minimal baseline JPEG header: SOI, an APP0 segment, then SOF0 with the size. */
function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
}

describe("media weights", () => {
  it("reads image sizes from PNG, GIF and JPEG headers", () => {
    expect(imageSize(png(640, 480))).toEqual({ width: 640, height: 480 });
    const gif = Buffer.concat([Buffer.from("GIF89a", "latin1"), Buffer.from([0x20, 0x03, 0x58, 0x02])]);
    expect(imageSize(gif)).toEqual({ width: 800, height: 600 });
    expect(imageSize(jpegHeader(1920, 1080))).toEqual({ width: 1920, height: 1080 });
    expect(imageSize(Buffer.from("not an image"))).toBeUndefined();
  });

  it("weighs an image by its size, a low-detail one as one tile, an unknown one at the largest", () => {
    const small = partTokens({ type: "image", data: png(100, 100).toString("base64"), mediaType: "image/png" });
    const large = partTokens({ type: "image", data: png(2000, 1500).toString("base64"), mediaType: "image/png" });
    // OpenAI: 100×100 is one tile (85 + 170); 2000×1500 scales to 1024×768, 2×2 tiles (85 + 680); Anthropic's 1,600 is more.
    expect(small).toBe(255);
    expect(large).toBe(1_600);
    expect(partTokens({ type: "image", url: "https://example.com/a.png", detail: "low" })).toBe(85);
    expect(partTokens({ type: "image", url: "https://example.com/a.png" })).toBe(1_600);
  });

  it("weighs a PDF by its pages, plain text by its bytes, audio by its length", () => {
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Pages /Count 3 >>\n<< /Type /Page >>\n<< /Type/Page >>\n<< /Type /Page >>\n");
    expect(partTokens({ type: "file", data: pdf.toString("base64"), mediaType: "application/pdf" })).toBe(3 * 2_000);
    expect(partTokens({ type: "file", data: Buffer.alloc(4_000).toString("base64"), mediaType: "text/plain" })).toBe(1_000);
    // Ten seconds of 16-bit 16 kHz mono WAV: about 100 tokens.
    expect(partTokens({ type: "audio", data: Buffer.alloc(320_000).toString("base64"), format: "wav" })).toBe(100);
  });

  it("adds up the media of every message, text parts weighing nothing here", () => {
    const messages = [
      {
        parts: [
          { type: "text" as const, text: "look" },
          { type: "image" as const, url: "https://x/y.png", detail: "low" as const },
        ],
      },
      { parts: [{ type: "image" as const, url: "https://x/z.png", detail: "low" as const }] },
      {},
    ];
    expect(mediaTokens(messages)).toBe(170);
  });

  it("counts base64's decoded bytes without decoding", () => {
    for (const n of [0, 1, 2, 3, 100, 101]) expect(base64Bytes(Buffer.alloc(n).toString("base64"))).toBe(n);
  });
});
