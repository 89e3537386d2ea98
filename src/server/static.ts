import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type * as http from "node:http";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

/**
 * Serves the built playground (index.html at /, hashed files under
 * /assets/) from a directory; returns false for any other path, or when the
 * directory has not been built, so the request goes on to the services.
 */
export function createStaticHandler(dir: string): ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | undefined {
  if (!existsSync(join(dir, "index.html"))) return undefined;
  const root = normalize(dir) + sep;
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    let path: string;
    try {
      path = decodeURIComponent((req.url ?? "/").split("?", 1)[0]!);
    } catch {
      // A malformed escape ("/%") names no file; the request goes on and ends in a 404.
      return false;
    }
    const file = path === "/" || path === "/index.html" ? "index.html" : path.startsWith("/assets/") ? path.slice(1) : undefined;
    if (!file) return false;
    const full = normalize(join(dir, file));
    // Nothing outside the directory, whatever the path says.
    if (!full.startsWith(root)) return false;
    readFile(full).then(
      (body) => {
        res.writeHead(200, {
          "content-type": TYPES[extname(full)] ?? "application/octet-stream",
          // Assets carry a content hash in their names; the page must always be fresh.
          "cache-control": file === "index.html" ? "no-cache" : "public, max-age=31536000, immutable",
          "x-content-type-options": "nosniff",
        });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      () => res.writeHead(404).end(),
    );
    return true;
  };
}
