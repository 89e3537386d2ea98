/*
 * The minilm worker: tokenises texts and runs all-MiniLM-L6-v2 on ONNX Runtime, on its own thread
 * (started by minilm.ts), so that inference never holds the gateway's event loop.
 *
 * Node runs this file directly, as TypeScript under the tests and as JavaScript from dist/: it may use
 * only erasable syntax and import only packages (a relative import would name a file that exists in one
 * of the two trees only).
 */
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";

/** What the worker is started with. */
export interface MinilmWorkerData {
  onnx: string;
  tokenizer: string;
  /** Tokens kept of each text, [CLS] and [SEP] included; the rest is cut off. */
  maxTokens: number;
  /** ONNX Runtime's threads for one inference. */
  threads: number;
  /** Whether texts may share an inference (false: each runs alone, see ModelSpec.batchable). */
  batchable: boolean;
}

/** A batch to embed. */
export interface MinilmJob {
  id: number;
  texts: string[];
}

/** The vectors of a batch, one after another (unit length, `dims` each), or why there are none. */
export interface MinilmReply {
  id: number;
  vectors?: Float32Array;
  error?: string;
}

const DIMS = 384;
const SEP = 102;
// Padded tokens one inference runs at most: texts of similar length go together, long ones alone.
const TOKENS_PER_RUN = 4096;

const config = workerData as MinilmWorkerData;
// A token covers at most 100 characters (WordPiece's longest word), so nothing past this can reach the
// model: cutting here bounds the tokeniser's work on a huge prompt.
const maxChars = config.maxTokens * 100;

const tokenizer = new Tokenizer(JSON.parse(readFileSync(config.tokenizer, "utf8")) as object, {});

function tokenise(text: string): number[] {
  const ids = tokenizer.encode(text.slice(0, maxChars)).ids;
  if (ids.length <= config.maxTokens) return ids;
  const cut = ids.slice(0, config.maxTokens - 1);
  cut.push(SEP);
  return cut;
}

/** Runs one padded batch and writes each text's mean-pooled, normalised vector into `out`. */
async function run(session: ort.InferenceSession, batch: { ids: number[]; slot: number }[], out: Float32Array) {
  const width = Math.max(...batch.map((b) => b.ids.length));
  const n = batch.length;
  const ids = new BigInt64Array(n * width);
  const mask = new BigInt64Array(n * width);
  for (const [row, b] of batch.entries()) {
    for (const [i, id] of b.ids.entries()) {
      ids[row * width + i] = BigInt(id);
      mask[row * width + i] = 1n;
    }
  }
  const shape = [n, width];
  const result = await session.run({
    input_ids: new ort.Tensor("int64", ids, shape),
    attention_mask: new ort.Tensor("int64", mask, shape),
    token_type_ids: new ort.Tensor("int64", new BigInt64Array(n * width), shape),
  });
  const hidden = result["last_hidden_state"]!.data as Float32Array;
  for (const [row, b] of batch.entries()) {
    // Mean over the text's own tokens (padding excluded), as sentence-transformers pools this model.
    const v = out.subarray(b.slot * DIMS, (b.slot + 1) * DIMS);
    for (let t = 0; t < b.ids.length; t++) {
      const base = (row * width + t) * DIMS;
      for (let d = 0; d < DIMS; d++) v[d]! += hidden[base + d]!;
    }
    let norm = 0;
    for (let d = 0; d < DIMS; d++) norm += v[d]! * v[d]!;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let d = 0; d < DIMS; d++) v[d]! /= norm;
  }
}

async function embed(session: ort.InferenceSession, texts: string[]): Promise<Float32Array<ArrayBuffer>> {
  const out = new Float32Array(texts.length * DIMS);
  const items = texts.map((t, slot) => ({ ids: tokenise(t), slot })).sort((a, b) => a.ids.length - b.ids.length);
  let batch: typeof items = [];
  for (const item of items) {
    // Sorted by length, so this item is the widest yet: the batch is padded to its length.
    if (batch.length > 0 && (!config.batchable || (batch.length + 1) * item.ids.length > TOKENS_PER_RUN)) {
      await run(session, batch, out);
      batch = [];
    }
    batch.push(item);
  }
  if (batch.length > 0) await run(session, batch, out);
  return out;
}

const port = parentPort!;
try {
  const session = await ort.InferenceSession.create(config.onnx, {
    intraOpNumThreads: config.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  });
  const check = (await embed(session, ["warm up"]))[0];
  if (check === undefined || Number.isNaN(check)) throw new Error("the model gave no vector");
  // One job at a time: the embedder sends the next only after this one's reply.
  port.on("message", (job: MinilmJob) => {
    embed(session, job.texts).then(
      (vectors) => port.postMessage({ id: job.id, vectors } satisfies MinilmReply, [vectors.buffer]),
      (err: unknown) => port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) } satisfies MinilmReply),
    );
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ failed: err instanceof Error ? err.message : String(err) });
}
