import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { echo, GatewayError, invalidRequest } from "../core/errors.js";
import { principalOf, tenantOf } from "./auth.js";
import type { RegisteredTool, Tools } from "../tools/registry.js";
import {
  ExecuteToolResponseSchema,
  GetToolResponseSchema,
  ListToolsResponseSchema,
  ToolSchema,
  type ToolService,
  type Tool,
} from "../../gen/ts/llmgateway/v1/tool_service_pb.js";

/** The ToolService: the registry, and direct execution with typed errors. */
export function createToolService(tools: Tools): ServiceImpl<typeof ToolService> {
  const toTool = (t: RegisteredTool): Tool =>
    create(ToolSchema, {
      name: t.definition.name,
      description: t.definition.description,
      parametersJson: t.definition.parametersJson,
      kind: t.kind,
      timeoutMs: t.timeoutMs,
      maxOutputBytes: t.maxOutputBytes,
      breakerState: tools.breakerState(t.definition.name),
    });
  return {
    listTools() {
      return create(ListToolsResponseSchema, { tools: tools.list().map(toTool) });
    },
    getTool(req) {
      if (!req.name) throw invalidRequest("name", "must be set");
      const t = tools.get(req.name);
      if (!t) throw new GatewayError("TOOL_NOT_FOUND", `tool ${echo(req.name)} is not registered`, { metadata: { tool: req.name } });
      return create(GetToolResponseSchema, { tool: toTool(t) });
    },
    async executeTool(req, ctx: HandlerContext) {
      if (!req.name) throw invalidRequest("name", "must be set");
      const context = { owner: principalOf(tenantOf(ctx), req.user), ...(req.sessionId ? { sessionId: req.sessionId } : {}) };
      const out = await tools.execute(req.name, req.argumentsJson, context, ctx.signal);
      return create(ExecuteToolResponseSchema, out);
    },
  };
}
