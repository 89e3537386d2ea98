import { createHash } from "node:crypto";
import { bounded, GatewayError, invalidRequest } from "./errors.js";
import { runSchemaJob } from "./schema-jobs.js";
import type { ResponseFormat } from "./types.js";

/*
 * Structured outputs, checked: an answer asked for in JSON (or in JSON that conforms to a schema)
 * is checked here before it is passed off as such, whichever provider wrote it. Schemas are compiled,
 * and answers checked, on the schema worker (schema-worker.ts), each within a time limit.
 */

const FIELD = "response_format.json_schema.schema";

/**
 * The most nodes (objects, arrays and other values, counted in the parsed schema) a schema may have.
 * 2,000 holds about 500 properties with a type and a description each, or 120 nested objects of three
 * fields: more than a model can be asked to fill reliably. (OpenAI's strict mode allows 5,000 properties,
 * but our 64 KB limit on the schema's text already stops well short of that.) Measured on the worker, the
 * worst schemas of this size (1,000 branches of anyOf, 1,000 patterns) compile in 80 to 200 ms, and
 * about 4,000 nodes of anyOf is where the generated code overflows V8's stack.
 */
export const MAX_SCHEMA_NODES = 2_000;

/** A compile over ten times the worst measured at the node cap is the schema's doing (a pathological pattern). */
const COMPILE_LIMIT_MS = 2_000;
/**
 * Checking an answer takes a few milliseconds (a 2,000-node schema, under 2 ms; an RE2 pattern over
 * 100,000 characters, about 40 ms); an answer that takes longer cannot be shown to conform, and must not
 * hold the jobs queued behind it.
 */
const VALIDATE_LIMIT_MS = 250;

// Why each schema does not compile (or true when it does), by the hash of its canonical text: the same
// schema spelt with other whitespace or key spacing compiles once, and a failure is not paid for twice.
const MAX_VERDICTS = 1024;
const verdicts = new Map<string, true | string>();
const compiling = new Map<string, Promise<true | string>>();

/** Checks that a schema compiles; an invalid schema is the caller's INVALID_REQUEST (field response_format.json_schema.schema). */
export async function compileSchema(schemaJson: string): Promise<void> {
  const verdict = await verdictOf(canonical(schemaJson));
  if (verdict !== true) throw invalidRequest(FIELD, verdict);
}

interface Canonical {
  key: string;
  text: string;
}

function canonical(schemaJson: string): Canonical {
  let schema: unknown;
  try {
    schema = JSON.parse(schemaJson);
  } catch {
    throw invalidRequest(FIELD, "is not valid JSON");
  }
  if (countsOver(schema, MAX_SCHEMA_NODES))
    throw invalidRequest(FIELD, `has more than ${MAX_SCHEMA_NODES} nodes (objects, arrays and values)`);
  const text = JSON.stringify(schema);
  return { key: createHash("sha256").update(text).digest("base64"), text };
}

/** True when a JSON value has more than `max` nodes; counts no further than that. */
function countsOver(value: unknown, max: number): boolean {
  const stack = [value];
  let nodes = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    if (++nodes > max) return true;
    if (typeof v === "object" && v !== null) stack.push(...Object.values(v));
  }
  return false;
}

async function verdictOf({ key, text }: Canonical): Promise<true | string> {
  const known = verdicts.get(key);
  if (known !== undefined) {
    verdicts.delete(key);
    verdicts.set(key, known);
    return known;
  }
  let pending = compiling.get(key);
  if (!pending) {
    pending = compileOnWorker(key, text).finally(() => compiling.delete(key));
    compiling.set(key, pending);
  }
  return pending;
}

async function compileOnWorker(key: string, text: string): Promise<true | string> {
  const outcome = await runSchemaJob({ key, schema: text }, COMPILE_LIMIT_MS);
  let verdict: true | string;
  if (outcome.kind === "done") verdict = outcome.reply.error === undefined ? true : bounded(outcome.reply.error, 512);
  else if (outcome.kind === "timeout") verdict = `takes too long to compile (over ${COMPILE_LIMIT_MS} ms)`;
  else if (outcome.ours) throw new GatewayError("INTERNAL", `schemas cannot be compiled: ${outcome.why}`);
  else verdict = `could not be compiled (${outcome.why})`;
  if (verdicts.size >= MAX_VERDICTS) verdicts.delete(verdicts.keys().next().value!);
  verdicts.set(key, verdict);
  return verdict;
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
  const schema = canonical(format.schemaJson);
  const verdict = await verdictOf(schema);
  if (verdict !== true) return `schema "${format.name}" cannot check the answer: ${verdict}`;
  const outcome = await runSchemaJob(
    { key: schema.key, schema: schema.text, text },
    VALIDATE_LIMIT_MS,
    COMPILE_LIMIT_MS + VALIDATE_LIMIT_MS,
  );
  const conforming = `the answer does not conform to schema "${format.name}"`;
  if (outcome.kind === "timeout") return `${conforming}: it could not be checked within ${VALIDATE_LIMIT_MS} ms`;
  if (outcome.kind === "crashed") return `${conforming}: it could not be checked (${outcome.why})`;
  const { error, problem } = outcome.reply;
  if (error !== undefined) return `schema "${format.name}" cannot check the answer: ${bounded(error, 512)}`;
  return problem === undefined ? undefined : `${conforming}: ${bounded(problem, 512)}`;
}

/** The error for an answer that did not conform: the model's failure, never the caller's. */
export function invalidOutput(provider: string, problem: string): GatewayError {
  return new GatewayError("INVALID_OUTPUT", `${provider}: ${problem}`, { metadata: { provider } });
}
