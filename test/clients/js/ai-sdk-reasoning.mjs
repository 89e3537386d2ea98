import { generateText, stepCountIs, streamText } from "ai";
import { assert, thinkingEvents as anthropicThinking } from "./common.mjs";

/*
 * The AI SDK checks of reasoning (Anthropic thinking sent back signed; a model name the SDK takes for
 * an OpenAI reasoning model, answered by Claude) and of round trips beyond the plain ones (store:
 * false, previous_response_id, parallel calls). Part of ai-sdk.mjs, which gives the clients.
 */
export function reasoningAndRoundTrips({ h, openai, anthropic, enqueue, last, weather }) {
  const checks = {};
  const thinkingEvents = anthropicThinking("Oslo is in Norway.", "sig-1", "Norway.");
  const thinkingOptions = { anthropic: { thinking: { type: "enabled", budgetTokens: 1024 } } };
  checks["anthropic: reasoning (generateText), sent back signed"] = async () => {
    // The gateway asks Anthropic with a stream even for a unary call: the answer is scripted as events.
    enqueue({ rawEvents: thinkingEvents });
    const r = await generateText({
      model: anthropic("claude-test"),
      prompt: "Where is Oslo?",
      maxOutputTokens: 2048,
      providerOptions: thinkingOptions,
      maxRetries: 0,
    });
    assert(r.reasoningText === "Oslo is in Norway.", `reasoning, got ${JSON.stringify(r.reasoningText)}`);
    assert(r.text === "Norway.", `text, got ${r.text}`);
    assert(JSON.stringify(last().body).includes('"budget_tokens":1024'), `thinking upstream: ${JSON.stringify(last().body)}`);
    enqueue({ text: "Yes." });
    await generateText({
      model: anthropic("claude-test"),
      messages: [{ role: "user", content: "Where is Oslo?" }, ...r.response.messages, { role: "user", content: "Sure?" }],
      maxOutputTokens: 2048,
      providerOptions: thinkingOptions,
      maxRetries: 0,
    });
    const sent = JSON.stringify(last().body);
    assert(sent.includes('"signature":"sig-1"'), `the signed thinking went back upstream: ${sent}`);
  };
  checks["anthropic: reasoning (streamText)"] = async () => {
    enqueue({ rawEvents: thinkingEvents });
    const r = streamText({
      model: anthropic("claude-test"),
      prompt: "Where is Oslo?",
      maxOutputTokens: 2048,
      providerOptions: thinkingOptions,
      maxRetries: 0,
    });
    let reasoning = "";
    for await (const p of r.fullStream) {
      if (p.type === "reasoning-delta") reasoning += p.text;
      if (p.type === "error") throw new Error(`error part: ${p.error?.message ?? JSON.stringify(p.error)}`);
    }
    assert(reasoning === "Oslo is in Norway.", `reasoning, got ${JSON.stringify(reasoning)}`);
    assert((await r.text) === "Norway.", `text, got ${await r.text}`);
  };
  checks["responses: store false round trip (items sent whole)"] = async () => {
    enqueue({ toolCalls: [{ id: "call_9", name: "weather", arguments: '{"city":"Oslo"}' }] }, { text: "Sunny." });
    const r = await generateText({
      model: openai("gpt-test"),
      prompt: "Weather in Oslo?",
      tools: { weather },
      stopWhen: stepCountIs(3),
      providerOptions: { openai: { store: false } },
      maxRetries: 0,
    });
    assert(r.text === "Sunny.", `final text, got ${r.text}`);
  };
  checks["responses: previous_response_id"] = async () => {
    enqueue({ text: "First." }, { text: "Second." });
    const a = await generateText({ model: openai("gpt-test"), prompt: "One", maxRetries: 0 });
    const b = await generateText({
      model: openai("gpt-test"),
      prompt: "Two",
      providerOptions: { openai: { previousResponseId: a.providerMetadata?.openai?.responseId } },
      maxRetries: 0,
    });
    assert(b.text === "Second.", `text, got ${b.text}`);
    const sent = JSON.stringify(last().body);
    assert(sent.includes("First.") && sent.includes("One"), `history upstream: ${sent}`);
  };
  for (const [face, make] of [
    ["responses", (m) => openai(m)],
    ["chat", (m) => openai.chat(m)],
  ]) {
    checks[`${face}: two parallel tool calls, toolChoice required`] = async () => {
      enqueue(
        {
          toolCalls: [
            { id: "c1", name: "weather", arguments: '{"city":"Oslo"}' },
            { id: "c2", name: "weather", arguments: '{"city":"Rome"}' },
          ],
        },
        { text: "Both sunny." },
      );
      const r = await generateText({
        model: make("gpt-test"),
        prompt: "Oslo and Rome?",
        tools: { weather },
        toolChoice: "required",
        stopWhen: stepCountIs(2),
        prepareStep: ({ stepNumber }) => (stepNumber > 0 ? { toolChoice: "auto" } : {}),
        maxRetries: 0,
      });
      assert(r.steps[0].toolResults.length === 2, `two results, got ${JSON.stringify(r.steps[0].toolResults)}`);
      const sent = JSON.stringify(h.upstream.requests.at(-2).body);
      assert(sent.includes('"tool_choice":"required"'), `tool_choice upstream: ${sent}`);
      assert(JSON.stringify(last().body).includes("sunny in Rome"), "both results upstream");
    };
  }

  checks["responses: a reasoning model's tool round trip, its reasoning sent back by reference"] = async () => {
    const thinking = anthropicThinking("Check the weather.", "sig-r", "Looking.");
    // The same answer with a tool call after its text: thinking, text, tool_use.
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
    const r = await generateText({
      model: openai("gpt-5-mini"),
      prompt: "Weather in Oslo?",
      tools: { weather },
      stopWhen: stepCountIs(3),
      providerOptions: { openai: { reasoningEffort: "low", reasoningSummary: "auto" } },
      maxRetries: 0,
    });
    assert(r.text === "Sunny in Oslo.", `final text, got ${r.text}`);
    assert(r.steps[0].reasoningText === "Check the weather.", `reasoning, got ${JSON.stringify(r.steps[0].reasoningText)}`);
    const sent = JSON.stringify(last().body);
    assert(sent.includes('"signature":"sig-r"') && sent.includes("sunny in Oslo"), `signed thinking and the result upstream: ${sent}`);
  };

  checks["responses: a reasoning model's streamed summary"] = async () => {
    enqueue({ rawEvents: anthropicThinking("Oslo is in Norway.", "sig-s", "Norway.") });
    const r = streamText({
      model: openai("gpt-5-mini"),
      prompt: "Where is Oslo?",
      providerOptions: { openai: { reasoningEffort: "low", reasoningSummary: "auto" } },
      maxRetries: 0,
    });
    let reasoning = "";
    for await (const p of r.fullStream) {
      if (p.type === "reasoning-delta") reasoning += p.text;
      if (p.type === "error") throw new Error(`error part: ${p.error?.message ?? JSON.stringify(p.error)}`);
    }
    assert(reasoning === "Oslo is in Norway.", `reasoning, got ${JSON.stringify(reasoning)}`);
    assert((await r.text) === "Norway.", `text, got ${await r.text}`);
  };
  checks["chat: a reasoning model's options"] = async () => {
    enqueue({ text: "ok" });
    const r = await generateText({
      model: openai.chat("gpt-5-mini"),
      prompt: "x",
      maxOutputTokens: 2000,
      providerOptions: { openai: { reasoningEffort: "low" } },
      maxRetries: 0,
    });
    assert(r.text === "ok", `text, got ${r.text}`);
    assert(JSON.stringify(last().body).includes('"budget_tokens"'), `thinking upstream: ${JSON.stringify(last().body)}`);
  };
  return checks;
}
