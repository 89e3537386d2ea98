"""The gateway's answers read strictly against the SDKs' own pydantic types.

The SDKs build their objects without validation, so a required field the gateway leaves out only
shows as None (or an AttributeError) where a caller reads it. Validating the raw JSON against the same
types finds each such field at once, in every answer and every stream event.
"""

import json
import typing

from pydantic import TypeAdapter, ValidationError

from checks import expect


def _by_type(union):
    """The classes of a union, by the literal of their `type` field (a message may be input or output)."""
    out = {}
    for arg in typing.get_args(union):
        for cls in typing.get_args(arg) or [arg]:
            fields = getattr(cls, "model_fields", {})
            if "type" in fields:
                for literal in typing.get_args(fields["type"].annotation):
                    out.setdefault(literal, []).append(cls)
    return out


def conforms(kind, obj, where):
    """`obj` (raw JSON) validates as `kind`; a union is narrowed by the object's type first."""
    if isinstance(obj, dict) and obj.get("type") == "ping":
        return  # Anthropic's keep-alive, not in the SDK's union and skipped by it
    kinds = [kind]
    if typing.get_origin(kind) in (typing.Annotated, typing.Union):
        kinds = _by_type(kind).get(obj.get("type"), kinds)
    errors = []
    for k in kinds:
        try:
            TypeAdapter(k).validate_python(obj)
            return
        except ValidationError as e:
            errors.append(f"not a valid {getattr(k, '__name__', k)}: {str(e)[:600]}")
    expect(False, f"{where}: {'; '.join(errors)}")


def raw_json(raw_response):
    """The JSON body of a `with_raw_response` call."""
    return raw_response.http_response.json()


def raw_events(streaming_response):
    """The data of each server-sent event of a `with_streaming_response` call."""
    with streaming_response as r:
        return [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ") and line[6:] != "[DONE]"]
