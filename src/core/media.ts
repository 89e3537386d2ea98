import type { ContentPart } from "./types.js";

/*
 * What images, documents and audio weigh, in tokens and bytes, for limits, budgets and the
 * context check: an estimate that errs high, never a provider's exact count (each provider counts
 * its own way; the answer's usage carries the real figure).
 */

/** An image of unknown size: Anthropic's largest (about 1,600 tokens) is above OpenAI's 2048×768 high detail. */
const IMAGE_UNKNOWN = 1_600;
/** OpenAI's low detail: one 512-pixel tile. */
const IMAGE_LOW = 85;
/** A PDF page read as text and image (Anthropic documents 1,500 to 3,000). */
const PDF_PAGE = 2_000;

/** A data: URL's media type and base64 payload; undefined when it is not `data:<type>;base64,<data>`. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/s.exec(url);
  return m ? { mediaType: m[1]!, data: m[2]! } : undefined;
}

/** Bytes of base64 text, decoded, without decoding it. */
export function base64Bytes(b64: string): number {
  const pad = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}

/** Width and height from a PNG, GIF, JPEG or WebP header, when the bytes show them. */
export function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length >= 10 && bytes.toString("latin1", 0, 3) === "GIF")
    return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  if (bytes.length >= 30 && bytes.toString("latin1", 0, 4) === "RIFF" && bytes.toString("latin1", 8, 12) === "WEBP") {
    const kind = bytes.toString("latin1", 12, 16);
    if (kind === "VP8X") return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
    if (kind === "VP8 ") return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
    if (kind === "VP8L") {
      const b = bytes.readUInt32LE(21);
      return { width: 1 + (b & 0x3fff), height: 1 + ((b >> 14) & 0x3fff) };
    }
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    // Walk the JPEG's segments to its frame header (SOF0 to SOF15, but not DHT, JPG or DAC).
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return undefined;
      const marker = bytes[i + 1]!;
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: bytes.readUInt16BE(i + 7), height: bytes.readUInt16BE(i + 5) };
      }
      i += 2 + bytes.readUInt16BE(i + 2);
    }
  }
  return undefined;
}

/** Tokens an image of this size costs at OpenAI (high detail, tiles) or Anthropic (pixels / 750), whichever is more. */
function imageTokens(width: number, height: number): number {
  // OpenAI: fit within 2048×2048, then the short side to 768, then 170 per 512-pixel tile plus 85.
  let w = width;
  let h = height;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const short = Math.min(1, 768 / Math.min(w, h));
  w *= short;
  h *= short;
  const openAi = 85 + 170 * Math.ceil(w / 512) * Math.ceil(h / 512);
  // Anthropic scales images down to about 1.15 megapixels: at most about 1,600 tokens.
  const anthropic = Math.min(IMAGE_UNKNOWN, Math.ceil((width * height) / 750));
  return Math.max(openAi, anthropic);
}

/** Pages of a PDF, counted from its page objects; at least one. */
function pdfPages(bytes: Buffer): number {
  let pages = 0;
  for (const needle of ["/Type /Page", "/Type/Page"]) {
    for (let i = bytes.indexOf(needle); i >= 0; i = bytes.indexOf(needle, i + needle.length)) {
      // "/Type /Pages" is the page tree, not a page.
      if (bytes[i + needle.length] !== 0x73) pages++;
    }
  }
  return Math.max(1, pages);
}

// A part is weighed once, however many times limits, budgets and the context check ask.
const weighed = new WeakMap<ContentPart, number>();

/** The estimated tokens of one part that is not text. */
export function partTokens(part: ContentPart): number {
  let tokens = weighed.get(part);
  if (tokens === undefined) {
    tokens = weigh(part);
    weighed.set(part, tokens);
  }
  return tokens;
}

function weigh(part: ContentPart): number {
  switch (part.type) {
    case "text":
      return 0;
    case "image": {
      if (part.detail === "low") return IMAGE_LOW;
      const size = part.data ? imageSize(Buffer.from(part.data.slice(0, 64 * 1024), "base64")) : undefined;
      return size ? imageTokens(size.width, size.height) : IMAGE_UNKNOWN;
    }
    case "file":
      if (!part.data) return PDF_PAGE;
      if (part.mediaType === "application/pdf") return PDF_PAGE * pdfPages(Buffer.from(part.data, "base64"));
      return Math.ceil(base64Bytes(part.data) / 4);
    case "audio":
      // About 10 tokens a second: 32 KB a second of 16-bit 16 kHz WAV, 16 KB of 128 kbit/s MP3.
      return Math.ceil(base64Bytes(part.data) / (part.format === "wav" ? 3_200 : 1_600));
  }
}

/** The estimated tokens of every part of these messages that is not text. */
export function mediaTokens(messages: readonly { parts?: readonly ContentPart[] }[]): number {
  let tokens = 0;
  for (const m of messages) for (const p of m.parts ?? []) if (p.type !== "text") tokens += partTokens(p);
  return tokens;
}
