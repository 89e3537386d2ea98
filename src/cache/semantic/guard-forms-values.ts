/*
 * One value written in another notation, read on the tokens (docs/caching.md "Fourth round: forms"); the
 * text rewrites are in guard-forms.ts. Currency codes before their number, "$3 million", "three and a half",
 * "one quarter", "3.0", feet and inches, powers spelt out, "pound" among imperial units, "kcal" on food.
 */
import { number } from "./guard-forms.js";
import { unitSymbolKey } from "./guard-quotes.js";
import { UNITS } from "./guard-words.js";

/** A word as the tokeniser reads it (guard-normalise.ts Word; named apart here, so that the two files import no cycle). */
interface Word {
  w: string;
  s: string;
  kind: "word" | "value" | "sym" | "bound";
}

const unitKey = (symbol: string): string => unitSymbolKey(symbol) ?? `u:${symbol}`;
/** Codes of currencies the shared table (guard-words.ts) does not name, and signs written after or without it. */
export const MORE_CURRENCIES: Record<string, string> = {
  nzd: "nzd",
  hkd: "hkd",
  sgd: "sgd",
  krw: "krw",
  rub: "rub",
  brl: "brl",
  cny: "cny",
  yuan: "cny",
  rmb: "cny",
  renminbi: "cny",
};

