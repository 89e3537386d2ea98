/*
 * One value written in another notation (docs/caching.md "Fourth round: forms"). Rules of notation only:
 * SI prefixes and compound units spelt out ("gigahertz" is GHz, "metres per second" is m/s, "square feet" is
 * sq ft), currency names and signs ("US$", "US dollars", "12.000 €"), fractions and powers ("1/2" is 0.5, "2 to
 * the power of 10" is 2^10), clock phrases ("half past seven in the morning" is 7:30 am, "0800 UTC" is 8:00
 * UTC), spacing around the operators of arithmetic, a line continued with a backslash, and a few contractions
 * ("why'd", "it's been"). What a notation leaves open stays open: "pound" may be money or weight, "$" is no
 * dollar in particular where a prompt names another dollar, "3.0" after a name may be a version, "1/2" is a
 * fraction only in lowest terms.
 */
import { clock, gated } from "./guard-clock.js";
import { NUMBER_WORDS } from "./guard-words.js";

/**
 * A unit read by these rules is written into the text as one word, "ᵤ_" and its symbol, read back by readForms
 * (guard-forms-values.ts). NFKC has already turned any "ᵤ" the prompt had into "u", so no prompt can forge one.
 */
const UNIT = (symbol: string) => ` ᵤ_${symbol.replace("/", "__")} `;

const SI: Record<string, string> = { kilo: "k", mega: "M", giga: "G", tera: "T", milli: "m" };
/** A base unit spelt out, by its stem; "hour" or "per second" after it makes a compound. */
const BASE: [RegExp, string][] = [
  [/^hertz$/, "Hz"],
  [/^watts?$/, "W"],
  [/^bits?$/, "b"],
  [/^bytes?$/, "B"],
  [/^volts?$/, "V"],
  [/^amps?$|^amperes?$/, "A"],
  [/^joules?$/, "J"],
];
const SPELT_SI =
  /\b(kilo|mega|giga|tera|milli)?(hertz|watts?|bits?|bytes?|volts?|amps?|amperes?|joules?)(?:([- ]hours?)|(\s+per\s+second|\/s(?:ec)?\b))?\b/gi;

const LENGTH: [RegExp, string][] = [
  [/^(km|kilomet(er|re)s?)$/i, "km"],
  [/^(m|met(er|re)s?)$/i, "m"],
  [/^(cm|centimet(er|re)s?)$/i, "cm"],
  [/^(mm|millimet(er|re)s?)$/i, "mm"],
  [/^(ft|foot|feet)$/i, "ft"],
  [/^(in|inch|inches)$/i, "inch"],
  [/^(yd|yards?)$/i, "yd"],
  [/^(mi|miles?)$/i, "mile"],
];
const TIME: [RegExp, string][] = [
  [/^(s|sec|secs|seconds?)$/i, "s"],
  [/^(min|mins|minutes?)$/i, "min"],
  [/^(h|hr|hrs|hours?)$/i, "h"],
];
const pick = (table: [RegExp, string][], w: string): string | undefined => table.find(([re]) => re.test(w))?.[1];
const LEN_WORDS = "kilomet(?:er|re)s?|met(?:er|re)s?|centimet(?:er|re)s?|millimet(?:er|re)s?|feet|foot|inch(?:es)?|yards?|miles?";
const LEN_SYMS = "km|cm|mm|ft|yd|mi|m|in";
const TIME_WORDS = "seconds?|secs?|minutes?|mins?|hours?|hrs?";

/** A currency named in words, or a dollar sign with a country's letters, as its ISO code. */
const CURRENCY_NAMES: [RegExp, string][] = [
  [/\b(?:US|U\.S\.|American)\s+dollars?\b/g, " USD "],
  [/\b(?:Australian|Aussie)\s+dollars?\b/g, " AUD "],
  [/\bCanadian\s+dollars?\b/g, " CAD "],
  [/\bNew Zealand\s+dollars?\b/g, " NZD "],
  [/\bHong Kong\s+dollars?\b/g, " HKD "],
  [/\bSingapore(?:an)?\s+dollars?\b/g, " SGD "],
  [/\bIndian\s+rupees?\b/g, " INR "],
  [/\bJapanese\s+yen\b/g, " JPY "],
  [/\bSwiss\s+francs?\b/g, " CHF "],
];
const DOLLAR_PREFIX: Record<string, string> = {
  US: "USD",
  "U.S.": "USD",
  AU: "AUD",
  A: "AUD",
  CA: "CAD",
  C: "CAD",
  NZ: "NZD",
  HK: "HKD",
  S: "SGD",
};

