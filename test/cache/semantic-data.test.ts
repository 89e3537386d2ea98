import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Checks the labelled pair files in test/cache/semantic-data (format in its README.md): each file on its own, and
 * all files together, so that the development set and the held-out set, written apart, never share a pair.
 */

const DIR = fileURLToPath(new URL("./semantic-data/", import.meta.url));

// The label each listed kind must carry: a paraphrase kind is only ever "same", a near miss only ever "different".
// A kind not listed here is allowed (the README declares it) but must still have its 12 pairs.
const SAME_KINDS = [
  "reword",
  "reorder",
  "synonym",
  "politeness",
  "typo",
  "case",
  "possessive",
  "inflection",
  "punctuation",
  "contraction",
  "verbosity",
  "ordinal-word",
  "abbreviation",
  "number-format",
  "unit-spelling",
  "question-vs-imperative",
  // Kinds added for this set (declared in semantic-data/README.md).
  "spelling-variant",
  "coreference",
  "generic-person",
];
const DIFFERENT_KINDS = [
  "role-swap",
  "direction",
  "qualifier-added",
  "qualifier-removed",
  "term-substitution",
  "entity",
  "number",
  "time",
  "unit",
  "stance",
  "negation",
  "quantifier",
  "comparative",
  "tense",
  "format-request",
  "length-request",
  "audience",
  "language",
  "scope-widen",
  "scope-narrow",
  "antonym",
  "modality",
  "count",
  "sequence-position",
  // Kinds added for this set (declared in semantic-data/README.md).
  "code-detail",
  "pasted-data",
  "version",
];
const MIN_PER_KIND = 12;
// The first held-out set (now seen.jsonl) lost the pairs the development set also had (both writers drew on the
// issue's examples) when the two met; that left two of its kinds at 11, and its pairs are kept as they were written.
const minPerKind = (file: string) => (file === "seen.jsonl" ? 10 : MIN_PER_KIND);

interface Turn {
  role: "user" | "assistant";
  content: string;
}

interface LabelledPair {
  id: string;
  kind: string;
  label: "same" | "different";
  system?: string;
  context?: Turn[];
  a: string;
  b: string;
  note: string;
}

const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.trim().length > 0;

/** Why a parsed line is not a valid pair, or undefined when it is. */
function invalid(p: Record<string, unknown>): string | undefined {
  if (!nonEmpty(p["id"]) || !nonEmpty(p["kind"])) return "id and kind must be non-empty strings";
  if (!/^[a-z0-9]+$/.test(p["id"].split("-")[0]!)) return `id ${p["id"]} must start with the set name`;
  if (!p["id"].endsWith(`-${p["kind"]}-${p["id"].split("-").at(-1)}`) || !/-\d+$/.test(p["id"])) {
    return `id ${p["id"]} must be <set>-${p["kind"]}-<n>`;
  }
  if (p["label"] !== "same" && p["label"] !== "different") return `label ${String(p["label"])} is not same|different`;
  if (!nonEmpty(p["a"]) || !nonEmpty(p["b"]) || !nonEmpty(p["note"])) return "a, b and note must be non-empty strings";
  if (p["system"] !== undefined && !nonEmpty(p["system"])) return "system, when present, must be a non-empty string";
  if (p["context"] !== undefined) {
    const ctx = p["context"];
    if (!Array.isArray(ctx) || ctx.length === 0) return "context, when present, must be a non-empty array";
    for (const t of ctx as Record<string, unknown>[]) {
      if ((t["role"] !== "user" && t["role"] !== "assistant") || !nonEmpty(t["content"])) return "bad context turn";
    }
  }
  const allowed = new Set(["id", "kind", "label", "system", "context", "a", "b", "note"]);
  const extra = Object.keys(p).filter((k) => !allowed.has(k));
  return extra.length > 0 ? `unknown fields ${extra.join(", ")}` : undefined;
}

