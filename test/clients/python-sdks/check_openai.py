"""The official `openai` Python SDK against the gateway's embeddings and Responses faces.

Run by scripts/try-python-sdks.sh with the gateway's URL and key: python check_openai.py <url> <key> <rate-limited key>.
Each check prints PASS or FAIL with what differed; the exit status is the number of failures.
"""

import base64
import importlib.util
import sys

import openai
from pydantic import BaseModel

from checks import check, expect, failures, raises
from strict import conforms, raw_events, raw_json

url, key, tight_key = sys.argv[1:4]
client = openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0)
HAS_NUMPY = importlib.util.find_spec("numpy") is not None
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    "strict": True,
}


class Weather(BaseModel):
    city: str
    temperature: int


@check(f"embeddings.create, default encoding (numpy {'present' if HAS_NUMPY else 'absent'})")
def _():
    r = client.embeddings.create(model="embed-small", input=["one", "two"])
    expect(len(r.data) == 2, f"2 vectors, got {len(r.data)}")
    vec = r.data[0].embedding
    expect(isinstance(vec, list) and all(isinstance(x, float) for x in vec), f"a list of floats, got {type(vec)}")
    expect(len(vec) == 256, f"256 dimensions, got {len(vec)}")
    expect(r.usage.prompt_tokens > 0, f"usage.prompt_tokens, got {r.usage}")
    expect(r.model, "a model name")


@check("embeddings.create, float encoding and dimensions")
def _():
    r = client.embeddings.create(model="embed-small", input="one", encoding_format="float", dimensions=64)
    expect(len(r.data[0].embedding) == 64, f"64 dimensions, got {len(r.data[0].embedding)}")


@check("embeddings.create, base64 asked by the caller stays a string")
def _():
    r = client.embeddings.create(model="embed-small", input="one", encoding_format="base64")
    raw = r.data[0].embedding
    expect(isinstance(raw, str), f"a base64 string, got {type(raw)}")
    expect(len(base64.b64decode(raw)) == 256 * 4, "256 float32s")


@check("embeddings.create, 404 for an unknown model")
def _():
    e = raises(openai.NotFoundError, lambda: client.embeddings.create(model="no-such-model", input="x"))
    expect(e.status_code == 404, f"404, got {e.status_code}")


@check("responses.create, unary")
def _():
    r = client.responses.create(model="gpt-test", input="Say hello")
    expect(r.output_text.startswith("Hello from the fake upstream"), f"output_text, got {r.output_text!r}")
    expect(r.status == "completed", f"completed, got {r.status}")
    expect(r.usage and r.usage.input_tokens > 0 and r.usage.output_tokens > 0, f"usage, got {r.usage}")
    expect(r.id.startswith("resp_"), f"resp_ id, got {r.id}")


@check("responses.create(stream=True), raw events")
def _():
    types = []
    text = ""
    for event in client.responses.create(model="gpt-test", input="Say hello", stream=True):
        types.append(event.type)
        if event.type == "response.output_text.delta":
            text += event.delta
    expect(types[0] == "response.created", f"first response.created, got {types[:3]}")
    expect(types[-1] == "response.completed", f"last response.completed, got {types[-3:]}")
    expect(text.startswith("Hello from the fake upstream"), f"deltas, got {text!r}")


@check("responses.stream(...) helper and get_final_response()")
def _():
    with client.responses.stream(model="claude-test", input="Say hello") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    expect("".join(deltas) == final.output_text, "deltas add up to the final text")
    expect(final.output_text.startswith("Hello from the fake upstream"), f"final, got {final.output_text!r}")


@check("responses.parse with a pydantic model")
def _():
    r = client.responses.parse(model="gpt-test", input="[json] Weather in Paris?", text_format=Weather)
    expect(isinstance(r.output_parsed, Weather), f"a Weather, got {r.output_parsed!r}")
    expect(r.output_parsed.city == "Paris" and r.output_parsed.temperature == 21, f"parsed, got {r.output_parsed!r}")


@check("responses.stream with text_format (streamed structured output)")
def _():
    with client.responses.stream(model="gpt-test", input="[json] Weather?", text_format=Weather) as stream:
        for _event in stream:
            pass
        final = stream.get_final_response()
    expect(final.output_parsed == Weather(city="Paris", temperature=21), f"parsed, got {final.output_parsed!r}")


