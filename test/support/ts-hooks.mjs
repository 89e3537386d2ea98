// Lets Node run the TypeScript sources directly (with --experimental-transform-types): the sources
// import each other as ".js", the files being ".ts". Used to run a gateway replica in a child process
// that a test can kill outright (test/support/replica-process.ts).
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (specifier.startsWith(".") && specifier.endsWith(".js")) return next(`${specifier.slice(0, -3)}.ts`, context);
      throw err;
    }
  },
});
