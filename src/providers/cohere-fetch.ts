import type { Fetch } from "./http.js";

/*
 * The cohere-ai SDK (8.1.0) reads a stream's events line by line and stops at the first line that
 * contains "[DONE]" (OpenAI's end marker; Cohere sends none): an answer whose text holds "[DONE]" would
 * end there, unfinished. The fetch it is given writes that text, wherever it comes in a stream, with its
 * closing bracket escaped: the same JSON string to the parser, never the SDK's marker.
 */

const DONE = Buffer.from("[DONE]");
const ESCAPED = Buffer.from("[DONE\\u005d");

/**
 * The bytes of an event stream with every "[DONE]" written as "[DONE\u005d". Cohere's events are JSON
 * objects, where those characters can come only inside a string, and there the escape reads the same.
 * A "[DONE]" split between chunks is found too: a chunk's tail that may begin one waits for the next.
 */
export async function* escapeDoneMarker(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of body) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const buf = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes;
    const parts: Buffer[] = [];
    let from = 0;
    for (let at = buf.indexOf(DONE, from); at >= 0; at = buf.indexOf(DONE, from)) {
      parts.push(buf.subarray(from, at), ESCAPED);
      from = at + DONE.length;
    }
    let keep = 0;
    for (let k = Math.min(DONE.length - 1, buf.length - from); k > 0 && keep === 0; k--) {
      if (buf.subarray(buf.length - k).equals(DONE.subarray(0, k))) keep = k;
    }
    parts.push(buf.subarray(from, buf.length - keep));
    carry = Buffer.from(buf.subarray(buf.length - keep));
    const out = Buffer.concat(parts);
    if (out.length > 0) yield out;
  }
  if (carry.length > 0) yield carry;
}

/**
 * A fetch for the SDK whose event-stream answers come through escapeDoneMarker. The SDK reads of such
 * an answer its status, headers and the rest of what it records (url, redirected, statusText, type),
 * and iterates its body: the answer handed on has those, over the escaped body.
 */
export function cohereFetch(inner: Fetch): Fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    const body = res.body as unknown as AsyncIterable<Uint8Array> | null;
    if (!res.ok || !body || !(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) return res;
    const { status, ok, headers, url, redirected, statusText, type } = res;
    return { status, ok, headers, url, redirected, statusText, type, body: escapeDoneMarker(body) } as unknown as Response;
  };
}
