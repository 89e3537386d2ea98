import { z } from "zod";
import { echo, invalidRequest } from "../../core/errors.js";
import type { ChatMessage, ContentPart, Role } from "../../core/types.js";
import { fileData } from "./chat-content.js";
import { refusal } from "./refusal.js";
import { compactedMessage } from "./responses-compaction.js";
import { namespacedName } from "./responses-tools.js";

/*
 * The `input` of an OpenAI Responses request as the core's messages: messages (content as a string
 * or as input_text, input_image, input_file, output_text and refusal parts), the caller's function
 * calls and their outputs, and reasoning items sent back. Items of built-in tools, item references
 * and anything else are refused by their path; every unknown key of an item or part is refused too.
 */

const status = z.enum(["in_progress", "completed", "incomplete"]).nullish();

/**
 * What Codex CLI says of each item to OpenAI's platform when it talks to its built-in OpenAI provider
 * (which parts of its prompt an item holds, its turn, when): no model reads it, so it is checked for
 * shape and passed to no provider.
 */
const codexMetadata = { internal_chat_message_metadata_passthrough: z.record(z.string().max(64), z.unknown()).nullish() };

/** Each part type's exact shape. output_text and refusal are what an assistant said, sent back. */
const partSchemas = {
  input_text: z.strictObject({ type: z.literal("input_text"), text: z.string() }),
  input_image: z.strictObject({
    type: z.literal("input_image"),
    image_url: z.string().min(1).nullish(),
    file_id: z.string().min(1).nullish(),
    detail: z.enum(["auto", "low", "high"]).nullish(),
  }),
  input_file: z.strictObject({
    type: z.literal("input_file"),
    file_data: z.string().min(1).nullish(),
    file_id: z.string().min(1).nullish(),
    file_url: z.string().min(1).nullish(),
    filename: z.string().nullish(),
  }),
  output_text: z.strictObject({
    type: z.literal("output_text"),
    text: z.string(),
    annotations: z.array(z.unknown()).max(0).optional(),
    logprobs: z.array(z.unknown()).optional(),
  }),
  refusal: z.strictObject({ type: z.literal("refusal"), refusal: z.string() }),
};
type PartType = keyof typeof partSchemas;

const USER_PARTS: readonly PartType[] = ["input_text", "input_image", "input_file"];
const ASSISTANT_PARTS: readonly PartType[] = ["output_text", "refusal"];

const messageItem = z.strictObject({
  type: z.literal("message").optional(),
  id: z.string().nullish(),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(z.unknown()).max(1024)]),
  status,
  // Only the value that says nothing: the gateway's answers carry no phase.
  phase: z.null().optional(),
  ...codexMetadata,
});

const functionCallItem = z.strictObject({
  type: z.literal("function_call"),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  // A namespace's function (see responses-tools.ts): the model knows it by its flat name.
  namespace: z.string().min(1).max(64).optional(),
  arguments: z.string(),
  status,
  ...codexMetadata,
});

const functionOutputItem = z.strictObject({
  type: z.literal("function_call_output"),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  // Text, or parts: a tool may return images and files (Codex CLI's view_image returns an input_image).
  output: z.union([z.string(), z.array(z.unknown()).max(1024)]),
  status,
  ...codexMetadata,
});

const textPiece = (type: string) => z.strictObject({ type: z.literal(type), text: z.string() });
const reasoningItem = z.strictObject({
  type: z.literal("reasoning"),
  id: z.string().nullish(),
  summary: z.array(textPiece("summary_text")).max(1024),
  content: z.array(textPiece("reasoning_text")).max(1024).nullish(),
  encrypted_content: z.string().nullish(),
  status,
  ...codexMetadata,
});

const compactionItem = z.strictObject({
  type: z.literal("compaction"),
  id: z.string().nullish(),
  encrypted_content: z.string().min(1),
  created_by: z.string().optional(),
  ...codexMetadata,
});

// Asks for a compaction (responses-compaction.ts); fromResponses takes it off the end of the input.
const compactionTrigger = z.strictObject({ type: z.literal("compaction_trigger"), ...codexMetadata });

const itemSchemas = {
  message: messageItem,
  compaction: compactionItem,
  compaction_trigger: compactionTrigger,
  function_call: functionCallItem,
  function_call_output: functionOutputItem,
  reasoning: reasoningItem,
};

