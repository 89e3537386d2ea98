/*
 * Code and data that one prompt lays out otherwise than the other (docs/caching.md "Fourth round: forms"):
 * JSON pretty-printed or minified, HTML indented between its tags, and a command in backticks against the
 * same characters written plainly. Layout is not meaning there; every character that is not layout still is.
 */

/** At most this many JSON candidates are tried in one prompt, so hostile brackets stay cheap. */
const MAX_TRIES = 16;

/** The end of the JSON value opening at `start` ("{" or "["), strings and escapes respected, or -1. */
function closing(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let k = start; k < text.length; k++) {
    const c = text[k]!;
    if (inString) {
      if (c === "\\") k++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

/** JSON without the spacing outside its strings: the same value, written the same way. */
const compact = (json: string): string => json.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (_m, s: string | undefined) => s ?? "");

/**
 * Each JSON object or array written inline (one with a key or two items) becomes one exact token, its spacing
 * gone; HTML loses the line breaks and indentation around its tags (not inside <pre>). `code` collects the
 * tokens, as the tokeniser's code spans do (placeholder \uE000n).
 */
export function reflowData(text: string, code: string[]): string {
  let out = text;
  let tries = 0;
  for (let start = out.search(/[{[]/); start >= 0 && tries < MAX_TRIES; tries++) {
    const end = closing(out, start);
    const span = end < 0 ? "" : out.slice(start, end + 1);
    let json = false;
    try {
      json = span !== "" && /[:,]/.test(span) && typeof JSON.parse(span) === "object";
    } catch {
      json = false;
    }
    if (json) {
      code.push(`code:${compact(span)}`);
      // No space before it at a line's start, where a space would read as indentation.
      const mark = `${/(^|\n)$/.test(out.slice(0, start)) ? "" : " "}\uE000${code.length - 1} `;
      out = out.slice(0, start) + mark + out.slice(end + 1);
      start += mark.length;
    } else start++;
    const next = out.slice(start).search(/[{[]/);
    start = next < 0 ? -1 : start + next;
  }
  if ((out.match(/<\/?[a-z][a-z0-9]*\b[^<>]*>/gi) ?? []).length >= 2 && !/<pre\b/i.test(out))
    // After a tag, and before one when a tag opened earlier on the line ("<li>One\n  <li>"); not "HTML?\n<ul>".
    out = out.replace(/(<\/?[a-z][a-z0-9]*\b[^<>]*>)[ \t]*\n\s*/gi, "$1").replace(/(<[^\n]*?[^\s>])[ \t]*\n\s*(?=<\/?[a-z])/gi, "$1");
  return out;
}

const isSym = (t: string): boolean => /^[^\p{L}\p{N}]+$/u.test(t);

/**
 * Where X has a code span ("`rm -rf node_modules`") that Y writes plainly, with exactly its characters, Y's run
 * of tokens becomes X's span. A run that differs in a character, a space or a letter's case stays apart. The
 * characters of a run are rebuilt from its surfaces; a symbol's token keeps its spacing (" -").
 */
export function spansWrittenOut(X: string[], Y: string[], sy: string[]): void {
  for (const t of X) {
    if (!t.startsWith("code:") || Y.includes(t)) continue;
    const body = t.slice(5).replace(/\s+/g, " ").trim();
    if (body === "") continue;
    for (let j = 0; j < Y.length; j++) {
      let text = "";
      let glued = true;
      let k = j;
      for (; k < Y.length && text.length < body.length; k++) {
        const s = sy[k]!;
        if (s === "") {
          if (k === j) break;
          continue;
        }
        if (isSym(Y[k]!)) {
          text = (text + Y[k]).replace(/\s+/g, " ").trimStart();
          glued = !Y[k]!.endsWith(" ");
        } else {
          text += (text === "" || glued ? "" : " ") + s;
          glued = false;
        }
        if (!body.startsWith(text.trimEnd())) break;
      }
      if (text.trim() !== body) continue;
      // The markers a word left after it (PLURAL, PAST) belong to the run.
      while (k < Y.length && sy[k] === "") k++;
      Y.splice(j, k - j, t);
      sy.splice(j, k - j, "");
      break;
    }
  }
}
