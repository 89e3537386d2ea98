from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetCacheStatsRequest(_message.Message):
    __slots__ = ("tenant",)
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    def __init__(self, tenant: _Optional[str] = ...) -> None: ...

class GetCacheStatsResponse(_message.Message):
    __slots__ = ("stats",)
    STATS_FIELD_NUMBER: _ClassVar[int]
    stats: CacheStats
    def __init__(self, stats: _Optional[_Union[CacheStats, _Mapping]] = ...) -> None: ...

class CacheStats(_message.Message):
    __slots__ = ("store", "entries", "bytes", "semantic_entries", "hits_exact", "hits_semantic", "misses", "bypassed", "coalesced", "hit_ratio", "exact_hit_ratio", "semantic_hit_ratio", "tokens_saved", "cost_saved_usd", "stored", "errors", "verification")
    STORE_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    SEMANTIC_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    HITS_EXACT_FIELD_NUMBER: _ClassVar[int]
    HITS_SEMANTIC_FIELD_NUMBER: _ClassVar[int]
    MISSES_FIELD_NUMBER: _ClassVar[int]
    BYPASSED_FIELD_NUMBER: _ClassVar[int]
    COALESCED_FIELD_NUMBER: _ClassVar[int]
    HIT_RATIO_FIELD_NUMBER: _ClassVar[int]
    EXACT_HIT_RATIO_FIELD_NUMBER: _ClassVar[int]
    SEMANTIC_HIT_RATIO_FIELD_NUMBER: _ClassVar[int]
    TOKENS_SAVED_FIELD_NUMBER: _ClassVar[int]
    COST_SAVED_USD_FIELD_NUMBER: _ClassVar[int]
    STORED_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    VERIFICATION_FIELD_NUMBER: _ClassVar[int]
    store: str
    entries: int
    bytes: int
    semantic_entries: int
    hits_exact: int
    hits_semantic: int
    misses: int
    bypassed: int
    coalesced: int
    hit_ratio: float
    exact_hit_ratio: float
    semantic_hit_ratio: float
    tokens_saved: int
    cost_saved_usd: float
    stored: int
    errors: int
    verification: _containers.RepeatedCompositeFieldContainer[SemanticVerification]
    def __init__(self, store: _Optional[str] = ..., entries: _Optional[int] = ..., bytes: _Optional[int] = ..., semantic_entries: _Optional[int] = ..., hits_exact: _Optional[int] = ..., hits_semantic: _Optional[int] = ..., misses: _Optional[int] = ..., bypassed: _Optional[int] = ..., coalesced: _Optional[int] = ..., hit_ratio: _Optional[float] = ..., exact_hit_ratio: _Optional[float] = ..., semantic_hit_ratio: _Optional[float] = ..., tokens_saved: _Optional[int] = ..., cost_saved_usd: _Optional[float] = ..., stored: _Optional[int] = ..., errors: _Optional[int] = ..., verification: _Optional[_Iterable[_Union[SemanticVerification, _Mapping]]] = ...) -> None: ...

class SemanticVerification(_message.Message):
    __slots__ = ("model", "served", "served_trusted", "served_verified", "audited", "verified", "refused", "failed", "estimated_error_rate")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SERVED_FIELD_NUMBER: _ClassVar[int]
    SERVED_TRUSTED_FIELD_NUMBER: _ClassVar[int]
    SERVED_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    AUDITED_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_ERROR_RATE_FIELD_NUMBER: _ClassVar[int]
    model: str
    served: int
    served_trusted: int
    served_verified: int
    audited: int
    verified: int
    refused: int
    failed: int
    estimated_error_rate: float
    def __init__(self, model: _Optional[str] = ..., served: _Optional[int] = ..., served_trusted: _Optional[int] = ..., served_verified: _Optional[int] = ..., audited: _Optional[int] = ..., verified: _Optional[int] = ..., refused: _Optional[int] = ..., failed: _Optional[int] = ..., estimated_error_rate: _Optional[float] = ...) -> None: ...

class ClearCacheRequest(_message.Message):
    __slots__ = ("tenant",)
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    def __init__(self, tenant: _Optional[str] = ...) -> None: ...

class ClearCacheResponse(_message.Message):
    __slots__ = ("removed",)
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    removed: int
    def __init__(self, removed: _Optional[int] = ...) -> None: ...
