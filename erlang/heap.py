"""A binary min-heap on parallel time and id arrays, for the compiled queue simulations."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def before(key_a, id_a, key_b, id_b):
    """Heap order: by key, ties by id, so that equal times resolve reproducibly."""
    return key_a < key_b or (key_a == key_b and id_a <= id_b)


@njit(cache=True)
def push(keys, ids, size, key, ident):
    """Add ``(key, ident)`` to a heap of ``size`` entries with room for one more; the new
    size."""
    i = size
    keys[i] = key
    ids[i] = ident
    while i > 0:
        parent = (i - 1) >> 1
        if before(keys[parent], ids[parent], keys[i], ids[i]):
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        ids[parent], ids[i] = ids[i], ids[parent]
        i = parent
    return size + 1


@njit(cache=True)
def push_growing(keys, ids, size, key, ident):
    """:func:`push` that doubles full arrays first; the (possibly new) arrays and the size."""
    if size == keys.size:
        k2 = np.empty(2 * keys.size)
        i2 = np.empty(2 * keys.size, np.int64)
        k2[:size] = keys[:size]
        i2[:size] = ids[:size]
        keys, ids = k2, i2
    return keys, ids, push(keys, ids, size, key, ident)


@njit(cache=True)
def pop(keys, ids, size):
    """Remove the least entry (at index 0; read it first); the new size."""
    size -= 1
    keys[0] = keys[size]
    ids[0] = ids[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and before(keys[left + 1], ids[left + 1], keys[left], ids[left]):
            child = left + 1
        if before(keys[i], ids[i], keys[child], ids[child]):
            break
        keys[child], keys[i] = keys[i], keys[child]
        ids[child], ids[i] = ids[i], ids[child]
        i = child
    return size
