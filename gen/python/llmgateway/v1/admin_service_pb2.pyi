from llmgateway.v1 import budgets_pb2 as _budgets_pb2
from llmgateway.v1 import cache_service_pb2 as _cache_service_pb2
from llmgateway.v1 import health_service_pb2 as _health_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListProvidersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListProvidersResponse(_message.Message):
    __slots__ = ("providers", "deployments")
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    providers: _containers.RepeatedCompositeFieldContainer[_health_service_pb2.DependencyHealth]
    deployments: _containers.RepeatedCompositeFieldContainer[_health_service_pb2.DeploymentHealth]
    def __init__(self, providers: _Optional[_Iterable[_Union[_health_service_pb2.DependencyHealth, _Mapping]]] = ..., deployments: _Optional[_Iterable[_Union[_health_service_pb2.DeploymentHealth, _Mapping]]] = ...) -> None: ...

class GetUsageRequest(_message.Message):
    __slots__ = ("tenant", "from_day", "to_day")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    FROM_DAY_FIELD_NUMBER: _ClassVar[int]
    TO_DAY_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    from_day: str
    to_day: str
    def __init__(self, tenant: _Optional[str] = ..., from_day: _Optional[str] = ..., to_day: _Optional[str] = ...) -> None: ...

class UsageRow(_message.Message):
    __slots__ = ("day", "tenant", "user", "model", "requests", "input_tokens", "output_tokens", "cost_usd", "saved_tokens", "saved_cost_usd")
    DAY_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    SAVED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    SAVED_COST_USD_FIELD_NUMBER: _ClassVar[int]
    day: str
    tenant: str
    user: str
    model: str
    requests: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    saved_tokens: int
    saved_cost_usd: float
    def __init__(self, day: _Optional[str] = ..., tenant: _Optional[str] = ..., user: _Optional[str] = ..., model: _Optional[str] = ..., requests: _Optional[int] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ..., saved_tokens: _Optional[int] = ..., saved_cost_usd: _Optional[float] = ...) -> None: ...

class GetUsageResponse(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[UsageRow]
    def __init__(self, rows: _Optional[_Iterable[_Union[UsageRow, _Mapping]]] = ...) -> None: ...

class GetTenantStatusRequest(_message.Message):
    __slots__ = ("tenant",)
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    def __init__(self, tenant: _Optional[str] = ...) -> None: ...

class GetTenantStatusResponse(_message.Message):
    __slots__ = ("requests_last_minute", "requests_last_hour", "tokens_last_minute", "requests_per_minute", "requests_per_hour", "tokens_per_minute", "spent_today_usd", "spent_this_month_usd", "daily_budget_usd", "monthly_budget_usd")
    REQUESTS_LAST_MINUTE_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_LAST_HOUR_FIELD_NUMBER: _ClassVar[int]
    TOKENS_LAST_MINUTE_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    TOKENS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    SPENT_TODAY_USD_FIELD_NUMBER: _ClassVar[int]
    SPENT_THIS_MONTH_USD_FIELD_NUMBER: _ClassVar[int]
    DAILY_BUDGET_USD_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_BUDGET_USD_FIELD_NUMBER: _ClassVar[int]
    requests_last_minute: int
    requests_last_hour: int
    tokens_last_minute: int
    requests_per_minute: int
    requests_per_hour: int
    tokens_per_minute: int
    spent_today_usd: float
    spent_this_month_usd: float
    daily_budget_usd: float
    monthly_budget_usd: float
    def __init__(self, requests_last_minute: _Optional[int] = ..., requests_last_hour: _Optional[int] = ..., tokens_last_minute: _Optional[int] = ..., requests_per_minute: _Optional[int] = ..., requests_per_hour: _Optional[int] = ..., tokens_per_minute: _Optional[int] = ..., spent_today_usd: _Optional[float] = ..., spent_this_month_usd: _Optional[float] = ..., daily_budget_usd: _Optional[float] = ..., monthly_budget_usd: _Optional[float] = ...) -> None: ...

class GetSummaryRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSummaryResponse(_message.Message):
    __slots__ = ("status", "unhealthy_providers", "open_breakers", "requests_today", "cost_today_usd", "saved_today_usd", "cache", "tenants")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    UNHEALTHY_PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    OPEN_BREAKERS_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_TODAY_FIELD_NUMBER: _ClassVar[int]
    COST_TODAY_USD_FIELD_NUMBER: _ClassVar[int]
    SAVED_TODAY_USD_FIELD_NUMBER: _ClassVar[int]
    CACHE_FIELD_NUMBER: _ClassVar[int]
    TENANTS_FIELD_NUMBER: _ClassVar[int]
    status: _health_service_pb2.ServingStatus
    unhealthy_providers: _containers.RepeatedScalarFieldContainer[str]
    open_breakers: _containers.RepeatedScalarFieldContainer[str]
    requests_today: int
    cost_today_usd: float
    saved_today_usd: float
    cache: _cache_service_pb2.CacheStats
    tenants: int
    def __init__(self, status: _Optional[_Union[_health_service_pb2.ServingStatus, str]] = ..., unhealthy_providers: _Optional[_Iterable[str]] = ..., open_breakers: _Optional[_Iterable[str]] = ..., requests_today: _Optional[int] = ..., cost_today_usd: _Optional[float] = ..., saved_today_usd: _Optional[float] = ..., cache: _Optional[_Union[_cache_service_pb2.CacheStats, _Mapping]] = ..., tenants: _Optional[int] = ...) -> None: ...

class ReloadConfigRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ConfigChanges(_message.Message):
    __slots__ = ("added", "removed", "changed")
    ADDED_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    added: _containers.RepeatedScalarFieldContainer[str]
    removed: _containers.RepeatedScalarFieldContainer[str]
    changed: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, added: _Optional[_Iterable[str]] = ..., removed: _Optional[_Iterable[str]] = ..., changed: _Optional[_Iterable[str]] = ...) -> None: ...

