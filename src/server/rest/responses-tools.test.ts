import { describe, expect, it } from "vitest";
import { isGatewayError } from "../../core/errors.js";
import { fromResponses } from "./responses-request.js";
import { functionCallItem } from "./responses-object.js";
import { toolsOf } from "./responses-tools.js";

/** The field a list of tools is refused by. */
function refusedField(tools: unknown[]): string | undefined {
  try {
    toolsOf(tools);
  } catch (err) {
    if (isGatewayError(err)) return err.metadata["field"];
    throw err;
  }
  return undefined;
}

const fn = (name: string) => ({
  type: "function",
  name,
  description: `does ${name}`,
  strict: false,
  parameters: { type: "object", properties: {} },
});

describe("Responses tools as the core's function tools", () => {
  it("a namespace's functions are offered flat and their calls come back under the namespace", () => {
    const tools = toolsOf([
      fn("exec_command"),
      { type: "namespace", name: "agents", description: "Sub-agents.", tools: [fn("spawn"), fn("wait")] },
    ]);
    expect(tools.definitions.map((d) => d.name)).toEqual(["exec_command", "agents__spawn", "agents__wait"]);
    expect(tools.definitions[1]).toEqual({
      name: "agents__spawn",
      description: "does spawn",
      parametersJson: '{"type":"object","properties":{}}',
    });
    expect(tools.echoed[1]).toMatchObject({ type: "namespace", name: "agents", tools: [{ name: "spawn" }, { name: "wait" }] });
    const call = { id: "call_1", name: "agents__wait", argumentsJson: "{}" };
    expect(functionCallItem("fc_1", call, tools.namespaced)).toMatchObject({ namespace: "agents", name: "wait", call_id: "call_1" });
    // A top-level function whose name only looks namespaced keeps its name.
    expect(functionCallItem("fc_2", { ...call, name: "exec_command" }, tools.namespaced)).not.toHaveProperty("namespace");
  });

  it("web_search (as Codex CLI sends it) is accepted and not offered; shaped searches are refused by field", () => {
    const tools = toolsOf([fn("a"), { type: "web_search", external_web_access: false, search_content_types: ["text", "image"] }]);
    expect(tools.definitions.map((d) => d.name)).toEqual(["a"]);
    expect(tools.echoed).toHaveLength(1);
    expect(refusedField([{ type: "web_search", user_location: { city: "Oslo" } }])).toBe("tools[0].user_location");
  });

  it.each([
    [[{ type: "file_search", vector_store_ids: ["vs_1"] }], "tools[0].type"],
    [[{ type: "custom", name: "apply_patch" }], "tools[0].type"],
    [[fn("a"), { type: "namespace", name: "n", description: "d", tools: [{ type: "custom", name: "c" }] }], "tools[1].tools[0].type"],
    [[{ type: "namespace", name: "n", description: "d", tools: [{ ...fn("c"), weight: 1 }] }], "tools[0].tools[0].weight"],
    [[{ type: "namespace", name: "n", tools: [fn("c")] }], "tools[0].description"],
    [[fn("n__c"), { type: "namespace", name: "n", description: "d", tools: [fn("c")] }], "tools[1].tools[0].name"],
  ])("refuses %j by %s", (tools, field) => {
    expect(refusedField(tools)).toBe(field);
  });

  it("client_metadata is taken as Codex sends it (a string map) and goes to no provider", () => {
    const call = fromResponses({ model: "m", input: "hi", client_metadata: { "x-codex-turn-metadata": '{"turn_id":"t1"}' } });
    expect(JSON.stringify(call.request)).not.toContain("turn_id");
    expect(() => fromResponses({ model: "m", input: "hi", client_metadata: { k: 1 } })).toThrow(/client_metadata\.k/);
  });
});
