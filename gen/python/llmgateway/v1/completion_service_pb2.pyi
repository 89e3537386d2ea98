from google.protobuf import struct_pb2 as _struct_pb2
from llmgateway.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ModelType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_TYPE_UNSPECIFIED: _ClassVar[ModelType]
    MODEL_TYPE_CHAT: _ClassVar[ModelType]
    MODEL_TYPE_EMBEDDING: _ClassVar[ModelType]
MODEL_TYPE_UNSPECIFIED: ModelType
MODEL_TYPE_CHAT: ModelType
MODEL_TYPE_EMBEDDING: ModelType

class CompleteRequest(_message.Message):
    __slots__ = ("model", "messages", "temperature", "top_p", "max_tokens", "stop", "seed", "user", "metadata", "routing", "cache", "session_id", "tools", "response_format", "reasoning", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs", "service_tier", "prompt_cache_key", "extra_body", "top_k", "max_cost_usd", "priority")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ROUTING_FIELD_NUMBER: _ClassVar[int]
    CACHE_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    PRESENCE_PENALTY_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_PENALTY_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    TOP_LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_TIER_FIELD_NUMBER: _ClassVar[int]
    PROMPT_CACHE_KEY_FIELD_NUMBER: _ClassVar[int]
    EXTRA_BODY_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    MAX_COST_USD_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    model: str
    messages: _containers.RepeatedCompositeFieldContainer[_types_pb2.Message]
    temperature: float
    top_p: float
    max_tokens: int
    stop: _containers.RepeatedScalarFieldContainer[str]
    seed: int
    user: str
    metadata: _containers.ScalarMap[str, str]
    routing: _types_pb2.RoutingHints
    cache: _types_pb2.CacheOptions
    session_id: str
    tools: _types_pb2.ToolOptions
    response_format: _types_pb2.ResponseFormat
    reasoning: _types_pb2.ReasoningOptions
    presence_penalty: float
    frequency_penalty: float
    logprobs: bool
    top_logprobs: int
    service_tier: str
    prompt_cache_key: str
    extra_body: _struct_pb2.Struct
    top_k: int
    max_cost_usd: float
    priority: int
    def __init__(self, model: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_types_pb2.Message, _Mapping]]] = ..., temperature: _Optional[float] = ..., top_p: _Optional[float] = ..., max_tokens: _Optional[int] = ..., stop: _Optional[_Iterable[str]] = ..., seed: _Optional[int] = ..., user: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., routing: _Optional[_Union[_types_pb2.RoutingHints, _Mapping]] = ..., cache: _Optional[_Union[_types_pb2.CacheOptions, _Mapping]] = ..., session_id: _Optional[str] = ..., tools: _Optional[_Union[_types_pb2.ToolOptions, _Mapping]] = ..., response_format: _Optional[_Union[_types_pb2.ResponseFormat, _Mapping]] = ..., reasoning: _Optional[_Union[_types_pb2.ReasoningOptions, _Mapping]] = ..., presence_penalty: _Optional[float] = ..., frequency_penalty: _Optional[float] = ..., logprobs: bool = ..., top_logprobs: _Optional[int] = ..., service_tier: _Optional[str] = ..., prompt_cache_key: _Optional[str] = ..., extra_body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., top_k: _Optional[int] = ..., max_cost_usd: _Optional[float] = ..., priority: _Optional[int] = ...) -> None: ...

class CompleteResponse(_message.Message):
    __slots__ = ("completion",)
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    completion: _types_pb2.Completion
    def __init__(self, completion: _Optional[_Union[_types_pb2.Completion, _Mapping]] = ...) -> None: ...

