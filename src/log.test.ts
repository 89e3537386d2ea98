import { describe, expect, it } from "vitest";
import { createLogger, stdoutSink } from "./log.js";

describe("stdoutSink", () => {
  it("writes the lines of one turn of the event loop in one write, in order, each ending in a newline", async () => {
    const writes: string[] = [];
    const log = createLogger("info", stdoutSink({ write: (t: string) => writes.push(t) }));
    log.info("one");
    log.warn("two");
    log.debug("not at this level");
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(1);
    const lines = writes[0]!.split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -1).map((l) => JSON.parse(l).msg)).toEqual(["one", "two"]);
  });

  it("does not hold more than a bounded batch", () => {
    const writes: string[] = [];
    const sink = stdoutSink({ write: (t: string) => writes.push(t) });
    for (let i = 0; i < 1024; i++) sink(`line ${i}`);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split("\n")).toHaveLength(1025);
  });
});
