import { readDates } from "./guard-dates.js";
import { rewriteForms } from "./guard-forms.js";
import { readForms } from "./guard-forms-values.js";
import { reflowData } from "./guard-spans.js";
import {
  CONTRACTION_ENDINGS,
  CONTRACTIONS,
  CURRENCIES,
  NUMBER_SUFFIX,
  NUMBER_WORDS,
  ORDINALS,
  S_IS,
  SCALES,
  UNITS,
} from "./guard-words.js";
import { operatorAt } from "./guard-operators.js";
import { extractQuoted, unitSymbolKey } from "./guard-quotes.js";

export { americanSpelling, lemma, lexiconTags, lexiconWords } from "./guard-inflect.js";

/** One word as the tokeniser read it, before frames and lemmas. */
export interface Word {
  /** Lower case, or a canonical form: "42", "#1" (an ordinal), "T21:00", "u:km", "c:usd", "code:...". */
  w: string;
  /** As written, for acronyms and capitalised names; empty for what the normaliser made. */
  s: string;
  kind: "word" | "value" | "sym" | "bound";
  /** "Rome's": the possessor of the noun phrase that follows. */
  poss?: boolean;
  /** Named right after a request to produce something ("give me examples"), where one and several differ. */
  produced?: "one" | "some";
  /** The word before it as written, lower case: whether a plural is generic ("cats") or not ("the cats"). */
  before?: string;
  /** Opens a clause (2: first, or after a boundary) or a phrase (1: after a determiner or pronoun, "my | child"). */
  opens?: number;
  /** The word before it, lower case. */
  after?: string;
}

/** Longer texts are compared as written (after spacing and case): analysing them could hold the event loop. */
export const MAX_ANALYSED = 2000;

/**
 * Replaces code spans by placeholders: code is compared exactly, one token of it matters ("==" vs "===").
 * Spacing is not compared, but a line's depth of indentation is (a Python loop's last line dedented leaves
 * the loop): each line is prefixed by its depth, the rank of its indent among the block's indents, so two
 * spaces or four, or the whole block shifted, read the same.
 */
