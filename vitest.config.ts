import { readdirSync, readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

// End-to-end tests that reach the RPC services through Harness.rpcTransport run twice: against the
// native gRPC listener (grpc-js), and against the browser listener (connect-node) over gRPC-Web,
// so that one set of tests holds both listeners to the same behaviour.
const bothFaces = readdirSync("test/e2e")
  .filter((f) => f.endsWith(".test.ts") && readFileSync(`test/e2e/${f}`, "utf8").includes(".rpcTransport("))
  .map((f) => `test/e2e/${f}`);

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      { extends: true, test: { name: "all", include: ["test/**/*.test.ts", "src/**/*.test.ts"] } },
      { extends: true, test: { name: "browser face", include: bothFaces, env: { LLMGW_TEST_FACE: "grpc-web" } } },
    ],
  },
});