/** One content part, in the core's terms; `field` is its path. */
function partOf(raw: unknown, field: string, allowed: readonly PartType[]): ContentPart {
  const type = typeof raw === "object" && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== "string" || !(allowed as readonly string[]).includes(type))
    throw invalidRequest(
      `${field}.type`,
      `${typeof type === "string" ? echo(type) : "a part without a type"} is not carried here; send ${allowed.join(", ")}`,
    );
  const parsed = partSchemas[type as PartType].safeParse(raw);
  if (!parsed.success) throw refusal(parsed.error.issues, field);
  const p = parsed.data;
  switch (p.type) {
    case "input_text":
    case "output_text":
      return { type: "text", text: p.text };
    case "refusal":
      return { type: "text", text: p.refusal };
    case "input_image": {
      if (p.file_id) throw invalidRequest(`${field}.file_id`, "images by file id are not carried; send image_url (an https or data: URL)");
      if (!p.image_url) throw invalidRequest(`${field}.image_url`, "is required");
      const image: ContentPart = { type: "image", url: p.image_url };
      if (p.detail) image.detail = p.detail;
      return image;
    }
    case "input_file": {
      const given = [p.file_data, p.file_id, p.file_url].filter(Boolean).length;
      if (given !== 1) throw invalidRequest(field, "needs exactly one of file_data, file_id and file_url");
      const file: ContentPart = { type: "file" };
      if (p.file_data) Object.assign(file, fileData(p.file_data, p.filename ?? undefined, `${field}.file_data`));
      if (p.file_id) file.fileId = p.file_id;
      if (p.file_url) file.url = p.file_url;
      if (p.filename) file.filename = p.filename;
      return file;
    }
  }
}

function messageOf(m: z.infer<typeof messageItem>, field: string): ChatMessage {
  // "developer" is OpenAI's newer name for system instructions.
  const role: Role = m.role === "developer" ? "system" : m.role;
  if (typeof m.content === "string") return { role, content: m.content };
  const allowed = role === "assistant" ? ASSISTANT_PARTS : USER_PARTS;
  const parts = m.content.map((p, j) => partOf(p, `${field}.content[${j}]`, allowed));
  const out: ChatMessage = { role, content: parts.map((p) => (p.type === "text" ? p.text : "")).join("") };
  // Parts only when they say more than the text does.
  if (parts.some((p) => p.type !== "text")) out.parts = parts;
  return out;
}

/** The assistant message the next function call or reasoning belongs to: the last one, or a new one. */
function assistantTail(out: ChatMessage[], fresh: boolean): ChatMessage {
  const last = out.at(-1);
  if (!fresh && last?.role === "assistant") return last;
  const m: ChatMessage = { role: "assistant", content: "" };
  out.push(m);
  return m;
}

/**
 * The input as messages, oldest first. Consecutive function calls (and the message or reasoning
 * before them) make one assistant message, as one model turn asked for them; a reasoning item
 * starts the assistant turn it belongs to.
 */
export function inputOf(input: string | readonly unknown[]): ChatMessage[] {
  if (typeof input === "string") return [{ role: "user", content: input }];
  const out: ChatMessage[] = [];
  // Whether the last message may still take function calls (the model's turn is not over).
  let open = false;
  input.forEach((raw, i) => {
    const field = `input[${i}]`;
    const type = typeof raw === "object" && raw !== null ? ((raw as { type?: unknown }).type ?? "message") : undefined;
    if (typeof type !== "string" || !Object.hasOwn(itemSchemas, type))
      throw invalidRequest(
        `${field}.type`,
        `${typeof type === "string" ? echo(type) : "an item that is not an object"} is not carried; send message, function_call, function_call_output, reasoning or compaction items`,
      );
    const parsed = itemSchemas[type as keyof typeof itemSchemas].safeParse(raw);
    if (!parsed.success) throw refusal(parsed.error.issues, field);
    const item = parsed.data;
    switch (item.type) {
      case "function_call": {
        const m = assistantTail(out, !open);
        const name = item.namespace ? namespacedName(item.namespace, item.name) : item.name;
        (m.toolCalls ??= []).push({ id: item.call_id, name, argumentsJson: item.arguments });
        open = true;
        return;
      }
      case "function_call_output": {
        const tool: ChatMessage = { role: "tool", content: "", toolCallId: item.call_id };
        if (typeof item.output === "string") tool.content = item.output;
        else {
          const parts = item.output.map((p, j) => partOf(p, `${field}.output[${j}]`, USER_PARTS));
          tool.content = parts.map((p) => (p.type === "text" ? p.text : "")).join("");
          // Parts only when they say more than the text does; the provider says whether it takes them.
          if (parts.some((p) => p.type !== "text")) tool.parts = parts;
        }
        out.push(tool);
        open = false;
        return;
      }
      case "compaction":
        out.push(compactedMessage(item.encrypted_content, field));
        open = false;
        return;
      case "compaction_trigger":
        throw invalidRequest(`${field}.type`, "compaction_trigger must be the last input item");
      case "reasoning": {
        const text = (item.content?.length ? item.content : item.summary).map((p) => p.text).join("\n\n");
        const m = assistantTail(out, true);
        if (text) m.reasoning = text;
        // The signature of a provider's reasoning (Anthropic), as this face returned it.
        if (item.encrypted_content) m.reasoningSignature = item.encrypted_content;
        open = true;
        return;
      }
      default: {
        const m = messageOf(item, field);
        const last = out.at(-1);
        // An assistant's text after its own reasoning is the same turn.
        if (m.role === "assistant" && open && last?.role === "assistant" && !last.content && !last.toolCalls) {
          last.content = m.content;
          if (m.parts) last.parts = m.parts;
        } else out.push(m);
        open = m.role === "assistant";
      }
    }
  });
  return out;
}
