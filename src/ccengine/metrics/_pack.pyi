"""Typed surface of the Cython event packer (compiled into ccengine._native by build.rs)."""

from typing_extensions import Buffer

FIELDS: int

def pack_into(
    events: list[tuple[object, ...]],
    time: Buffer,
    kind: Buffer,
    flags: Buffer,
    tenant: Buffer,
    campaign: Buffer,
    list_: Buffer,
    agent: Buffer,
    team: Buffer,
    queue: Buffer,
    channel: Buffer,
    call: Buffer,
    value: Buffer,
    aux: Buffer,
) -> int: ...
