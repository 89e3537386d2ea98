import type * as http from "node:http";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { EmbedResult } from "../../core/embeddings.js";
import { embeddingsBody, writeEmbeddings } from "./embeddings-route.js";

/** An answer as large as OpenAI allows one to be: many inputs of a large model's vectors. */
function answer(inputs: number, dims: number): EmbedResult {
  return {
    id: "r1",
    vectors: Array.from({ length: inputs }, (_, i) => Float32Array.from({ length: dims }, (_, j) => Math.sin(i * dims + j) / 3)),
    model: "text-embedding-3-large",
    usage: { inputTokens: inputs, estimated: false },
    costUsd: 0.0000013,
    provider: "openai",
    cacheStatus: "miss",
    attempts: [],
    latencyMs: 12,
  };
}

/** A reader that takes nothing until let go: every write waits for its callback. */
function slowReader() {
  const chunks: string[] = [];
  const held: (() => void)[] = [];
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      held.push(() => done());
    },
  });
  const release = () => {
    for (const f of held.splice(0)) f();
  };
  return { out, chunks, release };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("writeEmbeddings", () => {
  it.each([false, true])(
    "writes the body a piece at a time, waiting for a slow reader (base64: %s), the same bytes as one JSON",
    async (base64) => {
      const result = answer(64, 3072);
      const reader = slowReader();
      let done = false;
      const writing = writeEmbeddings(reader.out as unknown as http.ServerResponse, result, base64).then(() => {
        done = true;
      });
      await turn();
      await turn();
      // The reader took nothing yet: one piece went, and the writer waits rather than make the rest.
      expect(done).toBe(false);
      expect(reader.chunks).toHaveLength(1);
      while (!done) {
        reader.release();
        await turn();
      }
      await writing;
      expect(Math.max(...reader.chunks.map((c) => c.length))).toBeLessThan(256 * 1024);
      expect(reader.chunks.join("")).toBe(JSON.stringify(embeddingsBody(result, base64)));
    },
  );

  it("stops writing once the reader has gone", async () => {
    const reader = slowReader();
    const writing = writeEmbeddings(reader.out as unknown as http.ServerResponse, answer(64, 3072), false);
    await turn();
    reader.out.destroy();
    await writing;
    expect(reader.chunks).toHaveLength(1);
  });
});
