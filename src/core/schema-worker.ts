/*
 * The schema worker: compiles callers' JSON Schemas and checks answers against them, on its own thread
 * (started by schema-jobs.ts), so that neither a slow compile nor a slow check holds the event loop.
 *
 * Node runs this file directly, as TypeScript under the tests and as JavaScript from dist/: it may use
 * only erasable syntax and import only packages (a relative import would name a file that exists in one
 * of the two trees only).
 */
import { parentPort } from "node:worker_threads";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { RE2JS } from "re2js";

/** A job: compile `schema` (canonical JSON text, cached under `key`); with `text`, also check that answer. */
export interface SchemaJob {
  id: number;
  key: string;
  schema: string;
  text?: string;
}

/** The worker's answer: `error` says why the schema does not compile, `problem` why the answer does not conform. */
export interface SchemaReply {
  id: number;
  error?: string;
  problem?: string;
  /** Sent before a compile that a check needs, so that the check is given a compile's time. */
  compiling?: true;
}

// Compiled schemas, least recently used first. Each has its own Ajv, so dropping one frees it.
const MAX_VALIDATORS = 64;
const validators = new Map<string, ValidateFunction>();

/**
 * The JSON Schema drafts a caller may name in `$schema`; without one, draft-07. Zod 4's toJSONSchema
 * (LangChain JS's structured output, for one) names 2020-12, which OpenAI takes: a draft-07 Ajv knows
 * no such meta-schema and would refuse the schema.
 */
const DRAFTS = { "draft-07": Ajv, "2019-09": Ajv2019, "2020-12": Ajv2020 };
type Draft = keyof typeof DRAFTS;

function draftOf(schema: unknown): Draft {
  const named = typeof schema === "object" && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined;
  if (typeof named !== "string") return "draft-07";
  if (named.includes("/draft/2020-12/")) return "2020-12";
  if (named.includes("/draft/2019-09/")) return "2019-09";
  return "draft-07";
}

// Check schemas against their draft's meta-schema. Each holds that meta-schema only, never a caller's
// schema, and saves compiling the meta-schema again (about 20 ms) for each fresh Ajv.
const checkers = new Map<Draft, Ajv | Ajv2019 | Ajv2020>();
function checkerOf(draft: Draft): Ajv | Ajv2019 | Ajv2020 {
  let checker = checkers.get(draft);
  if (!checker) checkers.set(draft, (checker = new DRAFTS[draft]({ logger: false, strict: false, validateFormats: false })));
  return checker;
}

/**
 * Patterns (pattern, patternProperties) run on RE2, in time linear in the answer, instead of on the
 * backtracking RegExp, where "^(a+)+$" doubles its time with every character. RE2 has no backreferences
 * or lookarounds: a schema that uses them does not compile.
 */
const re2 = Object.assign(
  (pattern: string) => {
    let compiled: RE2JS;
    try {
      compiled = RE2JS.compile(fromEcmaEscapes(pattern));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(
        `pattern ${JSON.stringify(pattern)} is not supported (linear-time patterns only: no backreferences or lookarounds): ${why}`,
      );
    }
    return { test: (s: string) => compiled.matcher(s).find(), toString: () => pattern };
  },
  { code: "re2js" },
);

/** ECMAScript's \uXXXX and \u{X…} escapes, common in JSON Schema patterns, in RE2's \x{X…} spelling. */
function fromEcmaEscapes(pattern: string): string {
  return pattern.replace(
    /\\(?:u([0-9a-fA-F]{4})(?:\\u([dD][c-fC-F][0-9a-fA-F]{2}))?|u\{([0-9a-fA-F]+)\}|[\s\S])/g,
    (all, hex, low, braced) => {
      if (braced !== undefined) return `\\x{${braced}}`;
      if (hex === undefined) return all;
      const high = Number.parseInt(hex, 16);
      if (low === undefined || high < 0xd800 || high > 0xdbff) return `\\x{${hex}}${low === undefined ? "" : `\\x{${low}}`}`;
      const codePoint = (((high - 0xd800) << 10) | (Number.parseInt(low, 16) - 0xdc00)) + 0x10000;
      return `\\x{${codePoint.toString(16)}}`;
    },
  );
}

function compile(schemaText: string): ValidateFunction {
  const schema = JSON.parse(schemaText) as object;
  const draft = draftOf(schema);
  const checker = checkerOf(draft);
  if (!checker.validateSchema(schema)) throw new Error(`is not a valid JSON Schema: ${checker.errorsText(checker.errors)}`);
  // A fresh Ajv for each schema: no $id is shared between callers, a $ref cannot reach another caller's
  // schema, and nothing outlives the schema's cache entry. `optimize: false` compiles 5 to 7 times faster
  // (Ajv's optimiser is quadratic in the schema), and checks as fast.
  const ajv = new DRAFTS[draft]({
    logger: false,
    strict: false,
    validateFormats: false,
    validateSchema: false,
    allErrors: false,
    code: { regExp: re2, optimize: false },
  });
  const validate = ajv.compile(schema);
  if ((validate as { $async?: unknown }).$async) throw new Error("is an $async schema, which cannot check an answer");
  try {
    validate(null); // V8 parses the generated code here: a schema too big for its parser fails now, not on every answer
  } catch (err) {
    throw new Error(`is too complex to check answers with (${err instanceof Error ? err.message : String(err)})`);
  }
  return validate;
}

function validatorOf(job: SchemaJob): ValidateFunction {
  let validate = validators.get(job.key);
  if (validate) {
    validators.delete(job.key);
  } else {
    if (job.text !== undefined) parentPort?.postMessage({ id: job.id, compiling: true } satisfies SchemaReply);
    validate = compile(job.schema);
    if (validators.size >= MAX_VALIDATORS) validators.delete(validators.keys().next().value!);
  }
  validators.set(job.key, validate);
  return validate;
}

function run(job: SchemaJob): SchemaReply {
  let validate: ValidateFunction;
  try {
    validate = validatorOf(job);
  } catch (err) {
    return { id: job.id, error: err instanceof Error ? err.message : String(err) };
  }
  if (job.text === undefined) return { id: job.id };
  try {
    if (validate(JSON.parse(job.text))) return { id: job.id };
    const e = validate.errors?.[0];
    return { id: job.id, problem: e ? `${e.instancePath || "/"} ${e.message ?? "is invalid"}` : "invalid" };
  } catch (err) {
    return { id: job.id, problem: `it could not be checked (${err instanceof Error ? err.message : String(err)})` };
  }
}

parentPort?.on("message", (job: SchemaJob) => parentPort?.postMessage(run(job)));
parentPort?.postMessage({ ready: true });
