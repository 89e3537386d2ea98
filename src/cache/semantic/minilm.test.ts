import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { manualClock } from "../../../test/support/manual-clock.js";
import { systemClock } from "../../core/clock.js";
import { dot } from "./embedder.js";
import { createMinilmEmbedder, type MinilmEmbedder } from "./minilm.js";
import { ModelFilesError, type ModelSpec } from "./model-files.js";

const closing: MinilmEmbedder[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(closing.map((e) => e.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const track = (e: MinilmEmbedder) => {
  closing.push(e);
  return e;
};

// Loading the model takes a few seconds, many more on a loaded machine.
const SLOW = { timeout: 120_000 };

describe("minilm embedder (the real model)", () => {
  // The files come from the project's model folder, fetched by scripts/setup.sh (or here, on first use).
  const embedder = track(createMinilmEmbedder({ clock: systemClock }));

  it("gives unit vectors of 384 dimensions, the same for a text alone or in a batch of others", SLOW, async () => {
    const texts = [
      "How do I reverse a list in Python?",
      "Summarise the causes of the First World War in three paragraphs, for a history class of fifteen-year-olds.",
      "hi",
    ];
    const batch = await embedder.embed(texts);
    expect(batch.map((v) => v.length)).toEqual([384, 384, 384]);
    for (const [i, text] of texts.entries()) {
      expect(dot(batch[i]!, batch[i]!)).toBeCloseTo(1, 5);
      // Padding to the batch's longest text must not change a vector: the mask keeps pads out of the mean.
      const [alone] = await embedder.embed([text]);
      expect(dot(alone!, batch[i]!)).toBeCloseTo(1, 5);
    }
  });

  it("scores a paraphrase above an unrelated question, and ignores case", SLOW, async () => {
    const [a, para, other, lower] = await embedder.embed([
      "What is the capital of France?",
      "Which city is France's capital?",
      "How do I bake sourdough bread?",
      "what is the CAPITAL of france?",
    ]);
    expect(dot(a!, para!)).toBeGreaterThan(0.8);
    expect(dot(a!, other!)).toBeLessThan(0.3);
    expect(dot(a!, lower!)).toBeCloseTo(1, 5);
  });

  it("reads 256 tokens of a text at most: what follows them changes nothing", SLOW, async () => {
    const long = `Explain this log: ${"error at line forty two ".repeat(120)}`;
    // A megabyte pasted after them: cut before tokenising, so it costs what 256 tokens cost.
    const huge = `${long} ${"lorem ipsum ".repeat(90_000)}`;
    const [v1, v2, short, v3] = await embedder.embed([long, `${long} and then the disk caught fire`, "Explain this log", huge]);
    expect(dot(v1!, v2!)).toBeCloseTo(1, 5);
    expect(dot(v1!, v3!)).toBeCloseTo(1, 5);
    expect(dot(v1!, short!)).toBeLessThan(0.99);
  });

  it("sends lookups that arrive while the worker is busy together, each getting its own vector", SLOW, async () => {
    await embedder.warm();
    const texts = Array.from({ length: 12 }, (_, i) => `Question number ${i}: what is ${i} squared?`);
    const before = embedder.stats();
    const together = await Promise.all(texts.map((t) => embedder.embed([t])));
    const after = embedder.stats();
    expect(after.texts - before.texts).toBe(12);
    // The first goes alone; the rest wait for it and go in one job (or a few, if the first was quick).
    expect(after.jobs - before.jobs).toBeLessThan(12);
    const alone = await embedder.embed(texts);
    for (const [i, [v]] of together.entries()) expect(dot(v!, alone[i]!)).toBeCloseTo(1, 5);
    expect(after.workers).toBe(1);
  });
});

/** A model folder with two small files and the spec that pins them, for the stand-in worker. */
function fakeModel(onnxName = "model.onnx"): { dir: string; spec: ModelSpec } {
  const dir = mkdtempSync(join(tmpdir(), "gw-minilm-"));
  dirs.push(dir);
  const sha = (s: string) => createHash("sha256").update(s).digest("hex");
  writeFileSync(join(dir, onnxName), "weights");
  writeFileSync(join(dir, "tokenizer.json"), "{}");
  const spec: ModelSpec = {
    embedder: "minilm",
    name: "stand-in",
    batchable: true,
    url: "http://127.0.0.1:9/never-fetched.jar",
    sha256: sha("jar"),
    files: { onnx: { entry: onnxName, sha256: sha("weights") }, tokenizer: { entry: "tokenizer.json", sha256: sha("{}") } },
  };
  return { dir, spec };
}

const standIn = new URL("./minilm-worker.fixtures.ts", import.meta.url);

describe("minilm embedder (failures, with a stand-in worker)", () => {
  it("fails the texts of a worker that dies, and starts another for the next", async () => {
    const e = track(createMinilmEmbedder({ clock: systemClock, ...fakeModel(), workerUrl: standIn }));
    expect((await e.embed(["abc"]))[0]![0]).toBe(3);
    await expect(e.embed(["crash"])).rejects.toThrow(/the minilm worker stopped \(exit code 3\)/);
    expect((await e.embed(["abcd"]))[0]![0]).toBe(4);
    expect(e.stats().workers).toBe(2);
  });

  it("ends a job that runs over its time, tells its callers, and answers the next from a new worker", async () => {
    const clock = manualClock();
    const e = track(createMinilmEmbedder({ clock, ...fakeModel(), workerUrl: standIn, jobTimeoutMs: 5_000 }));
    await e.warm();
    const stuck = e.embed(["hang"]);
    const waiting = e.embed(["ab"]);
    await vi.waitFor(() => expect(e.stats().jobs).toBe(1));
    clock.advance(4_999);
    expect(e.stats().workers).toBe(1);
    clock.advance(1);
    await expect(stuck).rejects.toThrow(/a batch of 1 texts took over 5000 ms; the worker was restarted/);
    expect((await waiting)[0]![0]).toBe(2);
    expect(e.stats().workers).toBe(2);
  });

  it("fails warm() when the model does not load, naming the embedder", async () => {
    const e = track(createMinilmEmbedder({ clock: systemClock, ...fakeModel("broken.onnx"), workerUrl: standIn }));
    await expect(e.warm()).rejects.toThrow("cache.semantic.embedder minilm: the model did not load (no such model)");
    await expect(e.embed(["x"])).rejects.toThrow(/did not load/);
  });

  it("fails warm() when the model never finishes loading, after a minute on the clock", async () => {
    const clock = manualClock();
    const e = track(createMinilmEmbedder({ clock, ...fakeModel("silent.onnx"), workerUrl: standIn }));
    const warming = e.warm();
    await vi.waitFor(() => expect(e.stats().workers).toBe(1));
    clock.advance(60_000);
    await expect(warming).rejects.toThrow("cache.semantic.embedder minilm: the model did not load (not ready within 60 s)");
  });

  it("fails warm() when the files are missing and cannot be fetched, naming the fix", async () => {
    const { spec } = fakeModel();
    const empty = mkdtempSync(join(tmpdir(), "gw-minilm-empty-"));
    dirs.push(empty);
    const e = track(createMinilmEmbedder({ clock: systemClock, dir: empty, spec, workerUrl: standIn }));
    const err = await e.warm().catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ModelFilesError);
    expect((err as Error).message).toMatch(/^cache\.semantic\.embedder is minilm, but its model files are not in .*Fix: /);
    expect(e.stats().workers).toBe(0);
  });

  it("rejects what waits when closed, and embeds nothing after", async () => {
    const e = createMinilmEmbedder({ clock: systemClock, ...fakeModel(), workerUrl: standIn });
    await e.warm();
    const stuck = e.embed(["hang"]);
    const queued = e.embed(["ab"]);
    await vi.waitFor(() => expect(e.stats().jobs).toBe(1));
    const told = Promise.all([expect(stuck).rejects.toThrow(/closed/), expect(queued).rejects.toThrow(/closed/)]);
    await e.close();
    await told;
    await expect(e.embed(["x"])).rejects.toThrow(/closed/);
  });
});
