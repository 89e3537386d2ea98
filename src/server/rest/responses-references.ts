import type { Tenant } from "../../auth/tenants.js";
import { echo, GatewayError, invalidRequest } from "../../core/errors.js";
import { conversationItems } from "./responses-items.js";
import { MAX_INPUT_ITEMS } from "./responses-request.js";
import type { ResponsesStore } from "./responses-store.js";

/*
 * item_reference input items: an earlier item named by its id instead of sent again. The AI SDK
 * (@ai-sdk/openai, whose default model is the Responses API) stores by default and sends each
 * earlier answer's message and reasoning back this way, so a tool round trip depends on it.
 * Every item id the gateway gives carries its response's id (responses-object.ts for output
 * items, responses-items.ts for input_items), so one stored response answers each reference. The
 * same store gives a reasoning item of ours sent back whole (LangChain JS) its signature.
 */

// kind_<48 hex> for an output item, with _c<n> for a call; kind_<48 hex>_<n>[_<n>] for a listed input item.
const ITEM_ID = /^[a-z]+_([0-9a-f]{48})(_c?\d+(?:_\d+)?)?$/;

interface Reference {
  type: "item_reference";
  id: string;
}

const isReference = (x: unknown): x is { type: "item_reference"; id?: unknown } =>
  typeof x === "object" && x !== null && (x as { type?: unknown }).type === "item_reference";

/** The same answer for an id that was never given, expired, deleted or is another tenant's. */
const notFound = (id: string, field: string) =>
  new GatewayError("NOT_FOUND", `Item with id ${echo(id)} not found.`, { metadata: { field } });

/** Gives `item` for a NOT_FOUND; throws anything else (a store that failed fails the call). */
const unlessNotFound = (item: Record<string, unknown>) => (err: unknown) => {
  if (err instanceof GatewayError && err.reason === "NOT_FOUND") return item;
  throw err;
};

/** A reasoning item sent back whole, with an id of ours, but without its signature (LangChain JS does so). */
const isUnsigned = (x: unknown): x is Record<string, unknown> & { id: string } =>
  typeof x === "object" &&
  x !== null &&
  (x as { type?: unknown }).type === "reasoning" &&
  typeof (x as { id?: unknown }).id === "string" &&
  (x as { encrypted_content?: unknown }).encrypted_content === undefined;

/**
 * The request body with each item_reference of its input replaced by the item it names, read from
 * the tenant's stored responses (each response read once), and each reasoning item of ours given
 * back the signature it was stored with; a body with neither as it came.
 */
export async function resolveReferences(
  body: Record<string, unknown>,
  tenant: Tenant,
  store: ResponsesStore,
): Promise<Record<string, unknown>> {
  const input = body["input"];
  if (!Array.isArray(input) || !input.some((x) => isReference(x) || isUnsigned(x))) return body;
  // The schema's bound, checked before any store is read: each item may cost a read.
  if (input.length > MAX_INPUT_ITEMS) throw invalidRequest("input", `at most ${MAX_INPUT_ITEMS} items`);
  const items = new Map<string, Promise<object[]>>();
  const signatures = new Map<string, Promise<string | undefined>>();
  // Output items first; a response's input items (as GET input_items lists them) only when asked for one.
  const itemsOf = (responseId: string, listed: boolean, field: string) => {
    const key = `${listed ? "in" : "out"}:${responseId}`;
    let found = items.get(key);
    if (!found) {
      found = listed
        ? store.input(tenant, responseId).then((messages) => conversationItems(responseId, messages))
        : store.get(tenant, responseId, field).then(({ response }) => (Array.isArray(response["output"]) ? response["output"] : []));
      items.set(key, found);
    }
    return found;
  };
  /**
   * A reasoning item as OpenAI keeps it: whole. The stored output shows the signature of an Anthropic
   * answer's thinking only to a caller that asked for reasoning.encrypted_content; the stored answer
   * holds it all the same, and without it the thinking could not go back to Anthropic.
   */
  const withSignature = async (item: Record<string, unknown>, responseId: string) => {
    if (item["type"] !== "reasoning" || item["encrypted_content"] !== undefined) return item;
    // One read per response, however many of its items the input names.
    let read = signatures.get(responseId);
    if (!read) {
      read = store.conversation(tenant, responseId).then((m) => m.at(-1)?.reasoningSignature);
      signatures.set(responseId, read);
    }
    const signature = await read;
    return signature ? { ...item, encrypted_content: signature } : item;
  };
  const resolved: unknown[] = [];
  for (const [i, item] of input.entries()) {
    if (isUnsigned(item)) {
      const match = ITEM_ID.exec(item.id);
      // Not one of ours, or its response is gone (or was never stored): the item goes on as it came.
      const signed = match && match[2] === undefined ? await withSignature(item, `resp_${match[1]}`).catch(unlessNotFound(item)) : item;
      resolved.push(signed);
      continue;
    }
    if (!isReference(item)) {
      resolved.push(item);
      continue;
    }
    const field = `input[${i}].id`;
    if (typeof item.id !== "string" || item.id === "") throw invalidRequest(field, "must be the id of an item");
    const { id } = item as Reference;
    const match = ITEM_ID.exec(id);
    if (!match) throw notFound(id, field);
    const listed = match[2] !== undefined && !match[2].startsWith("_c");
    let candidates: object[];
    try {
      candidates = await itemsOf(`resp_${match[1]}`, listed, field);
    } catch (err) {
      // The response is unknown to this tenant: so is its item, in the item's words.
      if (err instanceof GatewayError && err.reason === "NOT_FOUND") throw notFound(id, field);
      throw err;
    }
    const found = candidates.find((x) => (x as { id?: unknown }).id === id) as Record<string, unknown> | undefined;
    if (!found) throw notFound(id, field);
    resolved.push(listed ? found : await withSignature(found, `resp_${match[1]}`));
  }
  return { ...body, input: resolved };
}
