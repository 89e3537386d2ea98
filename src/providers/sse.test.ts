import { describe, expect, it } from "vitest";
import { SseReader, type SseEvent } from "./sse.js";

/** The events a reader gives for these pieces of one stream, and at its end. */
function read(...pieces: (string | Buffer)[]): SseEvent[] {
  const reader = new SseReader();
  const out: SseEvent[] = [];
  for (const p of pieces) reader.push(typeof p === "string" ? Buffer.from(p) : p, out);
  reader.end(out);
  return out;
}

describe("SseReader", () => {
  it("gives one event per blank line, with its type, joining data lines with a newline", () => {
    expect(read("event: delta\ndata: a\ndata: b\n\ndata: c\n\n")).toEqual([
      { event: "delta", data: "a\nb" },
      { event: null, data: "c" },
    ]);
  });

  it.each([
    ["LF", "data: x\n\n"],
    ["CRLF", "data: x\r\n\r\n"],
    ["CR", "data: x\r\r"],
  ])("reads %s line ends", (_, ...pieces) => {
    expect(read(...pieces)).toEqual([{ event: null, data: "x" }]);
  });

  it("counts a CRLF cut between its CR and its LF as one line end, not two", () => {
    expect(read("data: x\r", "\ndata: y\r\n\r", "\n")).toEqual([{ event: null, data: "x\ny" }]);
  });

  it("ends an event with a CR the stream ends on", () => {
    expect(read("data: x\r\r")).toEqual([{ event: null, data: "x" }]);
    expect(read("data: x\r", "\r")).toEqual([{ event: null, data: "x" }]);
  });

  it("puts a line cut across any number of pieces back together", () => {
    const text = 'data: {"a":"one two three"}\n\n';
    expect(read(...text.split(""))).toEqual([{ event: null, data: '{"a":"one two three"}' }]);
  });

  it("puts a character whose bytes are cut in two back together", () => {
    const bytes = Buffer.from("data: é€\n\n");
    expect(read(bytes.subarray(0, 7), bytes.subarray(7, 10), bytes.subarray(10))).toEqual([{ event: null, data: "é€" }]);
  });

  it("skips comments, ids, retries and unknown fields; takes a value without its one leading space", () => {
    expect(read(": ping\nid: 7\nretry: 10\nfoo: bar\ndata:no-space\ndata:  two spaces\n\n")).toEqual([
      { event: null, data: "no-space\n two spaces" },
    ]);
  });

  it("gives no event for a blank line with no data, and a field name alone as an empty value", () => {
    expect(read("\n\nevent: x\n\ndata\n\n")).toEqual([{ event: null, data: "" }]);
  });

  it("drops an event the stream ends in the middle of", () => {
    expect(read("data: whole\n\ndata: half\n")).toEqual([{ event: null, data: "whole" }]);
  });

  it("hands over events as soon as their blank line comes", () => {
    const reader = new SseReader();
    const out: SseEvent[] = [];
    reader.push(Buffer.from("data: first\n"), out);
    expect(out).toEqual([]);
    reader.push(Buffer.from("\ndata: sec"), out);
    expect(out).toEqual([{ event: null, data: "first" }]);
  });
});