class ReloadConfigResponse(_message.Message):
    __slots__ = ("models", "providers", "deployments", "tenants", "sections", "fresh_deployments")
    MODELS_FIELD_NUMBER: _ClassVar[int]
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    TENANTS_FIELD_NUMBER: _ClassVar[int]
    SECTIONS_FIELD_NUMBER: _ClassVar[int]
    FRESH_DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    models: ConfigChanges
    providers: ConfigChanges
    deployments: ConfigChanges
    tenants: ConfigChanges
    sections: _containers.RepeatedScalarFieldContainer[str]
    fresh_deployments: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, models: _Optional[_Union[ConfigChanges, _Mapping]] = ..., providers: _Optional[_Union[ConfigChanges, _Mapping]] = ..., deployments: _Optional[_Union[ConfigChanges, _Mapping]] = ..., tenants: _Optional[_Union[ConfigChanges, _Mapping]] = ..., sections: _Optional[_Iterable[str]] = ..., fresh_deployments: _Optional[_Iterable[str]] = ...) -> None: ...

class ListRequestsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "from_time_ms", "to_time_ms", "tenant", "key_id", "user", "model", "provider", "status", "cache", "request_id", "min_latency_ms", "min_cost_usd")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CACHE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    MIN_LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    MIN_COST_USD_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    from_time_ms: int
    to_time_ms: int
    tenant: str
    key_id: str
    user: str
    model: str
    provider: str
    status: str
    cache: str
    request_id: str
    min_latency_ms: float
    min_cost_usd: float
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., from_time_ms: _Optional[int] = ..., to_time_ms: _Optional[int] = ..., tenant: _Optional[str] = ..., key_id: _Optional[str] = ..., user: _Optional[str] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., status: _Optional[str] = ..., cache: _Optional[str] = ..., request_id: _Optional[str] = ..., min_latency_ms: _Optional[float] = ..., min_cost_usd: _Optional[float] = ...) -> None: ...

class RequestAttempt(_message.Message):
    __slots__ = ("provider", "model", "outcome", "latency_ms")
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    provider: str
    model: str
    outcome: str
    latency_ms: float
    def __init__(self, provider: _Optional[str] = ..., model: _Optional[str] = ..., outcome: _Optional[str] = ..., latency_ms: _Optional[float] = ...) -> None: ...

class RequestEntry(_message.Message):
    __slots__ = ("id", "time_ms", "face", "method", "tenant", "key_id", "user", "model", "provider", "attempts", "input_tokens", "output_tokens", "cached_input_tokens", "reasoning_tokens", "cost_usd", "latency_ms", "code", "reason", "http_status", "cache", "request_id", "trace_id", "metadata", "prompt", "answer")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    FACE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CACHED_INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    REASONING_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
    CACHE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    id: str
    time_ms: int
    face: str
    method: str
    tenant: str
    key_id: str
    user: str
    model: str
    provider: str
    attempts: _containers.RepeatedCompositeFieldContainer[RequestAttempt]
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    reasoning_tokens: int
    cost_usd: float
    latency_ms: float
    code: str
    reason: str
    http_status: int
    cache: str
    request_id: str
    trace_id: str
    metadata: _containers.ScalarMap[str, str]
    prompt: str
    answer: str
    def __init__(self, id: _Optional[str] = ..., time_ms: _Optional[int] = ..., face: _Optional[str] = ..., method: _Optional[str] = ..., tenant: _Optional[str] = ..., key_id: _Optional[str] = ..., user: _Optional[str] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., attempts: _Optional[_Iterable[_Union[RequestAttempt, _Mapping]]] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cached_input_tokens: _Optional[int] = ..., reasoning_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ..., latency_ms: _Optional[float] = ..., code: _Optional[str] = ..., reason: _Optional[str] = ..., http_status: _Optional[int] = ..., cache: _Optional[str] = ..., request_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., prompt: _Optional[str] = ..., answer: _Optional[str] = ...) -> None: ...

class ListRequestsResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[RequestEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[RequestEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
