"""How kernels split the person slots for parallel threads.

Slots are split into ``N_CHUNKS`` fixed chunks whatever the number of threads; flows and
counts go to per-chunk arrays summed in chunk order, so results do not depend on it.
"""

import numba as nb

N_CHUNKS = 64


@nb.njit(inline="always", cache=True)
def chunk_size(slots):
    """Slots per chunk (the last chunk may be shorter)."""
    return (slots + N_CHUNKS - 1) // N_CHUNKS
