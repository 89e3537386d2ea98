import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** The playground: built into dist/web, which the gateway serves at / on its HTTP listener. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
});
