import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { parse as parseYaml } from "yaml";
import { ConfigError, formatIssues } from "../config/load.js";
import { toolsFileSchema, type GatewayConfig, type ToolConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import { parseCallerJson } from "../core/json-limits.js";
import { echo, GatewayError, invalidRequest } from "../core/errors.js";
import type { Fetch } from "../providers/http.js";
import { createBreakers, type BreakerState } from "../resilience/breakers.js";
import type { Sessions } from "../sessions/sessions.js";
import { builtinTools } from "./builtins.js";
import type { RegisteredTool, ToolContext, ToolOutcome } from "./tool.js";

export type { RegisteredTool, ToolContext, ToolOutcome } from "./tool.js";

export interface Tools {
  list(): RegisteredTool[];
  get(name: string): RegisteredTool | undefined;
  breakerState(name: string): BreakerState;
  /** Runs a tool for a direct caller: bad arguments, an unknown tool and failures are typed errors. */
  execute(name: string, argumentsJson: string, context: ToolContext, signal?: AbortSignal): Promise<Omit<ToolOutcome, "isError">>;
  /** Runs a tool for the model: never throws; any failure is an error output the model can read. */
  call(name: string, argumentsJson: string, context: ToolContext, signal?: AbortSignal): Promise<ToolOutcome>;
}

/** Cuts text to at most `max` bytes of UTF-8 without splitting a character. */
function cut(text: string, max: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text);
  if (bytes.byteLength <= max) return { text, truncated: false };
  let end = max;
  // Back up to the start of a character (continuation bytes are 10xxxxxx).
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString(), truncated: true };
}

