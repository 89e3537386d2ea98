import { z } from "zod";
import { echo, invalidRequest } from "../../core/errors.js";
import type { ToolDefinition } from "../../core/types.js";
import { refusal } from "./refusal.js";

/*
 * The `tools` of a Responses request as the core's function tools. Function tools are carried as
 * they are; a namespace's functions are carried flat, each named `<namespace>__<name>` (providers
 * take no namespaces), and the model's calls of them are given back under their namespace; a
 * `web_search` tool is accepted and not offered (below). Every other built-in tool is refused.
 */

const functionShape = {
  type: z.literal("function"),
  name: z.string().min(1).max(128),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
  // Only the values that ask for nothing more than a plain function tool.
  allowed_callers: z.array(z.literal("direct")).nullish(),
  defer_loading: z.literal(false).optional(),
  output_schema: z.null().optional(),
};
const functionTool = z.strictObject(functionShape);

const namespaceTool = z.strictObject({
  type: z.literal("namespace"),
  name: z.string().min(1).max(64),
  description: z.string(),
  tools: z.array(z.unknown()).min(1).max(512),
});

/**
 * OpenAI's web search, as Codex CLI sends it in every request unless its config turns it off. The
 * gateway runs no search, so the model is not offered it: a model that may search and a model that
 * is not offered a search answer the same way when no search can return anything. The response's
 * `tools` lists what the model was offered, so the caller can see it was left out. Only these keys:
 * an allowed-domains filter or a location would ask for a search to be shaped, which nothing runs.
 */
const WEB_SEARCH = ["web_search", "web_search_2025_08_26", "web_search_preview"];
const webSearchTool = z.strictObject({
  type: z.enum(WEB_SEARCH),
  external_web_access: z.boolean().optional(),
  search_context_size: z.enum(["low", "medium", "high"]).optional(),
  search_content_types: z
    .array(z.enum(["text", "image"]))
    .max(2)
    .optional(),
});

/** The flat name a namespace's function is offered under. */
export const namespacedName = (namespace: string, name: string): string => `${namespace}__${name}`;

/** What the model calls a namespace's function, and the namespace and name to give its call back under. */
export type NamespacedNames = ReadonlyMap<string, { namespace: string; name: string }>;

export interface ResponsesTools {
  definitions: ToolDefinition[];
  /** The tools as the Response object echoes them: what the model was offered. */
  echoed: object[];
  namespaced: NamespacedNames;
}

function typeOf(t: unknown): unknown {
  return typeof t === "object" && t !== null ? (t as { type?: unknown }).type : undefined;
}

function notCarried(field: string, type: unknown, what: string) {
  return invalidRequest(field, `${typeof type === "string" ? echo(type) : "a tool without a type"} is not carried: ${what}`);
}

/** Converts the request's tools, naming the path of any fault. */
export function toolsOf(raw: readonly unknown[]): ResponsesTools {
  const definitions: ToolDefinition[] = [];
  const echoed: object[] = [];
  const namespaced = new Map<string, { namespace: string; name: string }>();
  const names = new Set<string>();
  const add = (t: unknown, field: string, namespace?: string) => {
    const parsed = functionTool.safeParse(t);
    if (!parsed.success) throw refusal(parsed.error.issues, field);
    const f = parsed.data;
    const name = namespace ? namespacedName(namespace, f.name) : f.name;
    if (names.has(name)) throw invalidRequest(`${field}.name`, `${echo(name)} names two tools`);
    names.add(name);
    if (namespace) namespaced.set(name, { namespace, name: f.name });
    const d: ToolDefinition = {
      name,
      description: f.description ?? "",
      parametersJson: JSON.stringify(f.parameters ?? { type: "object", properties: {} }),
    };
    // As OpenAI's Responses: function tools are strict unless the caller says otherwise.
    const strict = f.strict ?? true;
    if (strict) d.strict = true;
    definitions.push(d);
    return { type: "function", name: f.name, description: f.description ?? null, parameters: f.parameters ?? null, strict };
  };
  raw.forEach((t, i) => {
    const field = `tools[${i}]`;
    const type = typeOf(t);
    if (type === "function") echoed.push(add(t, field));
    else if (type === "namespace") {
      const parsed = namespaceTool.safeParse(t);
      if (!parsed.success) throw refusal(parsed.error.issues, field);
      const ns = parsed.data;
      const inner = ns.tools.map((x, j) => {
        if (typeOf(x) !== "function")
          throw notCarried(`${field}.tools[${j}].type`, typeOf(x), "a namespace here holds function tools only");
        return add(x, `${field}.tools[${j}]`, ns.name);
      });
      echoed.push({ type: "namespace", name: ns.name, description: ns.description, tools: inner });
    } else if (typeof type === "string" && WEB_SEARCH.includes(type)) {
      // Not offered and not echoed: see webSearchTool.
      const parsed = webSearchTool.safeParse(t);
      if (!parsed.success) throw refusal(parsed.error.issues, field);
    } else throw notCarried(`${field}.type`, type, "this gateway serves function and namespace tools only (it runs no built-in tools)");
  });
  return { definitions, echoed, namespaced };
}
