"""Typed surface of the Cython event packer (compiled into ccengine._native by build.rs)."""

import numpy as np
import numpy.typing as npt
from typing_extensions import Buffer

from ccengine.metrics._events import Event

FIELDS: int

# Each column is a C-contiguous buffer of its item type, filled in place. numpy arrays are named
# beside Buffer because numpy's stubs give ndarray `__buffer__` only from Python 3.12 on.
def pack_into(
    events: list[Event],
    time: npt.NDArray[np.int64] | Buffer,
    kind: npt.NDArray[np.uint8] | Buffer,
    flags: npt.NDArray[np.uint16] | Buffer,
    tenant: npt.NDArray[np.uint32] | Buffer,
    campaign: npt.NDArray[np.uint32] | Buffer,
    list_: npt.NDArray[np.uint32] | Buffer,
    agent: npt.NDArray[np.uint32] | Buffer,
    team: npt.NDArray[np.uint32] | Buffer,
    queue: npt.NDArray[np.uint32] | Buffer,
    channel: npt.NDArray[np.uint32] | Buffer,
    call: npt.NDArray[np.uint64] | Buffer,
    value: npt.NDArray[np.float64] | Buffer,
    aux: npt.NDArray[np.uint32] | Buffer,
) -> int: ...
