import { collectChunks } from "../../src/providers/collect.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";

/** How test/providers read a provider's answer, its chunks or its failure, through its stream. */

/** The whole answer of a provider's stream; throws when it ended without its end. */
export async function complete(p: Provider, r: ProviderRequest, signal = new AbortController().signal) {
  const result = await collectChunks(p.stream(r, signal));
  if (!result) throw new Error("the stream ended without its end");
  return result;
}

export async function chunksOf(p: Provider, r: ProviderRequest): Promise<ProviderChunk[]> {
  const out: ProviderChunk[] = [];
  for await (const c of p.stream(r, new AbortController().signal)) out.push(c);
  return out;
}

/** The gateway error a failed call becomes; throws when the provider does not translate it. */
export async function failure(p: Provider, r: ProviderRequest) {
  const err: unknown = await complete(p, r).catch((e: unknown) => e);
  const translated = p.translateError(err);
  if (!translated) throw new Error(`not translated: ${String(err)}`);
  return translated;
}
