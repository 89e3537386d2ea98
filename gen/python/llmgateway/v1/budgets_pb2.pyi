from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetBudgetsRequest(_message.Message):
    __slots__ = ("tenant", "key_ids", "users")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    KEY_IDS_FIELD_NUMBER: _ClassVar[int]
    USERS_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    key_ids: _containers.RepeatedScalarFieldContainer[str]
    users: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant: _Optional[str] = ..., key_ids: _Optional[_Iterable[str]] = ..., users: _Optional[_Iterable[str]] = ...) -> None: ...

class GetBudgetsResponse(_message.Message):
    __slots__ = ("levels",)
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    levels: _containers.RepeatedCompositeFieldContainer[BudgetLevelStatus]
    def __init__(self, levels: _Optional[_Iterable[_Union[BudgetLevelStatus, _Mapping]]] = ...) -> None: ...

class BudgetLevelStatus(_message.Message):
    __slots__ = ("level", "id", "daily_budget_usd", "monthly_budget_usd", "spent_today_usd", "spent_this_month_usd")
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    DAILY_BUDGET_USD_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_BUDGET_USD_FIELD_NUMBER: _ClassVar[int]
    SPENT_TODAY_USD_FIELD_NUMBER: _ClassVar[int]
    SPENT_THIS_MONTH_USD_FIELD_NUMBER: _ClassVar[int]
    level: str
    id: str
    daily_budget_usd: float
    monthly_budget_usd: float
    spent_today_usd: float
    spent_this_month_usd: float
    def __init__(self, level: _Optional[str] = ..., id: _Optional[str] = ..., daily_budget_usd: _Optional[float] = ..., monthly_budget_usd: _Optional[float] = ..., spent_today_usd: _Optional[float] = ..., spent_this_month_usd: _Optional[float] = ...) -> None: ...
