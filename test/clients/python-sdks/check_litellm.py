"""LiteLLM's Python client against the gateway: the Anthropic Messages face (anthropic/...), the
OpenAI faces (openai/... for chat, embeddings and Responses), with its own stream accumulator and
typed errors.

Run by scripts/try-python-sdks.sh: python check_litellm.py <url> <key> <rate-limited key>.
Each check prints PASS or FAIL with what differed; the exit status is the number of failures.
"""

import os
import sys

# LiteLLM's price list from the package, not from the network.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

import litellm  # noqa: E402 - after the environment it reads at import

from checks import check, expect, failures, raises  # noqa: E402

url, key, tight_key = sys.argv[1:4]
litellm.telemetry = False
litellm.suppress_debug_info = True  # its error banners would bury the PASS and FAIL lines
ANTHROPIC = {"api_base": url, "api_key": key, "num_retries": 0}
OPENAI = {"api_base": f"{url}/v1", "api_key": key, "num_retries": 0}
HELLO = [{"role": "user", "content": "Say hello"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather in a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


def text_of(r):
    return r.choices[0].message.content


for model in ["anthropic/claude-test", "anthropic/gpt-test"]:

    @check(f"completion, unary and streamed ({model})")
    def _():
        expect(text_of(litellm.completion(model=model, messages=HELLO, max_tokens=50, **ANTHROPIC)).startswith("Hello"), "text")
        chunks = list(litellm.completion(model=model, messages=HELLO, max_tokens=50, stream=True, **ANTHROPIC))
        built = litellm.stream_chunk_builder(chunks)
        expect(text_of(built).startswith("Hello from the fake upstream"), f"streamed text, got {text_of(built)!r}")

    @check(f"tool round trip, the call streamed ({model})")
    def _():
        ask = [{"role": "user", "content": "[tool] Weather in Paris?"}]
        chunks = list(litellm.completion(model=model, messages=ask, tools=TOOLS, max_tokens=100, stream=True, **ANTHROPIC))
        first = litellm.stream_chunk_builder(chunks)
        expect(first.choices[0].finish_reason == "tool_calls", f"tool_calls, got {first.choices[0].finish_reason}")
        call = first.choices[0].message.tool_calls[0]
        expect(call.function.name == "get_weather", f"get_weather, got {call.function.name}")
        expect(call.function.arguments.replace(" ", "") == '{"city":"Paris"}', f"arguments, got {call.function.arguments}")
        follow = ask + [first.choices[0].message.model_dump(), {"role": "tool", "tool_call_id": call.id, "content": "sunny"}]
        second = litellm.completion(model=model, messages=follow, tools=TOOLS, max_tokens=100, **ANTHROPIC)
        expect(text_of(second) == "It is sunny in Paris.", f"answer after the tool, got {text_of(second)!r}")


@check("structured output, response_format json_schema (anthropic/claude-test)")
def _():
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "temperature": {"type": "integer"}},
        "required": ["city", "temperature"],
        "additionalProperties": False,
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "weather", "schema": schema, "strict": True}}
    r = litellm.completion(model="anthropic/claude-test", messages=[{"role": "user", "content": "[json] Weather?"}],
                           max_tokens=100, response_format=fmt, **ANTHROPIC)
    expect(text_of(r) == '{"city":"Paris","temperature":21}', f"the JSON, got {text_of(r)!r}")


@check("embedding (openai/embed-small)")
def _():
    r = litellm.embedding(model="openai/embed-small", input=["one", "two"], **OPENAI)
    expect(len(r.data) == 2 and len(r.data[0]["embedding"]) == 256, f"2 vectors of 256, got {r.data}")
    expect(r.usage.prompt_tokens > 0, f"usage, got {r.usage}")


@check("responses, unary, streamed and chained with previous_response_id (openai/gpt-test)")
def _():
    r = litellm.responses(model="openai/gpt-test", input="Say hello", **OPENAI)
    expect(r.output[0].content[0].text.startswith("Hello"), f"text, got {r.output}")
    types = [e.type for e in litellm.responses(model="openai/gpt-test", input="Say hello", stream=True, **OPENAI)]
    expect(types[0] == "response.created" and types[-1] == "response.completed", f"created..completed, got {types}")
    tool = {"type": "function", "name": "get_weather", "parameters": TOOLS[0]["function"]["parameters"]}
    first = litellm.responses(model="openai/gpt-test", input="[tool] Weather?", tools=[tool], **OPENAI)
    call = next(o for o in first.output if o.type == "function_call")
    out = [{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}]
    second = litellm.responses(model="openai/gpt-test", previous_response_id=first.id, input=out, **OPENAI)
    expect(second.output[0].content[0].text == "It is sunny in Paris.", f"answer after the tool, got {second.output}")


@check("errors: 401, 404, 429 (the tenant's limit), upstream 429 as overloaded")
def _():
    e = raises(litellm.AuthenticationError, lambda: litellm.completion(
        model="anthropic/claude-test", messages=HELLO, max_tokens=5, **{**ANTHROPIC, "api_key": "sk-wrong"}))
    expect(e.status_code == 401, f"401, got {e.status_code}")
    e = raises(litellm.NotFoundError, lambda: litellm.completion(model="anthropic/no-such", messages=HELLO, max_tokens=5, **ANTHROPIC))
    expect(e.status_code == 404, f"404, got {e.status_code}")
    e = raises(litellm.NotFoundError, lambda: litellm.embedding(model="openai/no-such", input="x", **OPENAI))
    expect(e.status_code == 404, f"404, got {e.status_code}")
    tight = {**ANTHROPIC, "api_key": tight_key}

    def twice():
        try:
            litellm.completion(model="anthropic/claude-test", messages=HELLO, max_tokens=5, **tight)
        except litellm.RateLimitError:
            pass  # already spent by another client's checks
        litellm.completion(model="anthropic/claude-test", messages=HELLO, max_tokens=5, **tight)

    e = raises(litellm.RateLimitError, twice)
    expect(e.status_code == 429, f"429, got {e.status_code}")
    e = raises(litellm.InternalServerError, lambda: litellm.completion(
        model="anthropic/claude-test", messages=[{"role": "user", "content": "[429]"}], max_tokens=5, **ANTHROPIC))
    expect("overloaded_error" in str(e), f"overloaded_error, got {e}")


sys.exit(failures())
