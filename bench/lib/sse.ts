/** Server-sent events, as OpenAI streams them: `data: <json>` blocks ended by a blank line. */

/** The `data:` payloads of an SSE body, in order, as they arrive. */
export async function* sseData(body: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let end = buffered.indexOf("\n\n");
    while (end >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      for (const line of event.split("\n")) if (line.startsWith("data:")) yield line.slice(5).trimStart();
      end = buffered.indexOf("\n\n");
    }
  }
}

/** One chunk of an OpenAI chat completion stream, as far as the benchmark reads it. */
export interface OpenAiChunk {
  id?: string;
  model?: string;
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
}

/** The text a chunk adds, "" for none (the role chunk, the finish chunk, usage). */
export function contentOf(chunk: OpenAiChunk): string {
  return chunk.choices?.[0]?.delta?.content ?? "";
}
