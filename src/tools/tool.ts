import type { ToolDefinition } from "../core/types.js";

/** Who a tool runs for: tools that read sessions see only the caller's. */
export interface ToolContext {
  owner: string;
  sessionId?: string | undefined;
}

/** A registered tool: its definition, limits and how to run it. */
export interface RegisteredTool {
  definition: ToolDefinition;
  kind: "http" | "builtin";
  timeoutMs: number;
  maxOutputBytes: number;
  run(args: Record<string, unknown>, context: ToolContext, signal: AbortSignal): Promise<string>;
}

/** How a tool call ended, as the model is told. */
export interface ToolOutcome {
  output: string;
  isError: boolean;
  truncated: boolean;
  latencyMs: number;
}
