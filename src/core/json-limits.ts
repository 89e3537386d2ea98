import { invalidRequest } from "./errors.js";

/**
 * How deeply JSON a caller sends may nest. Real requests (tool schemas
 * included) stay far below; deeper input only serves to make parsers and
 * serialisers recurse (JSON.stringify overflows the stack near 10,000 levels,
 * and JSON.parse of a few megabytes of brackets holds the event loop for
 * hundreds of milliseconds).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Follows the nesting of JSON text as its bytes arrive, without parsing it,
 * so that absurdly deep input is refused before any parser sees it. Bytes
 * inside strings are skipped (escapes included); anything else is left to
 * the parser to judge.
 */
export class JsonDepthScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The deepest nesting seen so far. */
  deepest = 0;

  /** Scans the next chunk; returns false as soon as the nesting passes `max`. */
  push(chunk: Uint8Array, max = MAX_JSON_DEPTH): boolean {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === 0x5c) this.escaped = true;
        else if (b === 0x22) this.inString = false;
      } else if (b === 0x22) {
        this.inString = true;
      } else if (b === 0x5b || b === 0x7b) {
        if (++this.depth > this.deepest) {
          this.deepest = this.depth;
          if (this.depth > max) return false;
        }
      } else if (b === 0x5d || b === 0x7d) {
        this.depth--;
      }
    }
    return true;
  }
}

/** True when JSON text nests deeper than `max`. */
export function nestsDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  return !new JsonDepthScanner().push(Buffer.from(text, "utf8"), max);
}

/**
 * Parses JSON text that a caller sent in a field (tool arguments, a
 * parameters schema), refusing it with INVALID_REQUEST naming the field when
 * it is not JSON or nests too deeply.
 */
export function parseCallerJson(text: string, field: string): unknown {
  if (nestsDeeperThan(text)) throw invalidRequest(field, `nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest(field, "is not JSON");
  }
}
