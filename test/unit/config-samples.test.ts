import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createAuthenticator } from "../../src/auth/tenants.js";
import { loadConfig } from "../../src/config/load.js";
import { toolsFileSchema } from "../../src/config/schema.js";
import { createCatalog } from "../../src/core/catalog.js";

/**
 * Every configuration sample in README.md and docs/ is a file under
 * examples/ (the block's first line names it, and the block is the file),
 * and every such file is a configuration the gateway accepts.
 */
const root = new URL("../../", import.meta.url).pathname;
const docs = [
  "README.md",
  ...readdirSync(`${root}docs`)
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const env = {
  OPENAI_API_KEY: "sk-x",
  ANTHROPIC_API_KEY: "sk-ant-x",
  GROQ_API_KEY: "gsk-x",
  ACME_API_KEY: "acme",
  SUPPORT_BOT_API_KEY: "sb",
  PLATFORM_API_KEY: "pl",
  AZURE_OPENAI_API_KEY: "az",
  GEMINI_API_KEY: "gm",
  MISTRAL_API_KEY: "ms",
  COHERE_API_KEY: "co",
  BUDGET_HOOK_TOKEN: "hook",
};

function samples(): { doc: string; file: string; text: string }[] {
  return docs.flatMap((doc) =>
    [...readFileSync(`${root}${doc}`, "utf8").matchAll(/^```(yaml|yml|json)\n([\s\S]*?)^```$/gm)].map((m) => {
      const text = m[2]!;
      const file = /^# (examples\/\S+\.(?:yaml|yml|json))/.exec(text)?.[1] ?? "";
      return { doc, file, text };
    }),
  );
}

describe("configuration samples in the docs", () => {
  it("finds the samples", () => {
    expect(samples().length).toBeGreaterThanOrEqual(4);
  });

  it.each(samples().map((s) => [`${s.doc}: ${s.file || s.text.slice(0, 40)}`, s] as const))(
    "%s is a file under examples/, verbatim",
    (_name, s) => {
      expect(s.file, "the block's first line must be '# examples/<file>'").not.toBe("");
      expect(s.text).toBe(readFileSync(`${root}${s.file}`, "utf8"));
    },
  );

  const configs = readdirSync(`${root}examples/config`).filter((f) => /\.(ya?ml|json)$/.test(f));
  it.each(configs)("examples/config/%s is a configuration the gateway accepts", (name) => {
    const config = loadConfig({ file: `${root}examples/config/${name}`, env });
    const catalog = createCatalog(config);
    // Keys and allowed models resolve too, as at start-up.
    createAuthenticator(config, catalog, env);
    expect(catalog.models.length).toBeGreaterThan(0);
  });

  it("examples/tools.yaml is a tools file the gateway accepts", () => {
    expect(toolsFileSchema.safeParse(parseYaml(readFileSync(`${root}examples/tools.yaml`, "utf8"))).success).toBe(true);
  });
});
