import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { tuneHeap } from "./heap.js";

describe("tuneHeap", () => {
  it("holds the young generation during start-up only, and gives it back once", () => {
    const set: string[] = [];
    const heap = tuneHeap([], undefined, (f) => set.push(f));
    expect(set).toEqual(["--semi-space-growth-factor=1"]);
    heap.startedUp();
    heap.startedUp();
    expect(set).toEqual(["--semi-space-growth-factor=1", "--semi-space-growth-factor=2"]);
  });

  it.each([
    ["the command line", ["--semi-space-growth-factor=4"], undefined],
    ["NODE_OPTIONS, with underscores", ["--inspect"], "--max-old-space-size=512 --semi_space_growth_factor=4"],
  ])("leaves a growth factor the operator gave on %s alone", (_where, execArgv, nodeOptions) => {
    const set: string[] = [];
    const heap = tuneHeap(execArgv, nodeOptions, (f) => set.push(f));
    heap.startedUp();
    expect(set).toEqual([]);
    expect(heap.applied).toEqual([]);
  });

  it("applies itself when the operator gave other flags only", () => {
    const set: string[] = [];
    tuneHeap(["--max-semi-space-size=16", "--enable-source-maps"], "--heap-growing-percent=50", (f) => set.push(f));
    expect(set).toEqual(["--semi-space-growth-factor=1"]);
  });

  // The reason this module exists: V8 reads the young generation's growth factor at every
  // collection, so setting it after start takes effect. A V8 that stopped doing so fails here.
  it("V8 takes the young generation's growth factor at run time", () => {
    const script = `
      const v8 = require("node:v8");
      const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
      const survive = (mb) => { const kept = []; for (let i = 0; i < mb * 1024; i++) kept.push(new Array(100).fill(i)); return kept; };
      const initial = newSpace();
      v8.setFlagsFromString("--semi-space-growth-factor=1");
      const a = survive(64);
      const held = newSpace();
      v8.setFlagsFromString("--semi-space-growth-factor=2");
      const b = survive(64);
      console.log(JSON.stringify({ initial, held, grown: newSpace(), kept: a.length + b.length }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as Record<string, number>;
    // Held at its first two semi-spaces (the second is committed at the first collection) while
    // 64 MB survived, then grown many times over by the next 64 MB (V8 alone takes it to 128 MB).
    expect(out["held"]).toBeLessThanOrEqual(2 * out["initial"]!);
    expect(out["grown"]).toBeGreaterThanOrEqual(16 * out["held"]!);
  });
});