const value = (w: string, s = ""): Word => ({ w, s, kind: "value" });
const isNum = (t: Word | undefined): boolean => t?.kind === "value" && /^\d+(\.\d+)?$/.test(t.w);
const wordIs = (t: Word | undefined, re: RegExp): boolean => t?.kind === "word" && re.test(t.w);
const SCALE: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 };
const DENOMINATOR: [RegExp, number][] = [
  [/^(half|halves)$/, 2],
  [/^(#3|thirds)$/, 3],
  [/^(quarters?|#4|fourths)$/, 4],
  [/^(#5|fifths)$/, 5],
  [/^(#8|eighths)$/, 8],
  [/^(#10|tenths)$/, 10],
];
const denominator = (t: Word | undefined): number | undefined =>
  t === undefined || t.kind === "bound" ? undefined : DENOMINATOR.find(([re]) => re.test(t.w))?.[1];
/**
 * Before a decimal, the words after which "3.0" is a value, not a version ("a 3.0 average", "at 2.0"); after a
 * name, lower case or not ("python 3.0", "section 4.0"), it stays as written: 3.0 may be a release, 3 a series.
 */
const VALUE_BEFORE = /^(a|an|the|of|is|are|was|at|to|by|than|about|around|over|under|above|below|from|with)$/;

/** Token rewrites, run on the values the tokeniser read (guard-normalise.ts readValues). */
export function readForms(words: Word[]): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < words.length; i++) {
    let t = words[i]!;
    const prev = out.at(-1);
    let next = words[i + 1];
    if (t.kind === "word" && t.s.startsWith("ᵤ_")) t = value(unitKey(t.s.slice(2).replace("__", "/")), t.s);
    else if (t.kind === "word" && MORE_CURRENCIES[t.w] !== undefined) t = value(`c:${MORE_CURRENCIES[t.w]}`, t.s);
    // A bare "$", "dollars" or "bucks" is a dollar of any country (Canada's, Australia's...): it matches only a
    // bare dollar, never "USD" or "US dollars". So with "¥" before a number, the yen's sign and the yuan's.
    if (t.w === "c:usd" && (t.s === "" || /^(dollars?|bucks)$/i.test(t.s))) t = value("c:$", t.s);
    else if (t.w === "c:jpy" && t.s === "") t = value("c:¥", t.s);
    // "USD 1500" is "1500 USD"; "$3 million" is "3000000 USD".
    if (t.kind === "value" && t.w.startsWith("c:") && isNum(next) && !isNum(prev)) {
      words[i + 1] = t;
      t = next!;
      next = words[i + 1];
    }
    if (isNum(prev) && t.w.startsWith("c:") && next?.kind === "word" && SCALE[next.w] !== undefined) {
      prev!.w = number(Number(prev!.w) * SCALE[next.w]!);
      out.push(t);
      i++;
      continue;
    }
    // "3 and a half", "2 and three quarters".
    if (isNum(t) && wordIs(next, /^and$/)) {
      const [x, y] = [words[i + 2], words[i + 3]];
      const d = denominator(y);
      const n = wordIs(x, /^(a|an|one)$/) ? 1 : isNum(x) && /^\d$/.test(x!.w) ? Number(x!.w) : undefined;
      if (d !== undefined && n !== undefined && n < d && (n === 1 || y!.w.endsWith("s"))) {
        out.push({ ...t, w: number(Number(t.w) + n / d) });
        i += 3;
        continue;
      }
    }
    // "one half", "two thirds", "a quarter of": a fraction where a number word or "a" names how many parts.
    const d = denominator(next);
    const many = isNum(t) && /^\p{L}/u.test(t.s) && Number(t.w) >= 1 && d !== undefined && Number(t.w) < d;
    const one =
      wordIs(t, /^(a|an)$/) &&
      d !== undefined &&
      (words[i + 2] === undefined || words[i + 2]!.kind === "bound" || wordIs(words[i + 2], /^of$/));
    if ((many && (Number(t.w) === 1) === !next!.w.endsWith("s")) || one) {
      out.push(value(number((one ? 1 : Number(t.w)) / d!), t.s));
      i++;
      continue;
    }
    // "a 3.0 average" is 3 and "$4.50" is 4.5; "Python 3.0" and "section 4.10" stay as written.
    // Never three decimals: "1.000" may be a thousand written the European way.
    if (t.kind === "value" && /^\d+\.\d?0$/.test(t.w)) {
      const money = prev?.w.startsWith("c:") || next?.w.startsWith("c:") || next?.w.startsWith("u:");
      const plain = prev === undefined || prev.kind === "bound" || VALUE_BEFORE.test(prev.w);
      if (money || (/\.0+$/.test(t.w) && plain)) t = { ...t, w: number(Number(t.w)) };
    }
    // "five foot eight", "5 ft 10 in in cm": a number under 12 after feet, before a word or the end, is inches.
    if (prev?.w === "u:ft" && isNum(t) && /^\d+$/.test(t.w) && Number(t.w) < 12 && isNum(out.at(-2))) {
      out.push(t);
      if (wordIs(next, /^in$/)) {
        out.push(value("u:inch", next!.s));
        i++;
      } else if (next === undefined || next.kind === "bound" || next.kind === "word") out.push(value("u:inch"));
      continue;
    }
    // "two to the power of ten", "2 to the tenth", "two squared".
    if (isNum(t) && wordIs(next, /^(to|raised)$/)) {
      let k = i + 1;
      if (words[k]?.w === "raised") k++;
      if (words[k]?.w === "to" && words[k + 1]?.w === "the") {
        const e = words[k + 2];
        if (e?.w === "power" && words[k + 3]?.w === "of" && isNum(words[k + 4])) k += 4;
        else if (e?.kind === "value" && /^#\d+$/.test(e.w)) {
          e.w = e.w.slice(1);
          k += words[k + 3]?.w === "power" ? 3 : 2;
        } else k = -1;
        if (k > 0) {
          out.push(t, { w: "^", s: "^", kind: "sym" }, words[k]!);
          i = k;
          continue;
        }
      }
    }
    if (isNum(t) && wordIs(next, /^(squared|cubed)$/)) {
      out.push(t, { w: "^", s: "^", kind: "sym" }, value(next!.w === "squared" ? "2" : "3"));
      i++;
      continue;
    }
    // "21.1 km in mi": a unit symbol read only after a number is one after "in"/"to" that follows a measure.
    if (wordIs(t, /^[a-z]{1,3}$/) && UNITS.get(t.w)?.afterNumber && /^(in|to|into)$/.test(prev?.w ?? "") && out.at(-2)?.w.startsWith("u:"))
      t = value(UNITS.get(t.w)!.unit, t.s);
    // "500 g of flour" is "500 g flour": a measured amount of a substance.
    if (wordIs(t, /^of$/) && isNum(out.at(-2)) && prev?.w.startsWith("u:") && prev.w !== "u:%" && next?.kind === "word") continue;
    out.push(t);
  }
  return imperial(out);
}

/**
 * "pound" is money or weight; in a prompt that measures in feet, inches, ounces or yards (not miles: a car's) and names no
 * currency, a number of pounds is a weight. "kcal" asked about as such ("how many kcal in an egg") is what
 * "calories" means on food; after a number, or beside other units (physics), a calorie is 1/1000 of a kcal.
 */
function imperial(out: Word[]): Word[] {
  const units = out.some((t) => /^u:(ft|inch|oz|yd|lb)$/.test(t.w));
  const money = out.some((t) => t.w.startsWith("c:"));
  const measured = out.some((t) => t.w.startsWith("u:") || /^deg/.test(t.w));
  for (const [k, t] of out.entries()) {
    if (units && !money && wordIs(t, /^pounds?$/) && isNum(out[k - 1])) out[k] = value("u:lb", t.s);
    if (!measured && wordIs(t, /^(kcal|kilocalories?)$/) && !isNum(out[k - 1])) out[k] = { ...t, w: "calories" };
  }
  return out;
}
