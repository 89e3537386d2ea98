import { ChatOpenAI, OpenAIEmbeddings } from "@langchain/openai";
import { ChatAnthropic } from "@langchain/anthropic";
import { HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { assert, KEY, LIMITED, run, startGateway, thinkingEvents as anthropicThinking } from "./common.mjs";

/*
 * LangChain JS against the gateway: @langchain/openai's ChatOpenAI on chat completions and with
 * useResponsesApi, OpenAIEmbeddings, and @langchain/anthropic's ChatAnthropic; invoke, stream, tool
 * round trips, withStructuredOutput, thinking, and errors with the SDKs' statuses.
 * Usage: node langchain.mjs <project dir> [name filter]
 */

const [root, only] = process.argv.slice(2);
const gateway = await startGateway(root);
const { h, enqueue, last } = gateway;
const base = `${h.httpUrl}/v1`;

async function expectStatus(fn, status) {
  try {
    await fn();
  } catch (e) {
    assert(e?.status === status, `status ${status}, got ${e?.constructor?.name} ${e?.status}: ${e?.message}`);
    return e;
  }
  throw new Error(`expected a ${status} error, got an answer`);
}

const weather = tool(async ({ city }) => `sunny in ${city}`, {
  name: "weather",
  description: "The weather in a city",
  schema: z.object({ city: z.string() }),
});

const makers = {
  "openai chat": (model, key = KEY) => new ChatOpenAI({ model, apiKey: key, configuration: { baseURL: base }, maxRetries: 0 }),
  "openai responses": (model, key = KEY) =>
    new ChatOpenAI({ model, apiKey: key, configuration: { baseURL: base }, maxRetries: 0, useResponsesApi: true }),
  anthropic: (model, key = KEY) => new ChatAnthropic({ model, apiKey: key, anthropicApiUrl: h.httpUrl, maxRetries: 0, maxTokens: 1024 }),
};
const modelFor = { "openai chat": "gpt-test", "openai responses": "gpt-test", anthropic: "claude-test" };

const checks = {};
for (const [face, make] of Object.entries(makers)) {
  const chat = () => make(modelFor[face]);
  checks[`${face}: invoke`] = async () => {
    enqueue({ text: "Paris." });
    const r = await chat().invoke([new SystemMessage("Be brief."), new HumanMessage("Capital of France?")]);
    assert(r.text === "Paris.", `text, got ${JSON.stringify(r.content)}`);
    assert(r.usage_metadata?.input_tokens > 0 && r.usage_metadata?.output_tokens > 0, `usage, got ${JSON.stringify(r.usage_metadata)}`);
    assert(JSON.stringify(last().body).includes("Be brief."), "system reached upstream");
  };
  checks[`${face}: stream`] = async () => {
    enqueue({ text: "one two three" });
    let text = "";
    let chunks = 0;
    let full;
    for await (const c of await chat().stream("Count")) {
      chunks++;
      text += c.text;
      full = full ? full.concat(c) : c;
    }
    assert(text === "one two three", `streamed text, got ${JSON.stringify(text)}`);
    assert(chunks > 1, `chunks, got ${chunks}`);
    assert(full.usage_metadata?.output_tokens > 0, `usage on the stream, got ${JSON.stringify(full.usage_metadata)}`);
  };
  checks[`${face}: tool round trip`] = async () => {
    enqueue({ toolCalls: [{ id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' }] }, { text: "Sunny in Oslo." });
    const model = chat().bindTools([weather]);
    const messages = [new HumanMessage("Weather in Oslo?")];
    const ai = await model.invoke(messages);
    assert(ai.tool_calls?.[0]?.args?.city === "Oslo", `tool call, got ${JSON.stringify(ai.tool_calls)}`);
    messages.push(ai, new ToolMessage({ tool_call_id: ai.tool_calls[0].id, content: await weather.invoke(ai.tool_calls[0].args) }));
    const final = await model.invoke(messages);
    assert(final.text === "Sunny in Oslo.", `final, got ${JSON.stringify(final.content)}`);
    assert(JSON.stringify(last().body).includes("sunny in Oslo"), "tool result upstream");
  };
  checks[`${face}: streamed tool call`] = async () => {
    enqueue({ toolCalls: [{ id: "call_2", name: "weather", arguments: '{"city":"Rome"}' }] });
    let full;
    for await (const c of await chat().bindTools([weather]).stream("Weather in Rome?")) full = full ? full.concat(c) : c;
    assert(full.tool_calls?.[0]?.args?.city === "Rome", `tool call, got ${JSON.stringify(full.tool_calls)}`);
  };
  checks[`${face}: withStructuredOutput`] = async () => {
    const schema = z.object({ name: z.string(), age: z.number() });
    enqueue(
      face === "anthropic"
        ? { toolCalls: [{ id: "call_s", name: "extract", arguments: '{"name":"Ada","age":36}' }] }
        : { text: '{"name":"Ada","age":36}' },
    );
    const r = await chat().withStructuredOutput(schema, { name: "extract" }).invoke("A person");
    assert(r.name === "Ada" && r.age === 36, `object, got ${JSON.stringify(r)}`);
  };
  checks[`${face}: 401`] = async () => {
    await expectStatus(() => make(modelFor[face], "wrong").invoke("x"), 401);
  };
  checks[`${face}: 404 model`] = async () => {
    await expectStatus(() => make("no-such-model").invoke("x"), 404);
  };
  checks[`${face}: 429`] = async () => {
    await make(modelFor[face], LIMITED)
      .invoke("x")
      .catch(() => {});
    await expectStatus(() => make(modelFor[face], LIMITED).invoke("x"), 429);
  };
}

const embeddings = (model = "embed-small", key = KEY) =>
  new OpenAIEmbeddings({ model, apiKey: key, configuration: { baseURL: base }, maxRetries: 0 });
checks["embedQuery"] = async () => {
  const v = await embeddings().embedQuery("sunny day");
  assert(v.length === 256, `256 dims, got ${v.length}`);
};
checks["embedDocuments"] = async () => {
  const v = await embeddings().embedDocuments(["a b", "c d e", "f"]);
  assert(v.length === 3 && v.every((x) => x.length === 256), "3 vectors");
};
checks["embeddings with dimensions"] = async () => {
  const v = await new OpenAIEmbeddings({ model: "embed-small", dimensions: 64, apiKey: KEY, configuration: { baseURL: base } }).embedQuery(
    "x",
  );
  assert(v.length === 64, `64 dims, got ${v.length}`);
};
checks["embeddings 404"] = async () => {
  await expectStatus(() => embeddings("nope").embedQuery("x"), 404);
};
checks["embeddings 401"] = async () => {
  await expectStatus(() => embeddings("embed-small", "wrong").embedQuery("x"), 401);
};

const thinkingEvents = anthropicThinking("Oslo is in Norway.", "sig-1", "Norway.");
checks["anthropic: thinking, sent back signed"] = async () => {
  const model = new ChatAnthropic({
    model: "claude-test",
    apiKey: KEY,
    anthropicApiUrl: h.httpUrl,
    maxRetries: 0,
    maxTokens: 2048,
    thinking: { type: "enabled", budget_tokens: 1024 },
  });
  enqueue({ rawEvents: thinkingEvents });
  const ai = await model.invoke("Where is Oslo?");
  const blocks = ai.content;
  assert(
    Array.isArray(blocks) && blocks[0]?.type === "thinking" && blocks[0].thinking === "Oslo is in Norway.",
    `thinking block, got ${JSON.stringify(blocks)}`,
  );
  enqueue({ text: "Yes." });
  await model.invoke([new HumanMessage("Where is Oslo?"), ai, new HumanMessage("Sure?")]);
  assert(JSON.stringify(last().body).includes('"signature":"sig-1"'), `signature upstream: ${JSON.stringify(last().body)}`);
};
checks["anthropic: streamed thinking"] = async () => {
  const model = new ChatAnthropic({
    model: "claude-test",
    apiKey: KEY,
    anthropicApiUrl: h.httpUrl,
    maxRetries: 0,
    maxTokens: 2048,
    thinking: { type: "enabled", budget_tokens: 1024 },
  });
  enqueue({ rawEvents: thinkingEvents });
  let full;
  for await (const c of await model.stream("Where is Oslo?")) full = full ? full.concat(c) : c;
  assert(full.text === "Norway.", `text, got ${JSON.stringify(full.content)}`);
  assert(JSON.stringify(full.content).includes("Oslo is in Norway."), `thinking, got ${JSON.stringify(full.content)}`);
};
for (const method of ["functionCalling", "jsonMode"]) {
  for (const face of ["openai chat", "openai responses"]) {
    checks[`${face}: withStructuredOutput ${method}`] = async () => {
      const schema = z.object({ name: z.string(), age: z.number() });
      enqueue(
        method === "functionCalling"
          ? { toolCalls: [{ id: "c", name: "extract", arguments: '{"name":"Ada","age":36}' }] }
          : { text: '{"name":"Ada","age":36}' },
      );
      const r = await makers[face]("gpt-test").withStructuredOutput(schema, { name: "extract", method }).invoke("A person, as JSON");
      assert(r.name === "Ada" && r.age === 36, `object, got ${JSON.stringify(r)}`);
    };
  }
}
checks["openai responses: previous_response_id chain"] = async () => {
  enqueue({ text: "First." }, { text: "Second." });
  const model = makers["openai responses"]("gpt-test");
  const a = await model.invoke("One");
  const id = a.response_metadata?.id ?? a.id;
  await model.invoke("Two", { previous_response_id: id });
  const sent = JSON.stringify(last().body);
  assert(sent.includes("First.") && sent.includes("One"), `history upstream (${id}): ${sent}`);
};
checks["openai chat: streamEvents"] = async () => {
  enqueue({ text: "a b c" });
  let n = 0;
  for await (const e of makers["openai chat"]("gpt-test").streamEvents("x", { version: "v2" })) if (e.event === "on_chat_model_stream") n++;
  assert(n > 1, `stream events, got ${n}`);
};

checks["openai responses: a reasoning model's tool round trip, thinking sent back"] = async () => {
  const thinking = anthropicThinking("Check the weather.", "sig-r", "Looking.");
  const withCall = [
    ...thinking.slice(0, 8),
    {
      event: "content_block_start",
      data: { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "toolu_r", name: "weather", input: {} } },
    },
    {
      event: "content_block_delta",
      data: { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"city":"Oslo"}' } },
    },
    { event: "content_block_stop", data: { type: "content_block_stop", index: 2 } },
    {
      event: "message_delta",
      data: { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 9 } },
    },
    { event: "message_stop", data: { type: "message_stop" } },
  ];
  enqueue({ rawEvents: withCall }, { text: "Sunny in Oslo." });
  const model = new ChatOpenAI({
    model: "gpt-5-mini",
    apiKey: KEY,
    configuration: { baseURL: base },
    maxRetries: 0,
    useResponsesApi: true,
    reasoning: { effort: "low", summary: "auto" },
  }).bindTools([weather]);
  const messages = [new HumanMessage("Weather in Oslo?")];
  const ai = await model.invoke(messages);
  assert(ai.tool_calls?.[0]?.args?.city === "Oslo", `tool call, got ${JSON.stringify(ai.tool_calls)}`);
  messages.push(ai, new ToolMessage({ tool_call_id: ai.tool_calls[0].id, content: await weather.invoke(ai.tool_calls[0].args) }));
  const final = await model.invoke(messages);
  assert(final.text === "Sunny in Oslo.", `final, got ${JSON.stringify(final.content)}`);
  const sent = JSON.stringify(last().body);
  assert(sent.includes("Check the weather.") && sent.includes("sunny in Oslo"), `thinking and the result upstream: ${sent}`);
};

checks["anthropic: thinking and a streamed tool call, sent back signed"] = async () => {
  const thinking = anthropicThinking("Check the weather.", "sig-t", "Looking.");
  const withCall = [
    ...thinking.slice(0, 8),
    {
      event: "content_block_start",
      data: { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "toolu_t", name: "weather", input: {} } },
    },
    {
      event: "content_block_delta",
      data: { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"city":"Oslo"}' } },
    },
    { event: "content_block_stop", data: { type: "content_block_stop", index: 2 } },
    {
      event: "message_delta",
      data: { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 9 } },
    },
    { event: "message_stop", data: { type: "message_stop" } },
  ];
  enqueue({ rawEvents: withCall }, { text: "Sunny in Oslo." });
  const model = new ChatAnthropic({
    model: "claude-test",
    apiKey: KEY,
    anthropicApiUrl: h.httpUrl,
    maxRetries: 0,
    maxTokens: 2048,
    thinking: { type: "enabled", budget_tokens: 1024 },
  }).bindTools([weather]);
  const messages = [new HumanMessage("Weather in Oslo?")];
  let ai;
  for await (const c of await model.stream(messages)) ai = ai ? ai.concat(c) : c;
  assert(ai.tool_calls?.[0]?.args?.city === "Oslo", `tool call, got ${JSON.stringify(ai.tool_calls)}`);
  messages.push(ai, new ToolMessage({ tool_call_id: ai.tool_calls[0].id, content: await weather.invoke(ai.tool_calls[0].args) }));
  const final = await model.invoke(messages);
  assert(final.text === "Sunny in Oslo.", `final, got ${JSON.stringify(final.content)}`);
  const sent = JSON.stringify(last().body);
  assert(sent.includes('"signature":"sig-t"') && sent.includes("sunny in Oslo"), `signed thinking and the result upstream: ${sent}`);
};

await run(gateway, checks, only);
