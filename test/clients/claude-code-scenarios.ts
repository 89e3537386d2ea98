import type { FakeBehaviour } from "../support/fake-upstream.js";

/*
 * What Claude Code is asked to do against the gateway, and what the fake upstream answers, shared by
 * the live run (claude-code.live.ts, the real CLI) and the replay of its recorded requests
 * (test/e2e/claude-code-replay.test.ts, in CI without the CLI).
 */

/** The gateway key the CLI is given (ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN). */
export const CLAUDE_CODE_KEY = "gw-key-claude-code";

/** The file the tool round trip reads, in the CLI's working directory, and what it holds. */
export const HELLO_FILE = "hello.txt";
export const HELLO_TEXT = "The secret word is pelican.\n";

/** A Read call and nothing else, its input streamed slowly: 4 s between events, 28 s in all. */
function slowRead(path: string): FakeBehaviour {
  const input = JSON.stringify({ file_path: path });
  return {
    chunkDelayMs: 4_000,
    rawEvents: [
      ev("message_start", {
        message: {
          id: "msg_up_2",
          type: "message",
          role: "assistant",
          model: "claude-opus-4-8",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 40, output_tokens: 1 },
        },
      }),
      ev("content_block_start", { index: 0, content_block: { type: "tool_use", id: READ_ID, name: "Read", input: {} } }),
      ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: input.slice(0, 10) } }),
      ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: input.slice(10) } }),
      ev("content_block_stop", { index: 0 }),
      ev("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 30 } }),
      ev("message_stop", {}),
    ],
  };
}

/** The id of the Read call the upstream asks for. */
export const READ_ID = "toolu_01ReadHelloFile";

const caps = { tools: true, vision: true, jsonMode: true, documents: true, reasoning: true };

/**
 * The models Claude Code asks for, as catalogue entries: its default (Opus, which it asks with the
 * context-1m beta) and Haiku (`--model haiku`) on an Anthropic deployment, Sonnet on an OpenAI-format one.
 */
export const CLAUDE_CODE_MODELS: Record<string, unknown>[] = [
  {
    name: "claude-opus-4-8",
    provider: "fake-anthropic",
    aliases: ["claude-opus-5-5"],
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    capabilities: caps,
  },
  {
    // A small window: Claude Code's prompt for Haiku (about 8,000 tokens) and its max_tokens (32,000) do not fit.
    name: "claude-haiku-4-5-20251001",
    provider: "fake-anthropic",
    aliases: ["claude-haiku-4-5", "claude-haiku-5-5"],
    contextWindow: 20_000,
    maxOutputTokens: 32_000,
    capabilities: caps,
  },
  {
    name: "claude-sonnet-4-6",
    // What `claude --model sonnet` asks for (2.1.197; 2.1.332 too).
    aliases: ["claude-sonnet-5", "claude-sonnet-5-5"],
    provider: "fake-openai",
    upstreamModel: "gpt-4o-mini",
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    capabilities: caps,
  },
];

const ev = (event: string, data: Record<string, unknown>) => ({ event, data: { type: event, ...data } });

/** A Messages stream as Anthropic sends it for adaptive thinking: a signed thinking block, text, then a tool call. */
function thinkingThenRead(path: string): FakeBehaviour {
  return {
    rawEvents: [
      ev("message_start", {
        message: {
          id: "msg_up_1",
          type: "message",
          role: "assistant",
          model: "claude-opus-4-8",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 40, output_tokens: 1, cache_creation_input_tokens: 3000, cache_read_input_tokens: 0 },
        },
      }),
      ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
      ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "The user wants the file. " } }),
      ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "I will read it." } }),
      ev("content_block_delta", { index: 0, delta: { type: "signature_delta", signature: "EqQBCkYIBxgCKkDsig==" } }),
      ev("content_block_stop", { index: 0 }),
      ev("content_block_start", { index: 1, content_block: { type: "text", text: "" } }),
      ev("content_block_delta", { index: 1, delta: { type: "text_delta", text: "Reading the file." } }),
      ev("content_block_stop", { index: 1 }),
      ev("content_block_start", { index: 2, content_block: { type: "tool_use", id: READ_ID, name: "Read", input: {} } }),
      ev("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: '{"file_path":' } }),
      ev("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: JSON.stringify(path).concat("}") } }),
      ev("content_block_stop", { index: 2 }),
      ev("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 30 } }),
      ev("message_stop", {}),
    ],
  };
}

/** One run of the CLI: its arguments, its environment beyond the gateway's address, and the upstream's answers. */
export interface Scenario {
  name: string;
  args: string[];
  /** Send the key as ANTHROPIC_AUTH_TOKEN (Authorization: Bearer) rather than ANTHROPIC_API_KEY (x-api-key). */
  bearer?: boolean;
  /** The upstream's answers, in order, given the absolute path of the file the tool reads. */
  upstream(file: string): FakeBehaviour[];
  /** What the CLI must print. */
  expect: RegExp;
  /** The pings the gateway must have sent in the answer (a quiet upstream), when more than its first. */
  pings?: number;
}

export const SCENARIOS: Scenario[] = [
  {
    name: "one-shot",
    args: ["-p", "Say hi"],
    upstream: () => [{ text: "Hi from the gateway." }],
    expect: /^Hi from the gateway\.\n$/,
  },
  {
    name: "stream-json",
    args: ["-p", "Count to three", "--output-format", "stream-json", "--verbose", "--include-partial-messages"],
    bearer: true,
    upstream: () => [{ text: "One, two, three." }],
    expect: /"type":"text_delta","text":"three\."/,
  },
  {
    // Haiku's window (20,000 here) cannot hold the prompt and the 32,000 tokens Claude Code asks: the
    // gateway says so in Anthropic's words, and the CLI asks again with a max_tokens that fits.
    name: "small-window",
    args: ["-p", "Say hi briefly", "--model", "haiku"],
    upstream: () => [{ text: "Hi, within the window." }],
    expect: /^Hi, within the window\.\n$/,
  },
  {
    // The model writes a tool call slowly and says nothing else (a long Write, in life): the gateway,
    // which sends a tool call whole at its end, begins the stream and pings every 10 quiet seconds
    // until it comes, and the CLI takes the answer.
    name: "slow-tool-call",
    args: ["-p", `What does ${HELLO_FILE} say?`, "--allowedTools", "Read"],
    upstream: (file) => [slowRead(file), { text: "It says pelican." }],
    expect: /^It says pelican\.\n$/,
    pings: 2,
  },
  {
    name: "tool-round-trip",
    args: ["-p", `What does ${HELLO_FILE} say?`, "--allowedTools", "Read"],
    upstream: (file) => [thinkingThenRead(file), { text: "It says pelican." }],
    expect: /^It says pelican\.\n$/,
  },
  {
    name: "tool-round-trip-openai",
    args: ["-p", `What does ${HELLO_FILE} say?`, "--model", "claude-sonnet-4-6", "--allowedTools", "Read"],
    upstream: (file) => [
      { text: "Reading the file.", toolCalls: [{ id: READ_ID, name: "Read", arguments: JSON.stringify({ file_path: file }) }] },
      { text: "It says pelican." },
    ],
    expect: /^It says pelican\.\n$/,
  },
];
