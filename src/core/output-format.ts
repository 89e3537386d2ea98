import { Ajv, type ValidateFunction } from "ajv";
import { GatewayError, invalidRequest } from "./errors.js";
import type { ResponseFormat } from "./types.js";

/*
 * Structured outputs, checked: an answer asked for in JSON (or in JSON that conforms to a schema)
 * is checked here before it is passed off as such, whichever provider wrote it.
 */

const ajv = new Ajv({ allErrors: false, strict: false, validateFormats: false });

// Compiled schemas, by their text: a caller that sends the same schema on every call compiles it once.
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 256;

/** Checks that a schema compiles; an invalid schema is the caller's INVALID_REQUEST (field response_format.json_schema.schema). */
export async function compileSchema(schemaJson: string): Promise<void> {
  validatorOf(schemaJson);
}

function validatorOf(schemaJson: string): ValidateFunction {
  let validate = compiled.get(schemaJson);
  if (validate) return validate;
  try {
    validate = ajv.compile(JSON.parse(schemaJson) as object);
  } catch (err) {
    throw invalidRequest(
      "response_format.json_schema.schema",
      `is not a valid JSON Schema: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(schemaJson, validate);
  return validate;
}

/**
 * Why an answer does not conform to the format asked for, or undefined when it does. An answer that
 * calls tools is not checked: its JSON comes in the next round's answer.
 */
export async function outputProblem(format: ResponseFormat, text: string): Promise<string | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "the answer is not valid JSON";
  }
  if (format.type === "json_object") {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? undefined : "the answer is JSON but not an object";
  }
  const validate = validatorOf(format.schemaJson);
  if (validate(value)) return undefined;
  const e = validate.errors?.[0];
  return `the answer does not conform to schema "${format.name}": ${e ? `${e.instancePath || "/"} ${e.message ?? "is invalid"}` : "invalid"}`;
}

/** The error for an answer that did not conform: the model's failure, never the caller's. */
export function invalidOutput(provider: string, problem: string): GatewayError {
  return new GatewayError("INVALID_OUTPUT", `${provider}: ${problem}`, { metadata: { provider } });
}