class StreamCompleteRequest(_message.Message):
    __slots__ = ("model", "messages", "temperature", "top_p", "max_tokens", "stop", "seed", "user", "metadata", "routing", "cache", "session_id", "tools", "response_format", "reasoning", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs", "service_tier", "prompt_cache_key", "extra_body", "top_k", "max_cost_usd", "priority")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ROUTING_FIELD_NUMBER: _ClassVar[int]
    CACHE_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    PRESENCE_PENALTY_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_PENALTY_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    TOP_LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_TIER_FIELD_NUMBER: _ClassVar[int]
    PROMPT_CACHE_KEY_FIELD_NUMBER: _ClassVar[int]
    EXTRA_BODY_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    MAX_COST_USD_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    model: str
    messages: _containers.RepeatedCompositeFieldContainer[_types_pb2.Message]
    temperature: float
    top_p: float
    max_tokens: int
    stop: _containers.RepeatedScalarFieldContainer[str]
    seed: int
    user: str
    metadata: _containers.ScalarMap[str, str]
    routing: _types_pb2.RoutingHints
    cache: _types_pb2.CacheOptions
    session_id: str
    tools: _types_pb2.ToolOptions
    response_format: _types_pb2.ResponseFormat
    reasoning: _types_pb2.ReasoningOptions
    presence_penalty: float
    frequency_penalty: float
    logprobs: bool
    top_logprobs: int
    service_tier: str
    prompt_cache_key: str
    extra_body: _struct_pb2.Struct
    top_k: int
    max_cost_usd: float
    priority: int
    def __init__(self, model: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_types_pb2.Message, _Mapping]]] = ..., temperature: _Optional[float] = ..., top_p: _Optional[float] = ..., max_tokens: _Optional[int] = ..., stop: _Optional[_Iterable[str]] = ..., seed: _Optional[int] = ..., user: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., routing: _Optional[_Union[_types_pb2.RoutingHints, _Mapping]] = ..., cache: _Optional[_Union[_types_pb2.CacheOptions, _Mapping]] = ..., session_id: _Optional[str] = ..., tools: _Optional[_Union[_types_pb2.ToolOptions, _Mapping]] = ..., response_format: _Optional[_Union[_types_pb2.ResponseFormat, _Mapping]] = ..., reasoning: _Optional[_Union[_types_pb2.ReasoningOptions, _Mapping]] = ..., presence_penalty: _Optional[float] = ..., frequency_penalty: _Optional[float] = ..., logprobs: bool = ..., top_logprobs: _Optional[int] = ..., service_tier: _Optional[str] = ..., prompt_cache_key: _Optional[str] = ..., extra_body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., top_k: _Optional[int] = ..., max_cost_usd: _Optional[float] = ..., priority: _Optional[int] = ...) -> None: ...

class StreamCompleteResponse(_message.Message):
    __slots__ = ("delta", "completion", "tool_call", "tool_result", "reasoning", "event_id")
    DELTA_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    TOOL_RESULT_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    delta: ContentDelta
    completion: _types_pb2.Completion
    tool_call: ToolCallStarted
    tool_result: ToolCallResult
    reasoning: ReasoningDelta
    event_id: int
    def __init__(self, delta: _Optional[_Union[ContentDelta, _Mapping]] = ..., completion: _Optional[_Union[_types_pb2.Completion, _Mapping]] = ..., tool_call: _Optional[_Union[ToolCallStarted, _Mapping]] = ..., tool_result: _Optional[_Union[ToolCallResult, _Mapping]] = ..., reasoning: _Optional[_Union[ReasoningDelta, _Mapping]] = ..., event_id: _Optional[int] = ...) -> None: ...

class ResumeStreamRequest(_message.Message):
    __slots__ = ("resume_token", "last_event_id")
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    resume_token: str
    last_event_id: int
    def __init__(self, resume_token: _Optional[str] = ..., last_event_id: _Optional[int] = ...) -> None: ...

class ResumeStreamResponse(_message.Message):
    __slots__ = ("delta", "completion", "tool_call", "tool_result", "reasoning", "event_id")
    DELTA_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    TOOL_RESULT_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    delta: ContentDelta
    completion: _types_pb2.Completion
    tool_call: ToolCallStarted
    tool_result: ToolCallResult
    reasoning: ReasoningDelta
    event_id: int
    def __init__(self, delta: _Optional[_Union[ContentDelta, _Mapping]] = ..., completion: _Optional[_Union[_types_pb2.Completion, _Mapping]] = ..., tool_call: _Optional[_Union[ToolCallStarted, _Mapping]] = ..., tool_result: _Optional[_Union[ToolCallResult, _Mapping]] = ..., reasoning: _Optional[_Union[ReasoningDelta, _Mapping]] = ..., event_id: _Optional[int] = ...) -> None: ...

class ReasoningDelta(_message.Message):
    __slots__ = ("text",)
    TEXT_FIELD_NUMBER: _ClassVar[int]
    text: str
    def __init__(self, text: _Optional[str] = ...) -> None: ...

class ToolCallStarted(_message.Message):
    __slots__ = ("id", "name", "arguments_json", "round")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ARGUMENTS_JSON_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    arguments_json: str
    round: int
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., arguments_json: _Optional[str] = ..., round: _Optional[int] = ...) -> None: ...

