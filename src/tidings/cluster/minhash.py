"""MinHash signatures over word shingles: the same article syndicated or re-published.

The share of equal slots in two signatures estimates the Jaccard overlap of the two texts'
sets of word 4-grams. Hash functions are multiply-shift on 64 bits, with constants derived
from blake2b so that signatures stay comparable across processes, machines and versions.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

PERMUTATIONS = 64
SHINGLE = 4  # words per shingle: long enough that shared phrases are not chance


def _constants() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    raw = hashlib.blake2b(b"tidings-minhash-v1", digest_size=64).digest()
    seeds = [hashlib.blake2b(raw + i.to_bytes(2, "big"), digest_size=16).digest()
             for i in range(PERMUTATIONS)]
    mult = np.array([int.from_bytes(s[:8], "big") | 1 for s in seeds], dtype=np.uint64)
    add = np.array([int.from_bytes(s[8:], "big") for s in seeds], dtype=np.uint64)
    return mult, add


_MULT, _ADD = _constants()


def shingles(words: Sequence[str]) -> set[str]:
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return set(map(" ".join, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))


def signature(words: Sequence[str]) -> tuple[int, ...]:
    """MinHash of the text's shingles; empty for a text with no words."""
    found = shingles(words)
    if not found:
        return ()
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, found)), dtype=np.uint64,
                         count=len(found))
    # uint64 products wrap modulo 2**64, which is what multiply-shift hashing wants.
    mixed = (hashes[None, :] * _MULT[:, None] + _ADD[:, None]) >> np.uint64(32)
    return tuple(int(v) for v in mixed.min(axis=1))


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard overlap of two texts' shingles (0.0 when either is empty)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)