const SIGN_CODE: Record<string, string> = { "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB", $: "dollars" };

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
export const number = (n: number): string => String(Number(n.toPrecision(12)));
/** "1/2", "3/4": a proper fraction in lowest terms, so two dates or ratios never meet on one value. */
const fraction = (n: number, d: number): string | undefined => (n > 0 && n < d && d <= 16 && gcd(n, d) === 1 ? number(n / d) : undefined);

/** A block of lines indented alike is the same block unindented: only indentation within it is structure. */
function dedent(text: string): string {
  if (!/\n[ \t]/.test(text)) return text;
  return text.replace(/(?<=^|\n)(?:[ \t]*\S[^\n]*(?:\n|$))+/g, (block) => {
    // A question on the block's first line is prose; the lines pasted under it are the block.
    const head = /^[^\n]*\?[ \t]*\n/.exec(block)?.[0] ?? "";
    const lines = block.slice(head.length).split("\n");
    const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)![0].length));
    return indent === 0 || !Number.isFinite(indent) ? block : head + lines.map((l) => l.slice(indent)).join("\n");
  });
}

/** Text rewrites, run before the tokeniser reads the text (guard-normalise.ts preprocess). */
export function rewriteForms(input: string): string {
  // Each family of rules runs only where a cheap test finds what it reads: most prompts hold no value at all.
  let text = dedent(input.replace(/[ \t]*\\\n[ \t]*/g, " "))
    // Arrows and relations in their one-character forms are the ASCII ones ("→" is "->", "≤" is "<=").
    .replace(/[→⇒≤≥≠]/g, (c) => ({ "→": "->", "⇒": "=>", "≤": "<=", "≥": ">=", "≠": "!=" })[c]!);
  if (/['’]/.test(text)) text = contractions(text);
  if (CLOCK.test(text)) text = clock(text);
  if (MONEY.test(text)) text = money(text);
  if (MEASURE.test(text)) text = measures(text);
  if (/[-+*/^<>×÷=]|squared|cubed|power/i.test(text)) text = maths(text);
  return text;
}

const CLOCK = /\d|past|quarter|five|ten|twenty|morning|afternoon|evening|night|clock|midday/i;
const MONEY = /[$€£¥₹₩₽]|dollar|rupee|yen|franc|EUR|GBP|CHF/i;
const MEASURE =
  /\d|\/|\ban? (?:sec|min|hour)|hertz|watt|bit|byte|volt|amp|joule|Hz|Wh|bps|Ah|per|square|sq|cubic|cu|mpg|gallon|tbs|spoon|tsp|fl|fluid/i;

function contractions(text: string): string {
  if (!/['’][sd]\b/i.test(text)) return text;
  return (
    text
      // Contractions whose verb the general rule reads wrong: "it's been" is "it has been", "why'd" is "why did".
      .replace(/\b(\p{L}+)['’]s\s+(been|got|gotten)\b/giu, "$1 has $2")
      // "'d" is "did" only before a determiner, "it" or a name: "why'd you want that" may be "why would you".
      .replace(
        /\b([Ww]hy|[Ww]here|[Ww]hen)['’]d(?=\s+(?:the|a|an|my|your|his|her|our|their|its|this|that|these|those|it)\b|\s+(?!I\b)\p{Lu})/gu,
        "$1 did",
      )
  );
}

function money(input: string): string {
  let text = input;
  for (const [re, code] of CURRENCY_NAMES) text = text.replace(re, code);
  text = text
    .replace(/(^|[^\p{L}])(US|U\.S\.|AU|A|CA|C|NZ|HK|S)\$\s?/gu, (_m, lead: string, prefix: string) => `${lead} ${DOLLAR_PREFIX[prefix]} `)
    // A sign after its number, or a sign the shared table lacks: the code after the number ("12 €" is "12 EUR").
    .replace(/(\d)\s?([€£¥₹₩₽$])(?!\s?\d)/g, (_m, d: string, s: string) => `${d} ${SIGN_CODE[s]} `)
    .replace(/([₹₩₽])\s?(\d[\d,.]*\d|\d)/g, (_m, s: string, n: string) => ` ${n} ${SIGN_CODE[s]} `);
  // European grouping, "12.000 €": only beside a currency, and only where no number uses a point as a decimal.
  if (!/\d\.(?:\d{1,2}|\d{4,})(?!\d)/.test(text))
    text = text.replace(
      /(?<=[€£¥]\s?|\b(?:EUR|GBP|CHF)\s?)(\d{1,3}(?:\.\d{3})+)(?!\d)|(\d{1,3}(?:\.\d{3})+)(?=\s?(?:EUR|GBP|CHF|[€£¥])\b|\s?[€£¥])/g,
      (m) => m.replace(/\./g, ""),
    );
  return text;
}

function measures(text: string): string {
  return gated(text, [
    // "45,000.00": commas group thousands before a decimal point too.
    [/,\d{3}\./, (t) => t.replace(/\b(\d{1,3}(?:,\d{3})+)(?=\.\d)/g, (m) => m.replace(/,/g, ""))],
    // Compound units: SI prefixes spelt out, "watt-hours", "bits per second", "MB/s".
    [
      /hertz|watt|bit|byte|volt|amp|joule/i,
      (t) =>
        t.replace(SPELT_SI, (m, pre: string | undefined, base: string, hours: string | undefined, perSecond: string | undefined) => {
          if (pre === undefined && hours === undefined && perSecond === undefined && !/^hertz$/i.test(base)) return m;
          const b = pick(BASE, base.toLowerCase())!;
          const p = pre === undefined ? "" : SI[pre.toLowerCase()]!;
          return UNIT(p + (hours ? `${b}h` : perSecond ? (b === "b" ? "bps" : b === "B" ? "Bps" : `${b}/s`) : b));
        }),
    ],
    // A bare "Wh" only after a number ("Wh-questions" are no unit).
    [
      /Hz|Wh/,
      (t) =>
        t.replace(/\b([kKMGT]?)(Hz|Wh)\b/g, (m, p: string, b: string, at: number, all: string) =>
          b === "Wh" && p === "" && !/\d\s?$/.test(all.slice(0, at)) ? m : UNIT(p + b),
        ),
    ],
    [
      /bps|\/s/i,
      (t) =>
        t.replace(/\b([kKmMgGtT])(bps|Bps)\b|\b([kKmMgGtT])(b|B|bit)\/s\b/g, (_m, p1, b1, p2, b2) =>
          UNIT(b1 !== undefined ? p1 + b1 : p2 + (b2 === "B" ? "Bps" : "bps")),
        ),
    ],
    [/Ah/, (t) => t.replace(/\bm?Ah\b/g, (m, at: number, all: string) => (m === "Ah" && !/\d\s?$/.test(all.slice(0, at)) ? m : UNIT(m)))],
    // Speeds: "metres per second", "m/s", "feet a minute"; "per second squared" and "m/s²" are accelerations.
    [
      /\/|per|\ban? /i,
      (t) =>
        t.replace(
          new RegExp(`\\b(${LEN_WORDS}|${LEN_SYMS})\\s*(?:\\/|\\s(?:per|an?)\\s)\\s*(${TIME_WORDS}|s|h|min)\\b(\\s+squared|2\\b)?`, "gi"),
          (m, l: string, t: string, sq: string | undefined) => {
            const len = pick(LENGTH, l);
            const time = pick(TIME, t);
            if (len === undefined || time === undefined || (/^(in|m|mi)$/i.test(l) && !/\//.test(m))) return m;
            const key = len === "mile" && time === "h" ? "mph" : len === "km" && time === "h" ? "kmh" : `${len}/${time}`;
            return UNIT(key + (sq ? "2" : ""));
          },
        ),
    ],
    // Areas and volumes: "square feet", "sq ft", "m²" (NFKC has made it "m2"), "cubic metres".
    [
      /sq|square|cubic|\bcu\b/i,
      (t) =>
        t.replace(
          new RegExp(`\\b(?:(sq\\.?|square)|(cu\\.?|cubic))\\s*(${LEN_WORDS}|${LEN_SYMS})\\b`, "gi"),
          (m, sq: string | undefined, _cu: string | undefined, l: string) => {
            const len = pick(LENGTH, l);
            return len === undefined ? m : UNIT(`${len}${sq ? "2" : "3"}`);
          },
        ),
    ],
    [/sq/i, (t) => t.replace(/\bsq(ft|m)\b/gi, (_m, l: string) => UNIT(`${l.toLowerCase()}2`))],
    [
      /\d\s?[a-z]{1,2}[23]/,
      (t) =>
        t.replace(/(\d)\s?(km|cm|mm|ft|yd|mi|m|in)([23])\b/g, (_m, d: string, l: string, p: string) => `${d}${UNIT(pick(LENGTH, l)! + p)}`),
    ],
    // Dimensions: "3 by 4 m" is "3 x 4 m" (read "3 times 4"); "divide 12 by 4" is no size.
    [
      /\bby\b/i,
      (t) =>
        t.replace(
          new RegExp(
            `(?<!\\b(?:divide|divided|multiply|multiplied|increase|increased|decrease|decreased|reduce|reduced)\\s+)\\b(\\d+(?:\\.\\d+)?)\\s+by\\s+(?=\\d+(?:\\.\\d+)?\\s*(?:${LEN_WORDS}|${LEN_SYMS})\\b)`,
            "gi",
          ),
          "$1 x ",
        ),
    ],
    // Fuel use and kitchen measures.
    [/mpg|gallon/i, (t) => t.replace(/\b(?:miles per gallon|mpg)\b/gi, UNIT("mpg"))],
    [/100/, (t) => t.replace(/\b(?:l|litres?|liters?)\s*(?:\/|per)\s*100\s*(?:km|kilomet(?:er|re)s?)\b/gi, UNIT("l/100km"))],
    [/tbs|tablespoon/i, (t) => t.replace(/\b(?:tablespoons?|tbsps?|tbs)\b/gi, (m) => (m === "TBS" ? m : UNIT("tbsp")))],
    [/tsp|teaspoon/i, (t) => t.replace(/\b(?:teaspoons?|tsps?)\b/gi, UNIT("tsp"))],
    [/fl|fluid/i, (t) => t.replace(/\b(?:fl\.? oz|fluid ounces?)\b/gi, UNIT("floz"))],
    // Feet and inches: 5'8" is 5 ft 8 in.
    [/['′]/, (t) => t.replace(/\b(\d)\s?['′]\s?(\d{1,2})\s?(?:"|''|″|′′)?(?![\d'])/g, (_m, f: string, i: string) => ` ${f} ft ${i} inch `)],
    // Fractions: "1 1/2" is 1.5, "3/4" is 0.75 (lowest terms only).
    [
      /\d\/\d/,
      (t) =>
        t.replace(
          /(?<![\w./:-])(?:(\d{1,3})\s+)?(\d{1,2})\/(\d{1,2})(?![\w/]|[.,]\d)/g,
          (m, whole: string | undefined, n: string, d: string) => {
            const f = fraction(Number(n), Number(d));
            return f === undefined ? m : ` ${whole === undefined ? f : number(Number(whole) + Number(f))} `;
          },
        ),
    ],
  ]);
}

function maths(text: string): string {
  return (
    text
      // "2 to the power of 10" is 2^10; arithmetic spacing goes: "3 + 4 * 2" is "3+4*2", "(x - 1)" is "(x-1)".
      .replace(
        /\b(\d+|[a-hj-z])\s+(?:raised\s+)?to\s+the\s+power\s+of\s+(\d+|[a-z]+)\b/gi,
        (_m, b: string, e: string) => `${b}^${NUMBER_WORDS[e.toLowerCase()] ?? e}`,
      )
      .replace(/\b(\d+|[b-hj-z])\s+(squared|cubed)\b/gi, (_m, b: string, p: string) => `${b}^${/^s/i.test(p) ? 2 : 3}`)
      // A minus between operands is the minus sign, so the hyphen rules (guard-normalise.ts) do not read "x-1" as "x 1".
      // Spaced alike on both sides only: "22 -s" is a flag, not a subtraction.
      .replace(/(?<=(?:^|[^\p{L}])\p{L}|[\d)])( *)([-+*/^<>×÷])\1(?=\p{L}(?:[^\p{L}]|$)|[\d(])/gu, (_m, _s, op: string) =>
        op === "-" ? "−" : op,
      )
      .replace(/(?<=[−+*/^][\d)]+)\s*=\s*(?=\d)|(?<=\d)\s*=\s*(?=[\d(]+[−+*/^])/g, "=")
  );
}
