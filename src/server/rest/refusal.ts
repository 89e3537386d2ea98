import type { z } from "zod";
import { echo, invalidRequest } from "../../core/errors.js";

/** A dotted path with indexes, as an OpenAI error's `param` names a field, after `prefix` if given. */
export function pathOf(path: readonly PropertyKey[], prefix = ""): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), prefix);
}

/**
 * The first problem zod found, as one INVALID_REQUEST naming its field (under `prefix`, the path of
 * the value parsed); nothing the caller sent is echoed unbounded.
 */
export function refusal(issues: readonly z.core.$ZodIssue[], prefix = "") {
  const issue = issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const field = pathOf([...issue.path, key.length > 64 ? `${key.slice(0, 64)}…` : key], prefix);
    return invalidRequest(field, `unknown field ${echo(key)}: this gateway refuses fields it would not honour`);
  }
  const hint =
    issue.code === "invalid_value" || issue.code === "invalid_union"
      ? "has a value this gateway does not accept here"
      : issue.message.replace(/^Invalid input: /, "");
  return invalidRequest(pathOf(issue.path, prefix) || "body", hint);
}
