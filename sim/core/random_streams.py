"""Named, counter-based random streams (common random numbers by construction).

Every random number in the monthly step is a pure function of
``(run key, stream, month, person slot, draw)``, computed with the Philox4x32-10
counter-based generator (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as
1, 2, 3", SC 2011; the generator behind cuRAND, JAX and TensorFlow's stateless RNG), checked
against the Random123 known-answer vectors in the tests.

Why counter-based: each process owns a stream, and a person's draw for a process in a month
does not depend on how many draws any other process made, on the order people are visited,
or on the number of threads. A scenario and its baseline with the same seed therefore give
every person the same draw for every event the policy does not touch, and adding a process
later shifts nothing else. One Philox call yields four independent 32-bit uniforms, so a
process that needs several draws for a person in a month takes them from one call.
"""

from __future__ import annotations

import zlib

import numba as nb
import numpy as np

_PHILOX_M0 = np.uint64(0xD2511F53)
_PHILOX_M1 = np.uint64(0xCD9E8D57)
_PHILOX_W0 = np.uint32(0x9E3779B9)
_PHILOX_W1 = np.uint32(0xBB67AE85)
_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_TO_UNIT = 1.0 / 4294967296.0


@nb.njit(inline="always", cache=True)
def philox4x32_10(c0, c1, c2, c3, k0, k1):
    """Philox4x32 with 10 rounds: four uint32 counter words and two key words in, four out."""
    c0 = np.uint32(c0)
    c1 = np.uint32(c1)
    c2 = np.uint32(c2)
    c3 = np.uint32(c3)
    k0 = np.uint32(k0)
    k1 = np.uint32(k1)
    for _ in range(10):
        product0 = _PHILOX_M0 * np.uint64(c0)
        product1 = _PHILOX_M1 * np.uint64(c2)
        high0 = np.uint32(product0 >> _SHIFT32)
        low0 = np.uint32(product0 & _LOW32)
        high1 = np.uint32(product1 >> _SHIFT32)
        low1 = np.uint32(product1 & _LOW32)
        c0, c1, c2, c3 = high1 ^ c1 ^ k0, low1, high0 ^ c3 ^ k1, low0
        k0 = np.uint32(k0 + _PHILOX_W0)
        k1 = np.uint32(k1 + _PHILOX_W1)
    return c0, c1, c2, c3


@nb.njit(inline="always", cache=True)
def uniforms(key, stream, month, slot, draw):
    """Four independent uniforms in (0, 1) for one person slot, month, stream and draw.

    ``key`` is the run's two-word Philox key (uint32 array of length 2); ``stream`` the
    stream id of the process (see :func:`stream_id`); ``draw`` numbers the calls a process
    makes for one person in one month (0, 1, ...).
    """
    a, b, c, d = philox4x32_10(slot, month, stream, draw, key[0], key[1])
    return (
        (np.float64(a) + 0.5) * _TO_UNIT,
        (np.float64(b) + 0.5) * _TO_UNIT,
        (np.float64(c) + 0.5) * _TO_UNIT,
        (np.float64(d) + 0.5) * _TO_UNIT,
    )


def stream_id(name: str) -> int:
    """Stable 32-bit id of a named stream: the same name gives the same id in every run."""
    return zlib.crc32(name.encode("utf-8")) & 0xFFFFFFFF


def run_key(rng: np.random.Generator) -> np.ndarray:
    """The run's Philox key: two uint32 words drawn from the model's seeded generator."""
    return rng.integers(0, 2**32, size=2, dtype=np.uint64).astype(np.uint32)


def batch_generator(key: np.ndarray, stream: str, month: int) -> np.random.Generator:
    """A numpy Generator for whole-batch draws (new entrants, immigrants) of one month.

    Seeded from the run key, the stream name and the month only, so it is shared by a
    scenario and its baseline and independent of every other stream.
    """
    seed = np.random.SeedSequence([int(key[0]), int(key[1]), stream_id(stream), int(month)])
    return np.random.Generator(np.random.Philox(seed))


BLOCK = 512
"""Slots per block of pre-drawn uniforms inside the process kernels."""
LANES = 4
"""Uniforms per Philox call."""


@nb.njit(inline="always", cache=True)
def fill_block(key, stream, month, draw, first, out):
    """``out[i, lane]`` (lane 0-3) = the four uniforms of slot ``first + i`` for this draw,
    the same numbers :func:`uniforms` gives one slot at a time.

    A branch-free loop, so LLVM vectorises the Philox rounds; a person's four uniforms sit
    side by side, which is how the processes read them (one cache line a person).
    """
    for i in range(out.shape[0]):
        a, b, c, d = philox4x32_10(first + i, month, stream, draw, key[0], key[1])
        out[i, 0] = (np.float64(a) + 0.5) * _TO_UNIT
        out[i, 1] = (np.float64(b) + 0.5) * _TO_UNIT
        out[i, 2] = (np.float64(c) + 0.5) * _TO_UNIT
        out[i, 3] = (np.float64(d) + 0.5) * _TO_UNIT


def stochastic_round(value: float, u: float) -> int:
    """floor(value) + 1 with probability frac(value), given a uniform ``u``: unbiased
    whole numbers of agents from a number of people divided by the weight."""
    whole = int(np.floor(value))
    return whole + (1 if u < value - whole else 0)
