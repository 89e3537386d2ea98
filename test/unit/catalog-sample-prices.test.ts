import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { costOf, createCatalog, type Deployment } from "../../src/core/catalog.js";

/**
 * The sample catalogues price Claude at its global endpoint and give the regional ones (Bedrock's geographic
 * profiles, Vertex's regions) their own prices, 10% higher for Sonnet 4.5 and later: every rate, cache reads and
 * writes included. docs/providers.md ("Prices: sources and dates") names where the figures come from.
 */
const root = new URL("../../", import.meta.url).pathname;
const env = { ANTHROPIC_API_KEY: "sk-ant-x", AZURE_OPENAI_API_KEY: "az", GEMINI_API_KEY: "gm", OPENAI_API_KEY: "sk-x" };

function deployments(sample: string, model: string): readonly Deployment[] {
  return createCatalog(loadConfig({ file: `${root}examples/config/${sample}`, env })).resolve(model).deployments;
}

// A call that touches every rate: plain input, cache reads, 5-minute and 1-hour cache writes, and output.
const usage = {
  inputTokens: 100_000,
  cachedInputTokens: 40_000,
  cacheWriteTokens: 30_000,
  cacheWrite1hTokens: 10_000,
  outputTokens: 2_000,
};

describe("Claude Sonnet 4.5 in the samples", () => {
  it.each([
    ["bedrock.yaml", "bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock-eu/eu.anthropic.claude-sonnet-4-5-20250929-v1:0"],
    [
      "claude-clouds.yaml",
      "bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ],
  ])("%s: the geographic profile costs 1.1 times the global one, cache included", (sample, globalId, geoId) => {
    const byId = new Map(deployments(sample, "claude-sonnet-4-5").map((d) => [d.id, d]));
    const global = costOf(byId.get(globalId)!, usage);
    // 30k plain input at 3, 40k cache reads at 0.30, 20k 5-minute writes at 3.75, 10k 1-hour writes at 6, 2k output at 15.
    expect(global).toBeCloseTo((30_000 * 3 + 40_000 * 0.3 + 20_000 * 3.75 + 10_000 * 6 + 2_000 * 15) / 1e6, 10);
    expect(costOf(byId.get(geoId)!, usage)).toBeCloseTo(global * 1.1, 10);
  });

  it("costs the same on Anthropic's API as on Bedrock's global profile", () => {
    const byProvider = new Map(deployments("bedrock.yaml", "claude-sonnet-4-5").map((d) => [d.provider, d]));
    expect(costOf(byProvider.get("anthropic")!, usage)).toBeCloseTo(costOf(byProvider.get("bedrock")!, usage), 10);
  });
});
