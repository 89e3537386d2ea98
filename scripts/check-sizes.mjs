#!/usr/bin/env node
// No source file over about 300 lines: a file that grows past it is doing two jobs. Part of `npm run lint`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const LIMIT = 320;
const over = [];
const visit = (dir) => {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) visit(p);
    else if (p.endsWith(".ts") && !p.endsWith(".test.ts") && !p.endsWith(".fixtures.ts")) {
      const lines = readFileSync(p, "utf8").split("\n").length;
      if (lines > LIMIT) over.push(`${p}: ${lines} lines`);
    }
  }
};
visit("src");
if (over.length > 0) {
  process.stderr.write(`files over ${LIMIT} lines (split them by what they do):\n${over.join("\n")}\n`);
  process.exit(1);
}
