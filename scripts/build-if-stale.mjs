#!/usr/bin/env node
// Builds what `npm start` runs, only when its sources changed since the last build: the server
// (tsc, into dist/) and the playground (vite, into dist/web/). A build leaves a stamp; a source newer
// than the stamp, or no stamp, means building again. `--server-only` skips the playground.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The newest modification time under the given files and folders (0 when none exist). */
export function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== "node_modules" && !e.startsWith(".")) visit(join(p, e));
    } else {
      newest = Math.max(newest, s.mtimeMs);
    }
  };
  paths.forEach(visit);
  return newest;
}

/** True when there is no stamp, or a source changed after it was written. */
export function isStale(sources, stamp) {
  return !existsSync(stamp) || newestMtime(sources) > statSync(stamp).mtimeMs;
}

/** Writes the stamp with the time the build started: a source edited during the build makes the next start build again. */
function stamp(path, started) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${started.toISOString()}\n`);
  utimesSync(path, started, started);
}

const targets = [
  {
    name: "server",
    sources: ["src", "gen/ts", "tsconfig.json", "tsconfig.build.json", "package-lock.json"],
    stamp: "dist/.server-built",
    build: () => execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" }),
  },
  {
    name: "playground",
    sources: ["web", "gen/ts", "package-lock.json"],
    stamp: "dist/web/.web-built",
    build: () =>
      execFileSync(join(root, "node_modules/.bin/vite"), ["build", "--config", "web/vite.config.ts", "--logLevel", "warn"], {
        cwd: root,
        stdio: "inherit",
      }),
  },
];

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const serverOnly = process.argv.includes("--server-only");
  for (const t of targets) {
    if (serverOnly && t.name !== "server") continue;
    const sources = t.sources.map((s) => join(root, s));
    const stampPath = join(root, t.stamp);
    if (!isStale(sources, stampPath)) continue;
    process.stderr.write(`building the ${t.name} (sources changed since the last build)\n`);
    const started = new Date();
    t.build();
    stamp(stampPath, started);
  }
}
