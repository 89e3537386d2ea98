/*
 * Times of day written as words or in 24-hour notation (docs/caching.md "Fourth round: forms"): "half past
 * seven", "quarter to ten" after "at"/"by", "5 in the afternoon", "10 at night", "seven o'clock", "midday",
 * "0800 UTC", "at 1800 hours". Each becomes the clock notation the tokeniser reads as a time ("7:30 am" is
 * T7:30). What stays open stays: "from ten to nine" is a range, "2000 hours of work" a duration.
 */
import { NUMBER_WORDS } from "./guard-words.js";

/** Runs each rewrite only where its cheap test finds what it reads: most prompts hold no value at all. */
export const gated = (text: string, rewrites: [RegExp, (t: string) => string][]): string =>
  rewrites.reduce((t, [gate, rewrite]) => (gate.test(t) ? rewrite(t) : t), text);

/** Hours of the clock written as words ("seven") or digits, 1 to 12. */
const HOUR = "(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|1[0-2]|0?[1-9])";
const hour = (h: string): number => (/^\d/.test(h) ? Number(h) : NUMBER_WORDS[h.toLowerCase()]!);
const MINUTES: Record<string, number> = { five: 5, ten: 10, twenty: 20, "twenty-five": 25, "twenty five": 25, quarter: 15, half: 30 };
const ZONES = "UTC|GMT|Z|CET|CEST|EST|EDT|PST|PDT|CST|CDT|MST|MDT|BST|IST|JST|AEST|AEDT";

export function clock(text: string): string {
  return gated(text, [
    // 4-digit clock times next to a zone: "0800 UTC" is 08:00 UTC; with "hours" only after "at"/"by"... or
    // with a leading zero: "2000 hours of work" is a duration.
    [/\d{4}/, (t) => t.replace(new RegExp(`\\b([01]\\d|2[0-3])([0-5]\\d)\\s*(?=(?:${ZONES})\\b)`, "g"), "$1:$2 ")],
    [
      /\d{4}/,
      (t) =>
        t.replace(
          /\b(?:(at|by|until|till|from|before|after|around) ([01]\d|2[0-3])|(0\d))([0-5]\d) ?(?:hours|hrs)\b/g,
          (_m, p, h1, h0, m) => `${p ?? ""} ${h1 ?? h0}:${m} `,
        ),
    ],
    [/midday/i, (t) => t.replace(/\bmidday\b/gi, "noon")],
    // "half past seven", "quarter to ten", "ten past six"; "N to H" only after "at"/"by"/"around": "from ten to nine" is a range.
    [
      /past/i,
      (t) =>
        t.replace(
          new RegExp(`\\b(half|quarter|five|ten|twenty|twenty[- ]five)\\s+past\\s+${HOUR}\\b`, "gi"),
          (_m, q: string, h: string) => {
            return ` ${hour(h)}:${String(MINUTES[q.toLowerCase()] ?? 0).padStart(2, "0")} `;
          },
        ),
    ],
    [
      /(?:quarter|five|ten|twenty)\s+to\b/i,
      (t) =>
        t.replace(
          new RegExp(
            `\\b(at|by|around|about|until|till|before|after)\\s+(?:a\\s+)?(quarter|five|ten|twenty|twenty[- ]five)\\s+to\\s+${HOUR}\\b`,
            "gi",
          ),
          (_m, p: string, q: string, h: string) => ` ${p} ${((hour(h) + 10) % 12) + 1}:${60 - MINUTES[q.toLowerCase()]!} `,
        ),
    ],
    // "7 in the morning", "5 in the afternoon", "10 at night": the part of the day is am or pm.
    [
      /morning|afternoon|evening|night/i,
      (t) =>
        t.replace(
          new RegExp(`\\b${HOUR}(:[0-5]\\d)?(?:\\s+o['’]?clock)?\\s+(in the morning|in the afternoon|in the evening|at night)\\b`, "gi"),
          (_m, h: string, min: string | undefined, part: string) => {
            const n = hour(h);
            const pm = /afternoon|evening/i.test(part) || (/night/i.test(part) && n >= 6 && n < 12);
            return ` ${n}${min ?? ""} ${pm ? "pm" : "am"} `;
          },
        ),
    ],
    [/clock/i, (t) => t.replace(new RegExp(`\\b${HOUR}\\s+o['’]?clock\\b`, "gi"), (_m, h: string) => ` ${hour(h)}:00 `)],
  ]);
}
