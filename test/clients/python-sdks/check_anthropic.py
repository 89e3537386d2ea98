"""The official `anthropic` Python SDK against the gateway's Anthropic Messages face.

Run by scripts/try-python-sdks.sh: python check_anthropic.py <url> <key> <rate-limited key>.
Each check prints PASS or FAIL with what differed; the exit status is the number of failures.
"""

import sys

import anthropic

from checks import check, expect, failures, raises
from strict import conforms, raw_events, raw_json

url, key, tight_key = sys.argv[1:4]
client = anthropic.Anthropic(base_url=url, api_key=key, max_retries=0)
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
# Both an Anthropic deployment and an OpenAI-format one behind the same face.
MODELS = ["claude-test", "gpt-test"]


def ask(text):
    return [{"role": "user", "content": text}]


for model in MODELS:

    @check(f"messages.create, unary ({model})")
    def _():
        m = client.messages.create(model=model, max_tokens=100, messages=ask("Say hello"))
        expect(m.type == "message" and m.role == "assistant", f"a message, got {m.type} {m.role}")
        expect(m.content[0].type == "text", f"a text block, got {m.content}")
        expect(m.content[0].text.startswith("Hello from the fake upstream"), f"text, got {m.content[0].text!r}")
        expect(m.stop_reason == "end_turn", f"end_turn, got {m.stop_reason}")
        expect(m.usage.input_tokens > 0 and m.usage.output_tokens > 0, f"usage, got {m.usage}")

    @check(f"messages.stream(...) text_stream and get_final_message() ({model})")
    def _():
        with client.messages.stream(model=model, max_tokens=100, messages=ask("Say hello")) as stream:
            text = "".join(stream.text_stream)
            final = stream.get_final_message()
        expect(text.startswith("Hello from the fake upstream"), f"streamed text, got {text!r}")
        expect(final.content[0].text == text, "the final message holds the streamed text")
        expect(final.stop_reason == "end_turn", f"end_turn, got {final.stop_reason}")
        expect(final.usage.output_tokens > 0, f"usage, got {final.usage}")

    @check(f"messages.create(stream=True), raw events ({model})")
    def _():
        types = [e.type for e in client.messages.create(model=model, max_tokens=100, messages=ask("Hi"), stream=True)]
        expect(types[0] == "message_start" and types[-1] == "message_stop", f"start..stop, got {types}")
        expect("content_block_delta" in types and "message_delta" in types, f"deltas, got {types}")

    @check(f"tool use round trip, unary and streamed ({model})")
    def _():
        first = client.messages.create(model=model, max_tokens=100, messages=ask("[tool] Weather?"), tools=[WEATHER_TOOL])
        expect(first.stop_reason == "tool_use", f"tool_use, got {first.stop_reason}")
        uses = [b for b in first.content if b.type == "tool_use"]
        expect(len(uses) == 1 and uses[0].name == "get_weather", f"one get_weather, got {first.content}")
        expect(uses[0].input == {"city": "Paris"}, f"input, got {uses[0].input!r}")
        with client.messages.stream(
            model=model, max_tokens=100, messages=ask("[tool] Weather?"), tools=[WEATHER_TOOL]
        ) as stream:
            streamed = stream.get_final_message()
        s_uses = [b for b in streamed.content if b.type == "tool_use"]
        expect(len(s_uses) == 1 and s_uses[0].input == {"city": "Paris"}, f"streamed tool_use, got {streamed.content}")
        follow = ask("[tool] Weather?") + [
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": uses[0].id, "content": "sunny, 21C"}]},
        ]
        second = client.messages.create(model=model, max_tokens=100, messages=follow, tools=[WEATHER_TOOL])
        expect(second.content[0].text == "It is sunny in Paris.", f"answer after the tool, got {second.content}")

    @check(f"messages.count_tokens ({model})")
    def _():
        n = client.messages.count_tokens(model=model, messages=ask("How many tokens is this?"), tools=[WEATHER_TOOL])
        expect(n.input_tokens > 0, f"input_tokens, got {n}")


@check("beta tool_runner (threads by default: refused as thread_unsupported_request, then unthreaded), plain and streamed")
def _():
    from anthropic import beta_tool

    @beta_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"sunny in {city}, 21C"

    for model in MODELS:
        runner = client.beta.messages.tool_runner(model=model, max_tokens=200, tools=[get_weather], messages=ask("[tool] Weather?"))
        stops = [m.stop_reason for m in runner]
        expect(stops == ["tool_use", "end_turn"], f"{model}: tool_use then end_turn, got {stops}")
        runner = client.beta.messages.tool_runner(
            model=model, max_tokens=200, tools=[get_weather], messages=ask("[tool] Weather?"), stream=True
        )
        finals = [stream.get_final_message() for stream in runner]
        expect(finals[-1].content[0].text == "It is sunny in Paris.", f"{model}: streamed answer, got {finals[-1].content}")


@check("structured output: output_format json_schema (messages.parse with a pydantic model)")
def _():
    from pydantic import BaseModel

    class Weather(BaseModel):
        city: str
        temperature: int

    parse = getattr(client.messages, "parse", None) or client.beta.messages.parse
    m = parse(model="claude-test", max_tokens=100, messages=ask("[json] Weather?"), output_format=Weather)
    expect(m.parsed_output == Weather(city="Paris", temperature=21), f"parsed, got {m.parsed_output!r}")


