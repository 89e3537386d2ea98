import { defineConfig } from "vitest/config";

// Runs a real client (installed outside the project) against a gateway: not part of `vitest run`,
// which finds only *.test.ts. scripts/try-claude-code.sh installs the client and runs this.
export default defineConfig({
  test: { include: ["test/clients/*.live.ts"], testTimeout: 180_000, hookTimeout: 30_000, fileParallelism: false },
});
