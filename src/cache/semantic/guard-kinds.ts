import { COMPARISON, MODALS, NEGATIONS, QUANTIFIERS, RELATIONS } from "./guard-words.js";

/* How the guard names a difference between two prompts' tokens (its refusal reasons, in logs and evaluations). */

/** A request's count of what it asks to produce: one ("SG") or several ("PL"). */
export const isCount = (t: string): boolean => t === "SG" || t === "PL";

/** What kind of word a token is, for naming a difference. */
export function kindOf(t: string): string {
  if (t.startsWith("code:")) return "code";
  if (t.startsWith("q:")) return "quoted";
  if (t === "PLURAL" || t === "A" || t === "BARE") return "plurality";
  if (/^\d/.test(t)) return "number";
  if (/^T\d/.test(t)) return "time";
  if (t.startsWith("_date_")) return "date";
  if (t.startsWith("u:") || t.startsWith("c:")) return "unit";
  if (t.startsWith("#")) return "ordinal";
  if (t === "PAST" || t === "FUT") return "tense";
  if (isCount(t)) return "count";
  if (NEGATIONS.has(t)) return "negation";
  if (QUANTIFIERS.has(t)) return "quantifier";
  if (MODALS.has(t)) return "modality";
  if (COMPARISON.has(t)) return "comparison";
  if (RELATIONS.has(t)) return "relation";
  return "content";
}

const ORDER = [
  "code",
  "quoted",
  "number",
  "time",
  "date",
  "unit",
  "ordinal",
  "negation",
  "tense",
  "count",
  "plurality",
  "quantifier",
  "modality",
  "comparison",
  "relation",
  "content",
];

/** Names the first kind of difference, most telling first. */
export function difference(onlyA: string[], onlyB: string[]): string {
  const kinds = new Set([...onlyA, ...onlyB].map(kindOf));
  const kind = ORDER.find((k) => kinds.has(k))!;
  const a = onlyA.filter((t) => kindOf(t) === kind);
  const b = onlyB.filter((t) => kindOf(t) === kind);
  const what =
    kind === "content" ? (a.length > 0 && b.length > 0 ? "substituted" : b.length > 0 ? "qualifier added" : "qualifier removed") : kind;
  return `${what}: ${a.join(" ") || "-"} / ${b.join(" ") || "-"}`;
}
