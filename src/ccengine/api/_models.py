"""Shared pieces of the API's JSON: strict scalar types, moments, pages.

Request bodies are validated strictly: ``false`` is not ``0``, ``"5"`` is not ``5``, unknown
fields are refused. (FastAPI validates the parsed JSON as Python objects, where pydantic's
model-wide strict mode would also refuse enum names and ISO dates, so scalars are strict one by
one.) Moments travel as ISO 8601 text with an offset; the engine keeps UTC microseconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar, overload

from fastapi import Path, Query
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)

from ccengine import domain as d

T = TypeVar("T")

#: Integers JSON carries exactly (and the store can hold).
LARGEST = 2**53
Int = Annotated[StrictInt, Field(ge=-LARGEST, le=LARGEST)]
Float = Annotated[StrictFloat, Field(allow_inf_nan=False)]
Bool = StrictBool
Str = StrictStr


def _text_only(value: Any) -> Any:
    if not isinstance(value, str | dt.datetime):
        raise ValueError("a moment is ISO 8601 text with an offset, e.g. 2026-11-23T09:30:00+01:00")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_text_only)]

#: Paging: at most ``limit`` items after the one whose key is ``after`` (keyset paging: a page
#: never skips or repeats an item when others are added meanwhile).
Limit = Annotated[int, Query(ge=1, le=1000, description="items per page")]
After = Annotated[int, Query(ge=0, le=LARGEST, description="the `next_after` of the previous page")]
#: An id in a path, and an optional one in a query.
Key = Annotated[int, Path(ge=0, le=LARGEST)]
QueryKey = Annotated[int | None, Query(ge=0, le=LARGEST)]


class Body(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_after: int | None
    """Pass as ``after`` for the next page; null on the last page."""


def page(items: list[T], keys: list[int], after: int, limit: int) -> Page[T]:
    """One page of ``items`` (sorted by their ``keys``) past ``after``."""
    chosen = [(k, item) for k, item in zip(keys, items, strict=True) if k > after][:limit + 1]
    more = len(chosen) > limit
    chosen = chosen[:limit]
    return Page[T](items=[item for _, item in chosen], next_after=chosen[-1][0] if more else None)


@overload
def moment(us: int) -> dt.datetime: ...
@overload
def moment(us: int | None) -> dt.datetime | None: ...
def moment(us: int | None) -> dt.datetime | None:
    return None if us is None else d.to_datetime(us)


def micros(when: dt.datetime) -> int:
    return d.from_datetime(when)
