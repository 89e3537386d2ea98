/*
 * Calendar dates, read as values (docs/caching.md "Third round"): "2025-03-14", "March 14, 2025", "14th of
 * March 2025", "Mar 14 2025" and "14.03.2025" are one date, written as one token, `_date_2025_03_14` (a year
 * left out is `__`). Slashed dates are read only with a year and only when the order is certain (a part over
 * 12 is the day): "03/04/2025" may be March or April, and "3/14" may be a fraction, so they stay as written.
 * A date is compared as a whole: another day, month or year is another date.
 */
const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const FULL = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
FULL.forEach((m, i) => {
  MONTHS[m] = i + 1;
});

const MONTH = `(${Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join("|")})\\.?`;
const DAY = "(\\d{1,2})(?:st|nd|rd|th)?";
/** Days written as ordinal words ("the Fourth of July", "March first"), 1 to 31. */
const UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"];
const TEENS = [
  "tenth",
  "eleventh",
  "twelfth",
  "thirteenth",
  "fourteenth",
  "fifteenth",
  "sixteenth",
  "seventeenth",
  "eighteenth",
  "nineteenth",
];
const ORDINAL_DAYS: string[] = [...UNITS, ...TEENS, "twentieth", ...UNITS.map((u) => `twenty[- ]${u}`), "thirtieth", "thirty[- ]first"];
const DAY_WORD = `(${[...ORDINAL_DAYS].reverse().join("|")})`;
const dayNumber = (d: string): number => (/^\d/.test(d) ? Number(d) : ORDINAL_DAYS.findIndex((o) => new RegExp(`^${o}$`, "i").test(d)) + 1);
const YEAR = "(\\d{4})";

/** "may" and "march" are words as often as months: as months they are written with a capital. */
const month = (written: string): number | undefined =>
  /^(may|march)$/.test(written) ? undefined : MONTHS[written.toLowerCase().replace(/\.$/, "")];

const token = (y: string | undefined, m: number | undefined, d: number): string | undefined =>
  m !== undefined && m >= 1 && m <= 12 && d >= 1 && d <= 31
    ? `_date_${y ?? "__"}_${String(m).padStart(2, "0")}_${String(d).padStart(2, "0")}`
    : undefined;

const PATTERNS: [RegExp, (g: (string | undefined)[]) => string | undefined][] = [
  [/\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g, ([, y, m, d]) => token(y, Number(m), Number(d))],
  [new RegExp(`\\b${MONTH}\\s+${DAY}\\b(?:,?\\s+${YEAR}\\b)?`, "gi"), ([, m, d, y]) => token(y, month(m!), Number(d))],
  [new RegExp(`\\b${DAY}(?:\\s+of)?\\s+${MONTH}\\b(?:,?\\s+${YEAR}\\b)?`, "gi"), ([, d, m, y]) => token(y, month(m!), Number(d))],
  // An ordinal word is a day only with "of" before the month or right after it: "the second March" is not.
  [new RegExp(`\\b${MONTH}\\s+${DAY_WORD}\\b(?:,?\\s+${YEAR}\\b)?`, "gi"), ([, m, d, y]) => token(y, month(m!), dayNumber(d!))],
  [new RegExp(`\\b${DAY_WORD}\\s+of\\s+${MONTH}\\b(?:,?\\s+${YEAR}\\b)?`, "gi"), ([, d, m, y]) => token(y, month(m!), dayNumber(d!))],
  [/\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/g, ([, d, m, y]) => token(y, Number(m), Number(d))],
  [
    /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/g,
    ([, p, q, y]) => (Number(p) > 12 ? token(y, Number(q), Number(p)) : Number(q) > 12 ? token(y, Number(p), Number(q)) : undefined),
  ],
];

/** The text with each date it can read written as one token; everything else as it was. */
export function readDates(text: string): string {
  let out = text;
  for (const [re, make] of PATTERNS)
    out = out.replace(re, (m, ...g) => make([m, ...g.slice(0, -2).map((x) => (typeof x === "string" ? x : undefined))]) ?? m);
  return out;
}
