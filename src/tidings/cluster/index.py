"""Index keys of a fingerprint: how a new article finds its candidate stories in the store.

An article can only join a story whose articles share something with it, so each article is
filed under a few keys and a new one looks up only the articles filed under its own: its
strongest names and topic words (words that are in every story carry little weight in a
bag, so they rarely come first), and, for the lead embedding, locality-sensitive hash bands
(random hyperplanes: two headlines that say the same thing in other words fall in one band
with good odds). The cost of a look-up grows with the postings of those keys within the
time window, not with the number of stories stored.
"""

from __future__ import annotations

import hashlib
import zlib

import numpy as np
import numpy.typing as npt

from tidings.cluster.fingerprint import Fingerprint

NAME_KEYS = 6
TOPIC_KEYS = 8
BANDS = 12  # LSH bands over the embedding …
BAND_BITS = 6  # … of this many hyperplane signs each
_SEED = b"tidings-lsh-v1"


def _hyperplanes(dim: int) -> npt.NDArray[np.float64]:
    """Fixed random hyperplanes (derived from a constant), the same in every process."""
    seed = int.from_bytes(hashlib.blake2b(_SEED + dim.to_bytes(4, "big"),
                                          digest_size=8).digest(), "big")
    return np.random.default_rng(seed).standard_normal((BANDS * BAND_BITS, dim))


_PLANES: dict[int, npt.NDArray[np.float64]] = {}


def _planes(dim: int) -> npt.NDArray[np.float64]:
    if dim not in _PLANES:
        _PLANES[dim] = _hyperplanes(dim)
    return _PLANES[dim]


def _key(kind: str, value: str) -> int:
    # 31 bits: fits a signed 32-bit column on every database.
    return zlib.crc32(f"{kind}:{value}".encode()) & 0x7FFFFFFF


def _strongest(bag: dict[str, float], count: int) -> list[str]:
    return [t for t, _ in sorted(bag.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


def index_keys(fp: Fingerprint) -> list[int]:
    """The keys this article is filed under and looks candidates up by (distinct, sorted)."""
    keys = {_key("n", t) for t in _strongest(fp.names, NAME_KEYS)}
    keys |= {_key("t", t) for t in _strongest(fp.topic, TOPIC_KEYS)}
    if fp.embedding:
        signs = (_planes(len(fp.embedding)) @ fp.embedding_array.astype(np.float64)) > 0
        for band in range(BANDS):
            bits = signs[band * BAND_BITS:(band + 1) * BAND_BITS]
            keys.add(_key(f"e{band}", "".join("1" if b else "0" for b in bits)))
    return sorted(keys)
