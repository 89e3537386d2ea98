import { describe, expect, it } from "vitest";
import { bounded, echo } from "./errors.js";

describe("bounded and echoed text", () => {
  it("cuts long text without splitting a character, and says how much was cut", () => {
    const text = "😀".repeat(1000);
    const out = bounded(text, 101);
    expect(out.isWellFormed()).toBe(true);
    expect(out).toContain("more characters");
    expect(encodeURIComponent(out)).toBeTruthy();
  });

  it("makes a lone surrogate well-formed, so that it can travel in a grpc-message", () => {
    expect(() => encodeURIComponent(bounded("bad \ud800 text"))).not.toThrow();
  });

  it("quotes a caller's value, bounded", () => {
    expect(echo("model")).toBe('"model"');
    const long = echo("m".repeat(10_000));
    expect(long.length).toBeLessThan(120);
    expect(echo("😀".repeat(100)).isWellFormed()).toBe(true);
  });
});