def tool_round_trip(model):
    first = client.responses.create(model=model, input="[tool] Weather in Paris?", tools=[WEATHER_TOOL])
    calls = [o for o in first.output if o.type == "function_call"]
    expect(len(calls) == 1 and calls[0].name == "get_weather", f"one get_weather call, got {first.output}")
    expect(calls[0].arguments == '{"city":"Paris"}', f"arguments, got {calls[0].arguments!r}")
    second = client.responses.create(
        model=model,
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": calls[0].call_id, "output": "sunny, 21C"}],
        tools=[WEATHER_TOOL],
    )
    expect(second.output_text == "It is sunny in Paris.", f"answer after the tool, got {second.output_text!r}")
    expect(second.previous_response_id == first.id, "previous_response_id echoed")


@check("responses tool round trip with previous_response_id (OpenAI upstream)")
def _():
    tool_round_trip("gpt-test")


@check("responses tool round trip with previous_response_id (Anthropic upstream)")
def _():
    tool_round_trip("claude-test")


@check("responses.retrieve, input_items.list, input_tokens.count, delete")
def _():
    r = client.responses.create(model="gpt-test", input="Remember me")
    got = client.responses.retrieve(r.id)
    expect(got.id == r.id and got.output_text == r.output_text, "retrieved the same response")
    items = client.responses.input_items.list(r.id)
    expect(len(items.data) == 1 and items.data[0].type == "message", f"one input message, got {items.data}")
    count = client.responses.input_tokens.count(model="gpt-test", input="Remember me")
    expect(count.input_tokens > 0, f"input_tokens, got {count}")
    deleted = client.responses.delete(r.id)
    expect(deleted is None, f"delete returns None, got {deleted!r}")
    e = raises(openai.NotFoundError, lambda: client.responses.retrieve(r.id))
    expect(e.status_code == 404, "gone after delete")


@check("responses errors: 401 wrong key, 404 model, 429 limit, upstream 429 as 503 with retry-after")
def _():
    bad = openai.OpenAI(base_url=f"{url}/v1", api_key="sk-wrong", max_retries=0)
    e = raises(openai.AuthenticationError, lambda: bad.responses.create(model="gpt-test", input="x"))
    expect(e.status_code == 401, f"401, got {e.status_code}")
    e = raises(openai.NotFoundError, lambda: client.responses.create(model="no-such-model", input="x"))
    expect(e.status_code == 404, f"404, got {e.status_code}")
    tight = openai.OpenAI(base_url=f"{url}/v1", api_key=tight_key, max_retries=0)
    try:
        tight.responses.create(model="gpt-test", input="x")  # the tenant's one request this minute
    except openai.RateLimitError:
        pass  # already spent by another client's checks
    e = raises(openai.RateLimitError, lambda: tight.responses.create(model="gpt-test", input="x"))
    expect(e.status_code == 429 and e.response.headers.get("retry-after"), f"429 with retry-after, got {e.status_code}")
    e = raises(openai.InternalServerError, lambda: client.responses.create(model="gpt-test", input="[429] x"))
    expect(e.status_code == 503 and e.response.headers.get("retry-after"), f"503 with retry-after, got {e.status_code}")


@check("every answer and stream event conforms to the SDK's own types (read strictly)")
def _():
    from openai.types import CreateEmbeddingResponse, Model
    from openai.types.responses import Response, ResponseItem, ResponseStreamEvent

    fmt = {"type": "json_schema", "name": "weather", "schema": Weather.model_json_schema() | {"additionalProperties": False}}
    asks = [("Say hello", {}), ("[tool] Weather?", {"tools": [WEATHER_TOOL]}), ("[json] Weather?", {"text": {"format": fmt}}),
            ("[think] Hi", {"reasoning": {"effort": "low", "summary": "auto"}})]
    for model in ["gpt-test", "claude-test"]:
        for text, extra in asks:
            where = f"{model} {text}"
            body = raw_json(client.responses.with_raw_response.create(model=model, input=text, **extra))
            conforms(Response, body, where)
            conforms(Response, raw_json(client.responses.with_raw_response.retrieve(body["id"])), f"{where} retrieved")
            for item in raw_json(client.responses.input_items.with_raw_response.list(body["id"]))["data"]:
                conforms(ResponseItem, item, f"{where} input item")
            stream = client.responses.with_streaming_response.create(model=model, input=text, stream=True, **extra)
            for event in raw_events(stream):
                conforms(ResponseStreamEvent, event, f"{where} {event.get('type')}")
    conforms(CreateEmbeddingResponse, raw_json(client.embeddings.with_raw_response.create(model="embed-small", input=["a", "b"], encoding_format="float")), "embeddings")
    for m in raw_json(client.models.with_raw_response.list())["data"]:
        conforms(Model, m, f"model {m.get('id')}")


sys.exit(failures())