function load(file: string): LabelledPair[] {
  const lines = readFileSync(join(DIR, file), "utf8").split("\n");
  const pairs: LabelledPair[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1} does not parse: ${(e as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${file}:${i + 1} is not an object`);
    const why = invalid(parsed as Record<string, unknown>);
    if (why !== undefined) throw new Error(`${file}:${i + 1}: ${why}`);
    pairs.push(parsed as LabelledPair);
  }
  return pairs;
}

// Two pairs are the same pair when their prompts match in either order in the same conversation (system prompt and
// earlier turns); spacing and case do not make a new pair.
const norm = (s: string) => s.trim().replace(/\s+/g, " ").toLowerCase();
const pairKey = (p: LabelledPair) =>
  [norm(p.a), norm(p.b)].sort().join("\u0000") + norm(`\u0000${p.system ?? ""}\u0000${JSON.stringify(p.context ?? [])}`);

const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".jsonl"))
  .sort();

describe("semantic-data: labelled pair files", () => {
  it("holds the development set, with every listed kind in it", () => {
    expect(files).toContain("dev.jsonl");
    const kinds = new Set(load("dev.jsonl").map((p) => p.kind));
    expect([...SAME_KINDS, ...DIFFERENT_KINDS].filter((k) => !kinds.has(k))).toEqual([]);
  });

  describe.each(files)("%s", (file) => {
    const pairs = load(file);

    it("has unique ids and no pair twice", () => {
      const ids = pairs.map((p) => p.id);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
      const seen = new Map<string, string>();
      const dupes: string[] = [];
      for (const p of pairs) {
        const prior = seen.get(pairKey(p));
        if (prior !== undefined) dupes.push(`${p.id} repeats ${prior}`);
        seen.set(pairKey(p), p.id);
      }
      expect(dupes).toEqual([]);
    });

    it("labels every listed kind the way the kind means", () => {
      const wrong = pairs
        .filter((p) => (SAME_KINDS.includes(p.kind) && p.label !== "same") || (DIFFERENT_KINDS.includes(p.kind) && p.label !== "different"))
        .map((p) => p.id);
      expect(wrong).toEqual([]);
    });

    it(`has at least ${minPerKind(file)} pairs of every kind it uses`, () => {
      const counts = new Map<string, number>();
      for (const p of pairs) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
      // A kind the guard was fixed for on seen.jsonl gets a few new pairs in dev.jsonl to check that the fix
      // generalises; development data is one pool, so such a kind counts its pairs across both files.
      // A helper's own file of a few pairs per rule (dev-<name>.jsonl) counts every kind with the development pool.
      const helper = file.startsWith("dev-");
      const pool = helper ? files.filter((f) => f !== file && !f.startsWith("heldout")) : file === "dev.jsonl" ? ["seen.jsonl"] : [];
      for (const p of pool.flatMap(load))
        if (counts.has(p.kind) && (helper || (!SAME_KINDS.includes(p.kind) && !DIFFERENT_KINDS.includes(p.kind))))
          counts.set(p.kind, counts.get(p.kind)! + 1);
      const short = [...counts].filter(([, n]) => n < minPerKind(file)).map(([k, n]) => `${k}: ${n}`);
      expect(short).toEqual([]);
    });

    it("is between 30% and 50% paraphrases", () => {
      const same = pairs.filter((p) => p.label === "same").length / pairs.length;
      expect(same).toBeGreaterThanOrEqual(0.3);
      expect(same).toBeLessThanOrEqual(0.5);
    });
  });

  it("shares no pair and no id between files", () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const file of files) {
      for (const p of load(file)) {
        for (const key of [pairKey(p), `id:${p.id}`]) {
          const prior = owner.get(key);
          if (prior !== undefined && prior !== file) clashes.push(`${file} ${p.id} also in ${prior}`);
          owner.set(key, file);
        }
      }
    }
    expect(clashes).toEqual([]);
  });
});
