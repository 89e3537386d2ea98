import { createHash } from "node:crypto";
import type { Interceptor } from "@connectrpc/connect";

/** A key as the configuration holds it: its SHA-256, in hex. */
export const digest = (key: string): string => createHash("sha256").update(key).digest("hex");

/** Sends a header on every call of a Connect client. */
export const withHeader =
  (name: string, value: string): Interceptor =>
  (next) =>
  (req) => {
    req.header.set(name, value);
    return next(req);
  };

/** Sends the API key as a bearer token. */
export const bearer = (key: string): Interceptor => withHeader("authorization", `Bearer ${key}`);
