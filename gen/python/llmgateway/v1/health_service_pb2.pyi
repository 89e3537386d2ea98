from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ServingStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVING_STATUS_UNSPECIFIED: _ClassVar[ServingStatus]
    SERVING_STATUS_SERVING: _ClassVar[ServingStatus]
    SERVING_STATUS_DEGRADED: _ClassVar[ServingStatus]
    SERVING_STATUS_NOT_SERVING: _ClassVar[ServingStatus]

class BreakerState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BREAKER_STATE_UNSPECIFIED: _ClassVar[BreakerState]
    BREAKER_STATE_CLOSED: _ClassVar[BreakerState]
    BREAKER_STATE_OPEN: _ClassVar[BreakerState]
    BREAKER_STATE_HALF_OPEN: _ClassVar[BreakerState]
SERVING_STATUS_UNSPECIFIED: ServingStatus
SERVING_STATUS_SERVING: ServingStatus
SERVING_STATUS_DEGRADED: ServingStatus
SERVING_STATUS_NOT_SERVING: ServingStatus
BREAKER_STATE_UNSPECIFIED: BreakerState
BREAKER_STATE_CLOSED: BreakerState
BREAKER_STATE_OPEN: BreakerState
BREAKER_STATE_HALF_OPEN: BreakerState

class DependencyHealth(_message.Message):
    __slots__ = ("name", "kind", "status", "detail", "changed_at_unix_ms")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: str
    status: ServingStatus
    detail: str
    changed_at_unix_ms: int
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., status: _Optional[_Union[ServingStatus, str]] = ..., detail: _Optional[str] = ..., changed_at_unix_ms: _Optional[int] = ...) -> None: ...

class DeploymentHealth(_message.Message):
    __slots__ = ("model", "provider", "upstream_model", "latency_ms", "time_to_first_token_ms", "error_rate", "calls", "failures", "last_error", "breaker_state", "breaker_retry_after_ms", "max_concurrent", "in_flight", "queue_depth", "queue_oldest_wait_ms")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    UPSTREAM_MODEL_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    TIME_TO_FIRST_TOKEN_MS_FIELD_NUMBER: _ClassVar[int]
    ERROR_RATE_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    BREAKER_STATE_FIELD_NUMBER: _ClassVar[int]
    BREAKER_RETRY_AFTER_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_DEPTH_FIELD_NUMBER: _ClassVar[int]
    QUEUE_OLDEST_WAIT_MS_FIELD_NUMBER: _ClassVar[int]
    model: str
    provider: str
    upstream_model: str
    latency_ms: float
    time_to_first_token_ms: float
    error_rate: float
    calls: int
    failures: int
    last_error: str
    breaker_state: BreakerState
    breaker_retry_after_ms: int
    max_concurrent: int
    in_flight: int
    queue_depth: int
    queue_oldest_wait_ms: int
    def __init__(self, model: _Optional[str] = ..., provider: _Optional[str] = ..., upstream_model: _Optional[str] = ..., latency_ms: _Optional[float] = ..., time_to_first_token_ms: _Optional[float] = ..., error_rate: _Optional[float] = ..., calls: _Optional[int] = ..., failures: _Optional[int] = ..., last_error: _Optional[str] = ..., breaker_state: _Optional[_Union[BreakerState, str]] = ..., breaker_retry_after_ms: _Optional[int] = ..., max_concurrent: _Optional[int] = ..., in_flight: _Optional[int] = ..., queue_depth: _Optional[int] = ..., queue_oldest_wait_ms: _Optional[int] = ...) -> None: ...

class QueueHealth(_message.Message):
    __slots__ = ("rate_limit_depth", "rate_limit_oldest_wait_ms", "concurrency_depth")
    RATE_LIMIT_DEPTH_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMIT_OLDEST_WAIT_MS_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_DEPTH_FIELD_NUMBER: _ClassVar[int]
    rate_limit_depth: int
    rate_limit_oldest_wait_ms: int
    concurrency_depth: int
    def __init__(self, rate_limit_depth: _Optional[int] = ..., rate_limit_oldest_wait_ms: _Optional[int] = ..., concurrency_depth: _Optional[int] = ...) -> None: ...

class CheckRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CheckResponse(_message.Message):
    __slots__ = ("status", "dependencies", "deployments", "queue")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DEPENDENCIES_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    status: ServingStatus
    dependencies: _containers.RepeatedCompositeFieldContainer[DependencyHealth]
    deployments: _containers.RepeatedCompositeFieldContainer[DeploymentHealth]
    queue: QueueHealth
    def __init__(self, status: _Optional[_Union[ServingStatus, str]] = ..., dependencies: _Optional[_Iterable[_Union[DependencyHealth, _Mapping]]] = ..., deployments: _Optional[_Iterable[_Union[DeploymentHealth, _Mapping]]] = ..., queue: _Optional[_Union[QueueHealth, _Mapping]] = ...) -> None: ...

class WatchRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchResponse(_message.Message):
    __slots__ = ("status", "dependencies", "deployments", "queue")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DEPENDENCIES_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    status: ServingStatus
    dependencies: _containers.RepeatedCompositeFieldContainer[DependencyHealth]
    deployments: _containers.RepeatedCompositeFieldContainer[DeploymentHealth]
    queue: QueueHealth
    def __init__(self, status: _Optional[_Union[ServingStatus, str]] = ..., dependencies: _Optional[_Iterable[_Union[DependencyHealth, _Mapping]]] = ..., deployments: _Optional[_Iterable[_Union[DeploymentHealth, _Mapping]]] = ..., queue: _Optional[_Union[QueueHealth, _Mapping]] = ...) -> None: ...
