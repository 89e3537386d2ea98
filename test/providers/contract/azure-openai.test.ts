import { ConnectError } from "@connectrpc/connect";
import { expect, it } from "vitest";
import { ErrorInfoSchema } from "../../../gen/ts/google/rpc/error_details_pb.js";
import { Role } from "../../../gen/ts/llmgateway/v1/types_pb.js";
import { providerContract } from "./contract.js";
import { openAiWire } from "./wires.js";

/*
 * Azure OpenAI on its deployment paths (the api-version in the query, the key in api-key), through the
 * direct client and the SDK's AzureOpenAI client. Azure's 429 sends retry-after-ms beside retry-after,
 * the first to the millisecond. Entra ID tokens are proven in test/providers/azure.test.ts.
 */
for (const client of ["direct", "sdk"] as const)
  providerContract({
    kind: "azure-openai",
    label: client,
    ...openAiWire,
    provider: (upstream) => ({ kind: "azure-openai", endpoint: upstream.anthropicBaseUrl, apiVersion: "2024-10-21", client }),
    env: { AZURE_OPENAI_API_KEY: "az-key" },
    upstreamModel: "gpt4o-eastus",
    pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
    // Azure's cached input costs half the input price unless the catalogue says otherwise.
    listed: { cachedInputPricePerMillion: 1.25 },
    rateLimited: { behaviour: { status: 429, retryAfterMs: "2500", retryAfter: "3" }, delay: { seconds: 2n, nanos: 500_000_000 } },
    sent: (request) => {
      expect(request.azure).toEqual({ deployment: "gpt4o-eastus", apiVersion: "2024-10-21" });
      expect(request.path).toBe("/openai/deployments/gpt4o-eastus/chat/completions?api-version=2024-10-21");
      expect(request.headers["api-key"]).toBe("az-key");
    },
    extraModels: [
      { name: "embed", provider: "subject", upstreamModel: "embed-small", type: "embedding", dimensions: 256, contextWindow: 8191 },
    ],
    extra: (gw) => {
      it("says retry-after-ms, to the millisecond, in the error's metadata", async () => {
        gw().upstream.enqueue({ status: 429, retryAfterMs: "2500", retryAfter: "3" });
        const call = gw().grpc.complete({ model: "subject", messages: [{ role: Role.USER, content: "Hi" }] });
        const err = ConnectError.from(await call.catch((e: unknown) => e));
        expect(err.findDetails(ErrorInfoSchema)[0]?.metadata["retry_after_ms"]).toBe("2500");
      });

      it("embeds through an embedding deployment", async () => {
        const res = await gw().sdk.embeddings.create({ model: "embed", input: ["hello world", "bye"] });
        expect(res.data).toHaveLength(2);
        expect(gw().upstream.requests.at(-1)!.path).toBe("/openai/deployments/embed-small/embeddings?api-version=2024-10-21");
      });
    },
  });
