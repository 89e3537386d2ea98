from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

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
    __slots__ = ("store", "entries", "bytes", "semantic_entries", "hits_exact", "hits_semantic", "misses", "bypassed", "coalesced", "hit_ratio", "exact_hit_ratio", "semantic_hit_ratio", "tokens_saved", "cost_saved_usd", "stored", "errors")
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
    def __init__(self, store: _Optional[str] = ..., entries: _Optional[int] = ..., bytes: _Optional[int] = ..., semantic_entries: _Optional[int] = ..., hits_exact: _Optional[int] = ..., hits_semantic: _Optional[int] = ..., misses: _Optional[int] = ..., bypassed: _Optional[int] = ..., coalesced: _Optional[int] = ..., hit_ratio: _Optional[float] = ..., exact_hit_ratio: _Optional[float] = ..., semantic_hit_ratio: _Optional[float] = ..., tokens_saved: _Optional[int] = ..., cost_saved_usd: _Optional[float] = ..., stored: _Optional[int] = ..., errors: _Optional[int] = ...) -> None: ...

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
