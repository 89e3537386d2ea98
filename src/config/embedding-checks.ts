import { bedrockEmbeds, taskRefusal } from "../providers/embed-tasks.js";
import type { GatewayConfig } from "./schema.js";

/**
 * Each embedding model's task against each of its deployments, at start-up: a Cohere model without one,
 * or a task its provider cannot take, or a Bedrock model the gateway cannot embed with, would have every call
 * refused; the start fails instead, naming the key.
 */
export function checkEmbeddingTasks(config: GatewayConfig, fail: (key: string, message: string) => never): void {
  const kinds = new Map(config.providers.map((p) => [p.name, p.kind]));
  config.models.forEach((m, i) => {
    if (m.type !== "embedding") return;
    const deployments = m.deployments ?? [{ provider: m.provider ?? "", upstreamModel: undefined }];
    for (const d of deployments) {
      const upstream = d.upstreamModel ?? m.upstreamModel ?? m.name;
      // Every call would be refused naming the caller's `model`: the operator's mistake, said at start-up.
      if (kinds.get(d.provider) === "bedrock" && !bedrockEmbeds(upstream))
        fail(
          `models[${i}]`,
          `${upstream} on "${d.provider}": Bedrock embeddings are carried for Titan Text Embeddings and Cohere Embed models`,
        );
      const why = taskRefusal(kinds.get(d.provider) ?? "", upstream, m.task);
      if (why) fail(`models[${i}].task`, `${why} (deployment on "${d.provider}", ${upstream})`);
    }
  });
}
