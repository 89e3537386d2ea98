import { describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLDS } from "../../src/cache/semantic/create.js";
import type { Embedder } from "../../src/cache/semantic/embedder.js";
import { createLexicalEmbedder } from "../../src/cache/semantic/lexical.js";
import { createLocalEmbedder } from "../../src/cache/semantic/local.js";
import { createMinilmEmbedder } from "../../src/cache/semantic/minilm.js";
import { systemClock } from "../../src/core/clock.js";
import {
  atThreshold,
  DEVELOPMENT_FILES,
  dataFiles,
  loadPairs,
  type Outcome,
  prefetching,
  runThroughIndex,
  score,
  tableByKind,
} from "./semantic-eval.js";

/*
 * The semantic cache's evaluation (docs/caching.md "Evaluation"): every labelled pair file in
 * test/cache/semantic-data, run through the real index with each offline embedder at its default threshold
 * and the guard. On the development files a single wrong answer fails the build; every other file is the
 * held-out set, which is printed and never fails: nothing is tuned on it.
 */

const files = dataFiles();
const development = files.filter((f) => DEVELOPMENT_FILES.includes(f));
const heldOut = files.filter((f) => !DEVELOPMENT_FILES.includes(f));

/**
 * The recall each development file must keep, a margin under what the guard reaches (sixth round, local /
 * lexical: dev 0.637 / 0.616; legacy 0.433 / 0.400; seen 0.521 / 0.487; seen2 0.469 / 0.443; seen3 0.511 / 0.485;
 * seen4 0.482 / 0.467; seen5 0.448 / 0.423; the red team's 0.739 / 0.701): the pairs the guard still refuses are
 * mostly rewordings, refused by design.
 */
const RECALL_FLOORS: Record<string, Partial<Record<keyof typeof DEFAULT_THRESHOLDS, number>>> = {
  "dev.jsonl": { local: 0.6, lexical: 0.58 },
  "legacy.jsonl": { local: 0.41, lexical: 0.38 },
  "seen.jsonl": { local: 0.49, lexical: 0.46 },
  "seen2.jsonl": { local: 0.43, lexical: 0.41 },
  "seen3.jsonl": { local: 0.46, lexical: 0.44 },
  "seen4.jsonl": { local: 0.46, lexical: 0.44 },
  "seen5.jsonl": { local: 0.42, lexical: 0.4 },
  "dev-redteam.jsonl": { local: 0.7, lexical: 0.67 },
};

const embedders: [keyof typeof DEFAULT_THRESHOLDS, () => Embedder][] = [
  ["local", createLocalEmbedder],
  ["lexical", createLexicalEmbedder],
  ["minilm", () => createMinilmEmbedder({ clock: systemClock })],
];

/** Each embedder's outcomes by file, at threshold -1 (every candidate reaches the guard): thresholds are applied after. */
const runs = new Map<string, Promise<Map<string, Outcome[]>>>();
function outcomes(name: keyof typeof DEFAULT_THRESHOLDS, make: () => Embedder): Promise<Map<string, Outcome[]>> {
  let run = runs.get(name);
  if (!run) {
    run = (async () => {
      const embedder = prefetching(make());
      const byFile = new Map<string, Outcome[]>();
      for (const file of files) {
        const pairs = loadPairs(file);
        await embedder.prefetch(pairs.flatMap((p) => [p.a, p.b]));
        byFile.set(file, await runThroughIndex(embedder, -1, pairs));
      }
      return byFile;
    })();
    runs.set(name, run);
  }
  return run;
}

const wrongAnswers = (os: readonly Outcome[]) =>
  os
    .filter((o) => o.hit && o.pair.label === "different")
    .map((o) => `${o.pair.id}: "${o.pair.a}" -> "${o.pair.b}" (${o.similarity?.toFixed(3)})`);

describe("semantic cache evaluation", () => {
  it("has development pairs to hold the cache to", () => {
    expect(development).toContain("legacy.jsonl");
    const pairs = development.flatMap(loadPairs);
    expect(pairs.filter((p) => p.label === "same").length).toBeGreaterThan(50);
    expect(pairs.filter((p) => p.label === "different").length).toBeGreaterThan(50);
  });

  it.each(embedders)(
    "%s embedder, default threshold, with the guard: no wrong answer on the development pairs, and a useful recall",
    { timeout: 900_000 },
    async (name, make) => {
      const byFile = await outcomes(name, make);
      const threshold = DEFAULT_THRESHOLDS[name];
      const dev = development.flatMap((f) => atThreshold(byFile.get(f)!, threshold));
      const lines = [`## ${name} embedder, threshold ${threshold}, guard on`];
      for (const f of development) lines.push("", tableByKind(f, atThreshold(byFile.get(f)!, threshold)));
      lines.push("", "threshold sweep on the development pairs (precision / recall / wrong answers):");
      for (let t = 0.3; t <= 0.951; t += 0.05) {
        const s = score(
          atThreshold(
            development.flatMap((f) => byFile.get(f)!),
            t,
          ),
        );
        lines.push(`  ${t.toFixed(2)}: ${s.precision.toFixed(3)} / ${s.recall.toFixed(3)} / ${s.wrong}`);
      }
      console.log(lines.join("\n"));
      expect(wrongAnswers(dev)).toEqual([]);
      // A cache that never hits would pass the line above: it must also be worth having, file by file.
      for (const f of development) {
        const floor = RECALL_FLOORS[f]?.[name] ?? 0;
        expect({ file: f, recall: score(atThreshold(byFile.get(f)!, threshold)).recall >= floor }).toEqual({ file: f, recall: true });
      }
    },
  );

  it.each(embedders)(
    "%s embedder, default threshold: the held-out pairs, reported and never tuned on",
    { timeout: 900_000 },
    async (name, make) => {
      if (heldOut.length === 0) return;
      const byFile = await outcomes(name, make);
      const threshold = DEFAULT_THRESHOLDS[name];
      const lines = [`## HELD-OUT, ${name} embedder, threshold ${threshold}, guard on (report only)`];
      for (const f of heldOut) {
        const os = atThreshold(byFile.get(f)!, threshold);
        lines.push("", tableByKind(f, os), "", `wrong answers served: ${wrongAnswers(os).join("; ") || "none"}`);
      }
      console.log(lines.join("\n"));
    },
  );
});
