/*
 * Two readings the guard's tokeniser (guard-normalise.ts) takes from the characters themselves, where
 * dropping punctuation or case would change the question: a quoted passage, and a unit symbol's case.
 */

/**
 * A quoted passage: an opening quote after a space or an opening bracket, a closing one not followed by a
 * letter ("Let's" inside 'Let's eat, Grandma.' is no close). At most 300 characters, so the scan is bounded.
 */
const QUOTED = /(^|[\s([{=:,])(["'])(\S|\S[^\n]{0,298}?\S)\2(?![\p{L}\p{N}])/gu;
/** Characters of code: a quoted passage holding one is code, and so is its kind of quote ("$HOME" and '$HOME'). */
const CODE_CHAR = /[$\\{}[\]<>=|;*@#%^~`/]/;
/** After a closing quote: the quote delimits a value in code or data ({"name": 1}, ['a', 'b']). */
const CODE_AFTER = /^[:,)\]};=]/;

/**
 * Replaces each quoted passage holding punctuation or code by a placeholder for an exact token. What is
 * quoted is the object of the question ("is this grammatical: 'Let's eat, Grandma.'", "translate 'I don't
 * know, John.'"): its commas are its meaning, so it is compared as written, up to case and spacing. Plain
 * quoted words ("who composed 'The Four Seasons'") are left to the words; one quoted word is compared as
 * written ("what does 'customs' mean"); a quote in code keeps its kind, since in a shell or JSON ' and " differ.
 */
export function extractQuoted(text: string, spans: string[]): string {
  return text.replace(QUOTED, (m, before: string, quote: string, body: string, at: number) => {
    const after = text.slice(at + m.length, at + m.length + 1);
    // After "=" or "(" (through a space), before ":" or ",", around symbols or runs of spaces: a quote in code.
    const lead = text
      .slice(Math.max(0, at - 2), at + before.length)
      .trim()
      .slice(-1);
    const code = /[([{=]/.test(lead) || CODE_AFTER.test(after) || CODE_CHAR.test(body) || / {2}/.test(body);
    // Plain words ("who composed 'The Four Seasons'", "'its' or 'it's'") are left to the words.
    if (!code && !/[^\p{L}\p{N}\s']/u.test(body)) {
      // One word quoted is named, not used: compared as written, number and all ('damage' and 'damages').
      if (/^\p{L}+$/u.test(body)) {
        spans.push(body.toLowerCase());
        return `${before} \uE000${spans.length - 1} `;
      }
      // Its quotes go here, so that a closing one is not read as a plural's possessive ("'The Four Seasons'").
      return `${before}${body}`;
    }
    spans.push(`q:${code ? quote : ""}${body.replace(/\s+/g, " ").toLowerCase()}`);
    return `${before} \uE000${spans.length - 1} `;
  });
}

/**
 * A unit symbol whose case is its meaning: "m" is milli and "M" mega ("5 mW", "5 MW"), "b" a bit and "B" a
 * byte ("4 Gb", "4 GB"). Read only right after a number. The key keeps those two cases and folds the rest
 * ("Kg" is "kg"); undefined for anything else.
 */
export function unitSymbolKey(surface: string): string | undefined {
  const m = /^([kKmMgGtTpPµu]i?)(bps|Bps|[bB]|[wW]h?|[hH]z|[vV]|[aA]|[gG]|[jJ]|s)$/u.exec(surface);
  if (!m) return undefined;
  const [, prefix, base] = m as unknown as [string, string, string];
  const p = /^[mM]/.test(prefix) ? prefix : prefix.toLowerCase();
  const b = /^[bB]$/.test(base) || /^[bB]ps$/.test(base) ? base : base.toLowerCase();
  return `u:${p}${b}`;
}