@check("errors: 401 wrong key, 404 model, 429 limit, upstream 429 as 529 overloaded with retry-after")
def _():
    bad = anthropic.Anthropic(base_url=url, api_key="sk-wrong", max_retries=0)
    e = raises(anthropic.AuthenticationError, lambda: bad.messages.create(model="claude-test", max_tokens=5, messages=ask("x")))
    expect(e.status_code == 401, f"401, got {e.status_code}")
    e = raises(anthropic.NotFoundError, lambda: client.messages.create(model="no-such", max_tokens=5, messages=ask("x")))
    expect(e.status_code == 404 and e.body["error"]["type"] == "not_found_error", f"404 not_found_error, got {e.body}")
    tight = anthropic.Anthropic(base_url=url, api_key=tight_key, max_retries=0)
    try:
        tight.messages.create(model="claude-test", max_tokens=5, messages=ask("x"))  # the one request this minute
    except anthropic.RateLimitError:
        pass  # already spent by another client's checks
    e = raises(anthropic.RateLimitError, lambda: tight.messages.create(model="claude-test", max_tokens=5, messages=ask("x")))
    expect(e.status_code == 429 and e.response.headers.get("retry-after"), f"429 with retry-after, got {e.status_code}")
    # Every deployment refused: Anthropic's 529, which the SDK retries (with max_retries above 0).
    e = raises(
        anthropic.OverloadedError,
        lambda: client.messages.create(model="claude-test", max_tokens=5, messages=ask("[429] x")),
    )
    expect(e.response.headers.get("retry-after"), "retry-after")
    expect(e.body["error"]["type"] == "overloaded_error", f"overloaded_error, got {e.body}")


@check("models.list() and models.retrieve() in Anthropic's shape")
def _():
    listed = list(client.models.list())
    expect(any(m.id == "claude-test" for m in listed), f"claude-test listed, got {[m.id for m in listed]}")
    one = client.models.retrieve("claude-test")
    expect(one.type == "model" and one.display_name == "claude-test", f"type and display_name, got {one}")
    expect(one.created_at is not None, "created_at")


@check("a thread asked for directly is refused with the SDK's typed ThreadUnsupportedRequestError")
def _():
    from anthropic.types import ThreadUnsupportedRequestError

    e = raises(ThreadUnsupportedRequestError, lambda: client.beta.messages.create(
        model="claude-test", max_tokens=5, messages=ask("x"), thread={"type": "create"}, betas=["message-threads-2026-08-12"]))
    expect(e.error_code == "thread_unsupported_request", f"error_code, got {e.error_code}")


@check("an error in a stream helper raises the typed error")
def _():
    def run():
        with client.messages.stream(model="no-such", max_tokens=5, messages=ask("x")) as stream:
            stream.get_final_message()

    e = raises(anthropic.NotFoundError, run)
    expect(e.status_code == 404, f"404, got {e.status_code}")


@check("thinking, streamed and unary: the signed thinking block before the text")
def _():
    thinking = {"type": "enabled", "budget_tokens": 1024}
    with client.messages.stream(model="claude-test", max_tokens=2000, thinking=thinking, messages=ask("[think] Hi")) as stream:
        deltas = [e.thinking for e in stream if e.type == "thinking"]
        final = stream.get_final_message()
    expect("".join(deltas) == "The user wants a greeting.", f"thinking deltas, got {deltas}")
    expect([b.type for b in final.content] == ["thinking", "text"], f"thinking then text, got {final.content}")
    expect(final.content[0].signature == "c2lnbmVk", f"the signature, got {final.content[0]}")
    m = client.messages.create(model="claude-test", max_tokens=2000, thinking=thinking, messages=ask("[think] Hi"))
    expect(m.content[0].thinking == "The user wants a greeting.", f"unary thinking, got {m.content}")


@check("every answer and stream event conforms to the SDK's own types (read strictly)")
def _():
    from anthropic.types import Message, MessageTokensCount, ModelInfo, RawMessageStreamEvent

    thinking = {"type": "enabled", "budget_tokens": 1024}
    for model in MODELS:
        for text, extra in [("Say hello", {}), ("[tool] Weather?", {"tools": [WEATHER_TOOL]}), ("[think] Hi", {"thinking": thinking})]:
            where = f"{model} {text}"
            params = {"model": model, "max_tokens": 2000, "messages": ask(text), **extra}
            conforms(Message, raw_json(client.messages.with_raw_response.create(**params)), where)
            for event in raw_events(client.messages.with_streaming_response.create(**params, stream=True)):
                conforms(RawMessageStreamEvent, event, f"{where} {event.get('type')}")
        count = client.messages.with_raw_response.count_tokens(model=model, messages=ask("Hi"), tools=[WEATHER_TOOL])
        conforms(MessageTokensCount, raw_json(count), f"{model} count_tokens")
    for m in raw_json(client.models.with_raw_response.list())["data"]:
        conforms(ModelInfo, m, f"model {m.get('id')}")


sys.exit(failures())