class ToolCallResult(_message.Message):
    __slots__ = ("id", "name", "output", "is_error", "latency_ms")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    IS_ERROR_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    output: str
    is_error: bool
    latency_ms: float
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., output: _Optional[str] = ..., is_error: bool = ..., latency_ms: _Optional[float] = ...) -> None: ...

class ContentDelta(_message.Message):
    __slots__ = ("text", "logprobs")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    text: str
    logprobs: _containers.RepeatedCompositeFieldContainer[_types_pb2.TokenLogprob]
    def __init__(self, text: _Optional[str] = ..., logprobs: _Optional[_Iterable[_Union[_types_pb2.TokenLogprob, _Mapping]]] = ...) -> None: ...

class CountTokensRequest(_message.Message):
    __slots__ = ("model", "messages")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    model: str
    messages: _containers.RepeatedCompositeFieldContainer[_types_pb2.Message]
    def __init__(self, model: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_types_pb2.Message, _Mapping]]] = ...) -> None: ...

class CountTokensResponse(_message.Message):
    __slots__ = ("input_tokens", "estimated", "tokenizer", "model")
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_FIELD_NUMBER: _ClassVar[int]
    TOKENIZER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    input_tokens: int
    estimated: bool
    tokenizer: str
    model: str
    def __init__(self, input_tokens: _Optional[int] = ..., estimated: bool = ..., tokenizer: _Optional[str] = ..., model: _Optional[str] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models", "default_model")
    MODELS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_MODEL_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[ModelInfo]
    default_model: str
    def __init__(self, models: _Optional[_Iterable[_Union[ModelInfo, _Mapping]]] = ..., default_model: _Optional[str] = ...) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("name", "aliases", "provider", "provider_kind", "upstream_model", "local", "context_window", "max_output_tokens", "input_price_per_million", "output_price_per_million", "capabilities", "cached_input_price_per_million", "cache_write_price_per_million", "cache_write_1h_price_per_million", "type", "embedding_dimensions")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_KIND_FIELD_NUMBER: _ClassVar[int]
    UPSTREAM_MODEL_FIELD_NUMBER: _ClassVar[int]
    LOCAL_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_WINDOW_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    INPUT_PRICE_PER_MILLION_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PRICE_PER_MILLION_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    CACHED_INPUT_PRICE_PER_MILLION_FIELD_NUMBER: _ClassVar[int]
    CACHE_WRITE_PRICE_PER_MILLION_FIELD_NUMBER: _ClassVar[int]
    CACHE_WRITE_1H_PRICE_PER_MILLION_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    aliases: _containers.RepeatedScalarFieldContainer[str]
    provider: str
    provider_kind: str
    upstream_model: str
    local: bool
    context_window: int
    max_output_tokens: int
    input_price_per_million: float
    output_price_per_million: float
    capabilities: ModelCapabilities
    cached_input_price_per_million: float
    cache_write_price_per_million: float
    cache_write_1h_price_per_million: float
    type: ModelType
    embedding_dimensions: int
    def __init__(self, name: _Optional[str] = ..., aliases: _Optional[_Iterable[str]] = ..., provider: _Optional[str] = ..., provider_kind: _Optional[str] = ..., upstream_model: _Optional[str] = ..., local: bool = ..., context_window: _Optional[int] = ..., max_output_tokens: _Optional[int] = ..., input_price_per_million: _Optional[float] = ..., output_price_per_million: _Optional[float] = ..., capabilities: _Optional[_Union[ModelCapabilities, _Mapping]] = ..., cached_input_price_per_million: _Optional[float] = ..., cache_write_price_per_million: _Optional[float] = ..., cache_write_1h_price_per_million: _Optional[float] = ..., type: _Optional[_Union[ModelType, str]] = ..., embedding_dimensions: _Optional[int] = ...) -> None: ...

class ModelCapabilities(_message.Message):
    __slots__ = ("streaming", "tools", "vision", "json_mode", "documents", "audio", "reasoning")
    STREAMING_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    VISION_FIELD_NUMBER: _ClassVar[int]
    JSON_MODE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    streaming: bool
    tools: bool
    vision: bool
    json_mode: bool
    documents: bool
    audio: bool
    reasoning: bool
    def __init__(self, streaming: bool = ..., tools: bool = ..., vision: bool = ..., json_mode: bool = ..., documents: bool = ..., audio: bool = ..., reasoning: bool = ...) -> None: ...
