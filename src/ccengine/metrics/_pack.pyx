# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, autotestdict=False
"""Packs Python event tuples into the columns of an EventBatch.

The dialer and the API produce events as Python objects (``ccengine.metrics.Event``, a named
tuple); the aggregator reads columns. Turning a list of them into thirteen typed arrays is a
loop over many Python objects, which is what Cython is for (see bench/test_pack.py).
"""

from cpython.tuple cimport PyTuple_GET_SIZE

ctypedef unsigned char u8
ctypedef unsigned short u16
ctypedef unsigned int u32
ctypedef unsigned long long u64

FIELDS = 13


def pack_into(list events,
              long long[::1] time, u8[::1] kind, u16[::1] flags,
              u32[::1] tenant, u32[::1] campaign, u32[::1] list_, u32[::1] agent,
              u32[::1] team, u32[::1] queue, u32[::1] channel,
              u64[::1] call, double[::1] value, u32[::1] aux):
    """Writes ``events[i]`` into row ``i`` of each column; every column holds len(events).

    A row that is not a 13-field tuple, or whose field does not fit its column, raises
    ValueError naming the row; rows before it are written, none after.
    """
    cdef Py_ssize_t i, n = len(events)
    cdef tuple e
    if time.shape[0] < n:
        raise ValueError(f"columns hold {time.shape[0]} rows, {n} events given")
    for i in range(n):
        item = events[i]
        if not isinstance(item, tuple) or PyTuple_GET_SIZE(<tuple>item) != FIELDS:
            raise ValueError(f"event {i}: expected an Event (13-field tuple), got {item!r}")
        e = <tuple>item
        try:
            time[i] = e[0]
            kind[i] = e[1]
            tenant[i] = e[2]
            campaign[i] = e[3]
            list_[i] = e[4]
            agent[i] = e[5]
            team[i] = e[6]
            queue[i] = e[7]
            channel[i] = e[8]
            call[i] = e[9]
            value[i] = e[10]
            aux[i] = e[11]
            flags[i] = e[12]
        except (OverflowError, TypeError) as err:
            raise ValueError(f"event {i}: {err}") from None
    return n