function extractCode(text: string, code: string[]): string {
  return text.replace(/```[\s\S]*?(?:```|$)|`[^`\n]+`/g, (m) => {
    code.push(
      `code:${depths(m.replace(/^`+|`+$/g, ""))
        .replace(/\s+/g, " ")
        .trim()}`,
    );
    return ` \uE000${code.length - 1} `;
  });
}

function depths(block: string): string {
  // A fence's first line is its language ("python"), not a line of code.
  const [info, ...rest] = block.split("\n");
  if (rest.length === 0) return block;
  const lines = rest.filter((l) => l.trim() !== "");
  const width = (l: string) => (l.match(/^[ \t]*/)?.[0] ?? "").replace(/\t/g, "    ").length;
  const widths = [...new Set(lines.map(width))].sort((x, y) => x - y);
  if (widths.length < 2) return block;
  return `${info}\n${lines.map((l) => `${">".repeat(widths.indexOf(width(l)))}${l.trim()}`).join("\n")}`;
}

function preprocess(text: string): string {
  return (
    rewriteForms(readDates(text.normalize("NFKC")))
      .replace(/[‘’´]/g, "'")
      .replace(/[“”«»]/g, '"')
      .replace(/\b([ap])\.\s?m\.?(?=\s|$|[,;!?)])/gi, "$1m")
      .replace(/°\s*([cf])\b/gi, " deg$1 ")
      // Indentation is part of pasted code: a line's indent becomes a word of its own.
      .replace(/\n([ \t]+)(?=\S)/g, (_m, ws: string) => `\n indent${ws.replace(/\t/g, "    ").length} `)
      // "£30/month" is "£30 per month"; a parenthesis around words is punctuation, one around code is not.
      .replace(
        /([\p{L}\d])\/(?=(?:month|year|week|day|hour|hr|min|minute|sec|second|night|person|head|unit|kg|km|lb|mile)s?\b)/giu,
        "$1 per ",
      )
      .replace(/(^|\s)\((?=\p{L})([^()\n]*\p{L})\)(?=[\s.,;:!?]|$)/gu, "$1, $2,")
      .replace(/\bmiles per hour\b/gi, "mph")
      .replace(/\bkilomet(?:er|re)s per hour\b/gi, "kmh")
      .replace(/\b(?:degrees?|deg)\s+(celsius|centigrade|c|fahrenheit|f)\b/gi, (_m, u: string) => ` deg${u[0]!.toLowerCase()} `)
      .replace(/\bper\s+cent\b/gi, "percent")
      .replace(/\bkm\/h\b/gi, "kmh")
      .replace(/\bw\/o\b/gi, "without")
      .replace(/\bw\/(?=\s)/gi, "with")
      // "12 x 12" is "12 times 12"; ".75" is "0.75".
      .replace(/(\d)\s*[x×]\s*(?=\d)/g, "$1 times ")
      .replace(/(^|[^\p{L}\p{N}])\.(\d)/gu, "$10.$2")
      // "Node.js" and "nodejs" are one name; "COVID-19" and "covid 19" one word and a number.
      .replace(/(\p{L})\.(?=\p{L})/gu, "$1")
      .replace(/(\p{L})-(?=\d)|(\d)-(?=\p{L})/gu, "$1$2 ")
      // "1 000 000" and "1,000,000" are one number.
      .replace(/\b(\d{1,3})((?:[ ,]\d{3})+)(?![\d.,]\d)/g, (_m, a: string, b: string) => a + b.replace(/[ ,]/g, ""))
      // "twenty-five", "self-employed", "e-mail": the parts as words; the guard joins them when the other side does.
      .replace(/(\p{L})-(?=\p{L})/gu, "$1 ")
      // "read/write" is "read and write".
      .replace(/(\p{L})\/(?=\p{L})/gu, "$1 and ")
  );
}

const TOKEN = /\uE000(\d+)|(\d+(?:[.,:]\d+)*)(\p{L}+)?|([\p{L}_][\p{L}\p{N}_']*)|([^\s\p{L}\p{N}\uE000]+)/gu;

/** Splits a contraction or possessive into words ("doesn't" is "does not", "Rome's" is Rome as possessor). */
function expandWord(surface: string, out: Word[]): void {
  const lower = surface.toLowerCase();
  const known = CONTRACTIONS[lower];
  if (known !== undefined) {
    for (const [i, w] of known.split(" ").entries()) out.push({ w, s: i === 0 ? surface : "", kind: "word" });
    return;
  }
  if (lower.includes("'")) {
    for (const [re, rest] of CONTRACTION_ENDINGS) {
      if (re.test(lower)) {
        out.push({ w: lower.replace(re, ""), s: surface, kind: "word" });
        for (const w of rest.trim().split(" ")) out.push({ w, s: "", kind: "word" });
        return;
      }
    }
    const poss = /^(.+?)(?:'s|s')$/.exec(lower);
    if (poss) {
      const stem = lower.endsWith("s'") ? lower.slice(0, -1) : poss[1]!;
      if (S_IS.has(stem)) out.push({ w: stem, s: surface, kind: "word" }, { w: "is", s: "", kind: "word" });
      else out.push({ w: stem.replace(/'/g, ""), s: surface, kind: "word", poss: true });
      return;
    }
  }
  out.push({ w: lower.replace(/'/g, ""), s: surface, kind: "word" });
}

/** The words and values of a text, in order; sentence punctuation becomes a clause boundary. */
export function tokenise(input: string): Word[] {
  const code: string[] = [];
  // U+E000 marks the spans set aside below; one typed by the caller is no such mark.
  const clean = input.replace(/\uE000/g, "\uFFFD");
  const text = preprocess(extractQuoted(reflowData(extractCode(clean, code), code), code));
  const out: Word[] = [];
  let pendingCurrency: string | undefined;
  for (const m of text.matchAll(TOKEN)) {
    const [, codeIndex, digits, suffix, word, sym] = m;
    if (codeIndex !== undefined) out.push({ w: code[Number(codeIndex)] ?? "\uFFFD", s: "", kind: "value" });
    else if (digits !== undefined) {
      out.push({ w: digits, s: digits, kind: "value" });
      if (suffix !== undefined) expandWord(suffix, out);
      if (pendingCurrency) out.push({ w: pendingCurrency, s: "", kind: "value" });
      pendingCurrency = undefined;
    } else if (word !== undefined) expandWord(word, out);
    else if (sym !== undefined) {
      const currency = CURRENCIES[sym];
      if (currency !== undefined) {
        pendingCurrency = `c:${currency}`;
        continue;
      }
      // Quotes go; brackets stay, since pasted code outside a code span may hinge on them ("[1, 2]" and "(1, 2)").
      const bare = sym.replace(/["'…]/g, "");
      const lone = /^[-–—]+$/.test(bare) && /\s/.test(text[m.index + sym.length] ?? " ") && /\s/.test(text[m.index - 1] ?? " ");
      // An operator made of punctuation ("?.", "::") is a symbol like any other (guard-operators.ts).
      const op = operatorAt(text, m.index, sym);
      if (!op && bare === "" && !/[.,!?;:]/.test(sym)) continue;
      // A colon after a topic ("python: how to ...") does not start a new request; other sentence punctuation does.
      if (!op && bare === ":") continue;
      if (!op && (lone || /^[.,!?;:]+$/.test(bare) || bare === "")) out.push({ w: "", s: "", kind: "bound" });
      else if (bare === "&") out.push({ w: "and", s: sym, kind: "word" });
      else if (bare === "%") out.push({ w: "u:%", s: sym, kind: "value" });
      else {
        // Spacing around a symbol is part of it: "rm -rf /tmp" is not "rm -rf / tmp".
        const before = /\s/.test(text[m.index - 1] ?? " ") ? " " : "";
        const after = /\s/.test(text[m.index + sym.length] ?? " ") ? " " : "";
        out.push({ w: `${before}${bare}${after}`, s: sym, kind: "sym" });
      }
    }
  }
  if (pendingCurrency) out.push({ w: pendingCurrency, s: "", kind: "value" });
  return readForms(readValues(out));
}

const isNumber = (w: Word | undefined): boolean => w?.kind === "value" && /^\d/.test(w.w);

/** Canonical number text: "2,500" is "2500", "1.5" stays; a value that is not a plain number stays as written. */
const numberText = (n: number): string => String(Number(n.toPrecision(12)));

/** Number words, ordinals, scales, times, units and currencies as values: "ten percent" is "10 u:%". */
function readValues(words: Word[]): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < words.length; i++) {
    const t = words[i]!;
    const next = words[i + 1];
    if (t.kind !== "word") {
      if (isNumber(t) && next?.kind === "word" && SCALES[next.w] !== undefined && /^\d+(\.\d+)?$/.test(t.w)) {
        out.push({ ...t, w: numberText(Number(t.w) * SCALES[next.w]!) });
        i++;
      } else out.push(t);
      continue;
    }
    const prev = out.at(-1);
    const w = t.w;
    if (NUMBER_WORDS[w] !== undefined || (w === "a" && next && SCALES[next.w] !== undefined && next.w !== "dozen")) {
      // "two hundred and fifty", "one million", "a thousand".
      let total = 0;
      let current = w === "a" ? 1 : NUMBER_WORDS[w]!;
      let j = i + 1;
      for (; j < words.length; j++) {
        const u = words[j]!.w;
        if (words[j]!.kind !== "word") break;
        const v = NUMBER_WORDS[u];
        if (v !== undefined) {
          // "one hundred fifty", "twenty five", "a million two hundred"; "one two three" are three numbers.
          const joins =
            current === 0 ? total > 0 : (current % 100 === 0 && v < 100) || (current % 10 === 0 && current % 100 !== 0 && v < 10);
          if (!joins) break;
          current += v;
        } else if (SCALES[u] !== undefined) {
          current *= SCALES[u]!;
          if (SCALES[u]! >= 1000) {
            total += current;
            current = 0;
          }
        } else if (u === "and" && SCALES[words[j - 1]!.w] !== undefined && NUMBER_WORDS[words[j + 1]?.w ?? ""] !== undefined) continue;
        else if (ORDINALS[u] !== undefined && current % 10 === 0 && current >= 20) {
          // "twenty first"
          out.push({ w: `#${current + ORDINALS[u]!}`, s: t.s, kind: "value" });
          current = Number.NaN;
          j++;
          break;
        } else break;
      }
      if (!Number.isNaN(current)) out.push({ w: numberText(total + current), s: t.s, kind: "value" });
      i = j - 1;
    } else if (/^(st|nd|rd|th)$/.test(w) && isNumber(prev) && /^\d+$/.test(prev!.w)) prev!.w = `#${prev!.w}`;
    else if ((w === "am" || w === "pm") && isNumber(prev) && /^\d{1,2}(:\d\d)?$/.test(prev!.w)) {
      const [h, min = "00"] = prev!.w.split(":");
      prev!.w = `T${(Number(h) % 12) + (w === "pm" ? 12 : 0)}:${min}`;
    } else if (NUMBER_SUFFIX[t.s] !== undefined && isNumber(prev) && /^\d+(\.\d+)?$/.test(prev!.w)) {
      prev!.w = numberText(Number(prev!.w) * NUMBER_SUFFIX[t.s]!);
    } else if (w === "noon" || w === "midnight") out.push({ w: w === "noon" ? "T12:00" : "T0:00", s: t.s, kind: "value" });
    else if (ORDINALS[w] !== undefined && !(w === "second" && (isNumber(prev) || ["a", "per", "every", "one"].includes(prev?.w ?? ""))))
      out.push({ w: `#${ORDINALS[w]}`, s: t.s, kind: "value" });
    else if (isNumber(prev) && unitSymbolKey(t.s) !== undefined) out.push({ w: unitSymbolKey(t.s)!, s: t.s, kind: "value" });
    else if (UNITS.has(w) && (!UNITS.get(w)!.afterNumber || isNumber(prev)) && !(w === "in" && !atPhraseEnd(next)) && !unitAsNoun(t, prev))
      out.push({ w: UNITS.get(w)!.unit, s: t.s, kind: "value" });
    else if (w === "second" && isNumber(prev)) out.push({ w: "u:s", s: t.s, kind: "value" });
    else if (CURRENCIES[w] !== undefined) out.push({ w: `c:${CURRENCIES[w]}`, s: t.s, kind: "value" });
    else out.push(t);
  }
  // "9:30" alone is a time of day too.
  for (const t of out) if (t.kind === "value" && /^\d{1,2}:\d\d$/.test(t.w)) t.w = `T${Number(t.w.split(":")[0])}:${t.w.split(":")[1]}`;
  return out;
}

/**
 * A unit's name after an article, with no number ("a minute in a meeting", "minutes" against it), is a noun
 * whose number counts like any other's ("minutes" are also a meeting's record); "per minute" and a number's
 * unit stay units.
 */
const unitAsNoun = (t: Word, prev: Word | undefined): boolean => /^(a|an)$/.test(prev?.w ?? "") && /^[a-z]{4,}$/.test(t.s.toLowerCase());

/** "5 ft 6 in" ends with a unit; "3 in the list" does not. */
const atPhraseEnd = (next: Word | undefined): boolean => next === undefined || next.kind === "bound" || isNumber(next);
