import { ConnectError, createClient } from "@connectrpc/connect";
import type { Transport } from "@connectrpc/connect";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { type Completion, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";

/*
 * Clients that drop a stream part-way and re-attach to it, for the resumable-stream tests: a raw SSE
 * reader for the REST face (the openai SDK hides event ids) and a Connect client for gRPC.
 */

/** What a reader received before it stopped: the text, the last event id, the token, the completion if it came. */
export interface Received {
  text: string;
  lastId: string | undefined;
  token: string | undefined;
  done: boolean;
  completion?: Completion;
  usage?: unknown;
}

/**
 * POSTs a streamed chat completion and reads its SSE events until `stopAfter` text chunks (then drops
 * the connection) or the end. Last-Event-ID, when given, re-attaches instead.
 */
export async function readSse(
  url: string,
  body: object,
  options: { stopAfter?: number; lastEventId?: string; headers?: Record<string, string> } = {},
): Promise<Received> {
  const abort = new AbortController();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.lastEventId ? { "last-event-id": options.lastEventId } : {}),
      ...options.headers,
    },
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  const out: Received = { text: "", lastId: undefined, token: res.headers.get("x-llm-gateway-resume-token") ?? undefined, done: false };
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let chunks = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return out;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of event.split("\n")) {
          if (line.startsWith("id: ")) out.lastId = line.slice(4);
          if (!line.startsWith("data: ")) continue;
          const data = line.slice(6);
          if (data === "[DONE]") {
            out.done = true;
            return out;
          }
          const chunk = JSON.parse(data) as { choices: { delta: { content?: string } }[]; usage?: unknown };
          const content = chunk.choices[0]?.delta.content;
          if (chunk.usage) out.usage = chunk.usage;
          if (content) {
            out.text += content;
            chunks++;
          }
        }
        if (options.stopAfter !== undefined && chunks >= options.stopAfter) {
          abort.abort();
          return out;
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** A gRPC request for `prompt`. */
export const ask = (prompt: string, model = "gpt-test") => ({ model, messages: [{ role: Role.USER, content: prompt }] });

/**
 * Streams over gRPC and reads until `stopAfter` deltas (then cancels) or the end; with a token, calls
 * ResumeStream after `lastEventId` instead.
 */
export async function readGrpc(
  transport: Transport,
  options: {
    prompt?: string;
    model?: string;
    stopAfter?: number;
    resume?: { token: string; lastEventId: bigint };
    headers?: Record<string, string>;
    /** Told of each delta received (the count so far): a test kills a replica from here. */
    onDelta?: (count: number) => void;
    /** The stream failing is what the test expects (its replica died): return what came before it. */
    expectFailure?: boolean;
  },
): Promise<Received & { error?: unknown }> {
  const client = createClient(CompletionService, transport);
  const abort = new AbortController();
  const out: Received & { error?: unknown } = { text: "", lastId: undefined, token: options.resume?.token, done: false };
  const callOptions = {
    signal: abort.signal,
    headers: options.headers ?? {},
    onHeader: (h: Headers) => {
      out.token ??= h.get("x-llm-gateway-resume-token") ?? undefined;
    },
  };
  const stream = options.resume
    ? client.resumeStream({ resumeToken: options.resume.token, lastEventId: options.resume.lastEventId }, callOptions)
    : client.streamComplete(ask(options.prompt ?? "Tell me.", options.model), callOptions);
  let deltas = 0;
  try {
    for await (const m of stream) {
      out.lastId = String(m.eventId);
      if (m.event.case === "delta") {
        out.text += m.event.value.text;
        deltas++;
        options.onDelta?.(deltas);
      }
      if (m.event.case === "completion") {
        out.completion = m.event.value;
        out.done = true;
      }
      if (options.stopAfter !== undefined && deltas >= options.stopAfter) {
        abort.abort();
        break;
      }
    }
  } catch (err) {
    if (options.expectFailure) out.error = err;
    else if (!(err instanceof ConnectError) || !abort.signal.aborted) throw err;
  }
  return out;
}