/** Reads a tools file (YAML or JSON) and checks it, naming the key of any fault. */
export function readToolsFile(file: string): ToolConfig[] {
  let raw: unknown;
  try {
    const text = readFileSync(file, "utf8");
    raw = extname(file) === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`tools.file: cannot read ${file}: ${(err as Error).message}`);
  }
  const parsed = toolsFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${file}: ${formatIssues(parsed.error.issues)}`);
  return parsed.data.tools;
}

/** An HTTP tool: the arguments go as a JSON body (POST) or as query parameters (GET). */
function httpTool(
  t: ToolConfig,
  defaults: { timeoutMs: number; maxOutputBytes: number },
  env: NodeJS.ProcessEnv,
  fetch: Fetch,
): RegisteredTool {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(t.headers)) {
    if (typeof value === "string") headers[name] = value;
    else {
      const v = env[value.env];
      if (v === undefined) throw new ConfigError(`tools: "${t.name}".headers.${name}: environment variable ${value.env} is not set`);
      headers[name] = v;
    }
  }
  return {
    definition: { name: t.name, description: t.description, parametersJson: JSON.stringify(t.parameters) },
    kind: "http",
    timeoutMs: t.timeoutMs ?? defaults.timeoutMs,
    maxOutputBytes: t.maxOutputBytes ?? defaults.maxOutputBytes,
    async run(args, _context, signal) {
      const url = new URL(t.url);
      let body: string | undefined;
      if (t.method === "GET") {
        for (const [k, v] of Object.entries(args)) url.searchParams.set(k, typeof v === "string" ? v : JSON.stringify(v));
      } else {
        body = JSON.stringify(args);
      }
      const res = await fetch(url, {
        method: t.method,
        headers: { ...(body ? { "content-type": "application/json" } : {}), accept: "application/json, text/plain", ...headers },
        ...(body ? { body } : {}),
        signal,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
      return text;
    },
  };
}

export interface ToolsOptions {
  config: GatewayConfig["tools"];
  env: NodeJS.ProcessEnv;
  clock: Clock;
  fetch: Fetch;
  sessions: Sessions;
}

/** Builds the registry once at start-up: the file's tools, the inline ones and the builtins, each with its breaker. */
export function createTools(options: ToolsOptions): Tools {
  const { config, clock } = options;
  const defaults = { timeoutMs: config.defaultTimeoutMs, maxOutputBytes: config.defaultMaxOutputBytes };
  const configured = [...(config.file ? readToolsFile(config.file) : []), ...config.definitions];
  const all = [
    ...configured.map((t) => httpTool(t, defaults, options.env, options.fetch)),
    ...builtinTools(config.builtins, { clock, sessions: options.sessions, defaults }),
  ];
  const tools = new Map<string, RegisteredTool>();
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validators = new Map<string, ValidateFunction>();
  for (const t of all) {
    if (tools.has(t.definition.name)) throw new ConfigError(`tools: "${t.definition.name}" is defined twice`);
    tools.set(t.definition.name, t);
    try {
      validators.set(t.definition.name, ajv.compile(JSON.parse(t.definition.parametersJson) as object));
    } catch (err) {
      throw new ConfigError(`tools: "${t.definition.name}".parameters is not a valid JSON Schema: ${(err as Error).message}`);
    }
  }
  const breakers = createBreakers(config.breaker, clock);

  function check(name: string, argumentsJson: string): { tool: RegisteredTool; args: Record<string, unknown> } {
    const tool = tools.get(name);
    if (!tool) throw new GatewayError("TOOL_NOT_FOUND", `tool ${echo(name)} is not registered`, { metadata: { tool: name } });
    const args = parseCallerJson(argumentsJson || "{}", "arguments_json");
    const validate = validators.get(name)!;
    if (!validate(args)) {
      throw invalidRequest(
        "arguments_json",
        `does not match the schema of tool "${name}": ${ajv.errorsText(validate.errors, { dataVar: "arguments" })}`,
      );
    }
    return { tool, args: args as Record<string, unknown> };
  }

  async function run(tool: RegisteredTool, args: Record<string, unknown>, context: ToolContext, signal?: AbortSignal) {
    const name = tool.definition.name;
    const permit = breakers.admit(name);
    if (!permit) {
      throw new GatewayError("TOOL_FAILED", `tool "${name}" is failing; its circuit breaker is open`, {
        metadata: { tool: name, cause: "circuit_open" },
        retryAfterMs: breakers.retryAfterMs(name),
      });
    }
    const started = clock.monotonic();
    const controller = new AbortController();
    const stopTimer = new AbortController();
    let timedOut = false;
    void clock.sleep(tool.timeoutMs, stopTimer.signal).then(
      () => {
        timedOut = true;
        controller.abort(new Error("timeout"));
      },
      () => {},
    );
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const output = await Promise.race([
        tool.run(args, context, controller.signal),
        new Promise<never>((_, reject) =>
          controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true }),
        ),
      ]);
      permit.success();
      const { text, truncated } = cut(output, tool.maxOutputBytes);
      return { output: text, truncated, latencyMs: clock.monotonic() - started };
    } catch (err) {
      if (signal?.aborted) {
        permit.release();
        throw new GatewayError("CANCELLED", "the caller cancelled the call", { cause: err });
      }
      if (err instanceof GatewayError && !timedOut) {
        // A builtin refusing the caller (someone else's session) is not the tool failing.
        permit.release();
        throw err;
      }
      permit.failure();
      if (timedOut) {
        throw new GatewayError("TOOL_TIMEOUT", `tool "${name}" did not answer within ${tool.timeoutMs} ms`, {
          metadata: { tool: name, timeout_ms: String(tool.timeoutMs) },
        });
      }
      throw new GatewayError("TOOL_FAILED", `tool "${name}" failed: ${(err as Error).message ?? String(err)}`, {
        metadata: { tool: name, cause: "error" },
        cause: err,
      });
    } finally {
      stopTimer.abort();
      signal?.removeEventListener("abort", onAbort);
    }
  }

  return {
    list: () => [...tools.values()].sort((a, b) => a.definition.name.localeCompare(b.definition.name)),
    get: (name) => tools.get(name),
    breakerState: (name) => breakers.state(name),
    async execute(name, argumentsJson, context, signal) {
      const { tool, args } = check(name, argumentsJson);
      return run(tool, args, context, signal);
    },
    async call(name, argumentsJson, context, signal) {
      const started = clock.monotonic();
      try {
        const { tool, args } = check(name, argumentsJson);
        return { ...(await run(tool, args, context, signal)), isError: false };
      } catch (err) {
        if (signal?.aborted) throw err;
        // The model reads what went wrong and may try again or answer without the tool.
        const message = err instanceof GatewayError ? err.message : String(err);
        return { output: `error: ${message}`, isError: true, truncated: false, latencyMs: clock.monotonic() - started };
      }
    },
  };
}
