/**
 * A tool call's arguments as the JSON object Anthropic's and Bedrock's wires carry (`input`): the model's
 * arguments text parsed, a value that is not an object wrapped as { value }, and text that is not JSON
 * kept as { raw } rather than lost.
 */
export function argumentsObject(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json || "{}");
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { raw: json };
  }
}
