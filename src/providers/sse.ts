import { StringDecoder } from "node:string_decoder";

/** One server-sent event: its type (null when the stream named none) and its data lines joined by "\n". */
export interface SseEvent {
  event: string | null;
  data: string;
}

/**
 * Reads server-sent events (text/event-stream) from bytes as they arrive,
 * one chunk at a time, with no stream or generator of its own. Lines end at
 * CRLF, LF or CR; a blank line ends an event; data lines are joined with
 * "\n"; comments and the id and retry fields are skipped. An event the
 * stream ends in the middle of is dropped, as the standard says (and as the
 * provider SDKs do). Characters split between chunks are put back together.
 */
export class SseReader {
  private readonly decoder = new StringDecoder("utf8");
  /** Text after the last line end: the start of a line still to come. */
  private rest = "";
  /** A chunk ended in CR: the next may begin with the LF of the same line end. */
  private heldCr = false;
  private event: string | null = null;
  private data = "";
  private hasData = false;

  /** Takes in a chunk of bytes and appends the events it completes to `out`. */
  push(bytes: Uint8Array, out: SseEvent[]): void {
    let chunk = this.decoder.write(bytes as Buffer);
    if (this.heldCr) {
      chunk = `\r${chunk}`;
      this.heldCr = false;
    }
    if (chunk.includes("\r")) {
      if (chunk.endsWith("\r")) {
        this.heldCr = true;
        chunk = chunk.slice(0, -1);
      }
      chunk = chunk.replace(/\r\n?/g, "\n");
    }
    // The held text has no line end: search only the new text for one.
    let nl = chunk.indexOf("\n");
    if (nl === -1) {
      this.rest += chunk;
      return;
    }
    const text = this.rest + chunk;
    nl += this.rest.length;
    let start = 0;
    while (nl !== -1) {
      this.line(text.slice(start, nl), out);
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    this.rest = text.slice(start);
  }

  /** The stream is over: a CR it ended in ended a line, which may have ended an event. */
  end(out: SseEvent[]): void {
    if (!this.heldCr) return;
    this.heldCr = false;
    this.line(this.rest, out);
    this.rest = "";
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === "") {
      if (this.hasData) out.push({ event: this.event, data: this.data });
      this.event = null;
      this.data = "";
      this.hasData = false;
      return;
    }
    const colon = line.indexOf(":");
    if (colon === 0) return; // a comment
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") {
      this.data = this.hasData ? `${this.data}\n${value}` : value;
      this.hasData = true;
    } else if (field === "event") {
      this.event = value;
    }
  }
}
