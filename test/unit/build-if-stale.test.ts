import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** `npm start` builds only what changed: the staleness rule of scripts/build-if-stale.mjs. */
const script = new URL("../../scripts/build-if-stale.mjs", import.meta.url).href;
const { isStale } = (await import(script)) as { isStale(sources: string[], stamp: string): boolean };

describe("build-if-stale", () => {
  it("builds without a stamp, skips when nothing changed since it, builds again after an edit", () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-stale-"));
    mkdirSync(join(dir, "src", "deep"), { recursive: true });
    const source = join(dir, "src", "deep", "a.ts");
    const stamp = join(dir, "dist", ".built");
    writeFileSync(source, "1");
    const past = new Date(Date.now() - 60_000);
    utimesSync(source, past, past);
    expect(isStale([join(dir, "src")], stamp)).toBe(true);
    mkdirSync(join(dir, "dist"));
    writeFileSync(stamp, "");
    expect(isStale([join(dir, "src")], stamp)).toBe(false);
    const later = new Date(Date.now() + 60_000);
    utimesSync(source, later, later);
    expect(isStale([join(dir, "src")], stamp)).toBe(true);
  });
});
