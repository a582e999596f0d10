"""Philox4x32-10 matches the reference; named streams are independent and stable."""

from __future__ import annotations

import numba as nb
import numpy as np
import pytest

from sim.core.random_streams import BLOCK, fill_block, philox4x32_10, stream_id, uniforms

# Random123's published known-answer vectors (tests/kat_vectors of Salmon et al. 2011).
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


@nb.njit
def _philox(c0, c1, c2, c3, k0, k1):
    return philox4x32_10(c0, c1, c2, c3, k0, k1)


@pytest.mark.parametrize("counter, key, expected", KNOWN_ANSWERS)
def test_philox_matches_random123_known_answers(counter, key, expected):
    assert tuple(int(word) for word in _philox(*counter, *key)) == expected


@nb.njit
def _uniforms(key, stream, month, slot, draw):
    return uniforms(key, stream, month, slot, draw)


@nb.njit
def _block(key, stream, month, first, size):
    out = np.empty((size, 4))
    fill_block(key, stream, month, 0, first, out)
    return out


def test_block_draws_equal_single_draws():
    key = np.array([12345, 678], dtype=np.uint32)
    block = _block(key, stream_id("work"), 7, 1000, BLOCK)
    for offset in (0, 17, BLOCK - 1):
        assert tuple(block[offset]) == _uniforms(key, stream_id("work"), 7, 1000 + offset, 0)


def test_uniforms_are_uniform_and_streams_differ():
    key = np.array([1, 2], dtype=np.uint32)
    work = _block(key, stream_id("work"), 0, 0, 200_000)[:, 0]
    health = _block(key, stream_id("health"), 0, 0, 200_000)[:, 0]
    assert 0.0 < work.min() and work.max() < 1.0
    assert abs(work.mean() - 0.5) < 0.003
    assert abs(work.var() - 1 / 12) < 0.001
    assert abs(np.corrcoef(work, health)[0, 1]) < 0.01
    assert stream_id("work") == stream_id("work") != stream_id("health")
