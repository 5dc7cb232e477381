"""The compact, JSON-serialisable summary of one article that clustering works from."""

from __future__ import annotations

import base64
import binascii
import json
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from tidings.cluster import minhash
from tidings.cluster.terms import analyse

FORMAT_VERSION = 2  # packed bags (`_pack_bag`); format 1 (bags as JSON objects) still reads
NEAR_DUPLICATE = 0.6  # estimated shingle overlap from which two texts are one article
# A text (title aside) with fewer words than this is a headline-and-a-sentence item: its bags
# are too small to compare on their own, so its lead's embedding carries more of the weight.
SHORT_WORDS = 40
LEAD_LINES = 3  # the title plus this many lines of text make the lead that is embedded
EMBEDDING_SCALE = 127.0  # embeddings are kept as int8: unit vectors lose < 1% of a cosine


class FingerprintError(ValueError):
    """A stored fingerprint could not be read back."""


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """MinHash for near-duplicates, plus weighted topic, name and year bags for story similarity.

    Bags are L2-normalised `{term: weight}` maps; `signature` is empty for an empty text.
    Two fingerprints are equal when their fields are, however each was made (read back from
    its stored form or computed).
    """

    # No class-level defaults (default_factory): a fingerprint read back makes these only
    # when they are asked for (`_Stored`), which a class attribute would hide.
    signature: tuple[int, ...] = field(default_factory=tuple)
    topic: dict[str, float] = field(default_factory=dict)
    names: dict[str, float] = field(default_factory=dict)
    years: dict[str, float] = field(default_factory=dict)
    # the lead's unit vector, when an encoder was given
    embedding: tuple[float, ...] = field(default_factory=tuple)
    short: bool = False  # headline-only item (see SHORT_WORDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in _FIELDS)

    __hash__ = None  # type: ignore[assignment]  # its bags are dicts, as with eq=True

    @property
    def is_empty(self) -> bool:
        return not self.signature and not self.topic

    @cached_property
    def embedding_array(self) -> npt.NDArray[np.float32]:
        return np.array(self.embedding, dtype=np.float32)

    # Array forms for fast comparison against thousands of candidates, built once per object.
    @cached_property
    def signature_array(self) -> npt.NDArray[np.uint64]:
        return np.array(self.signature, dtype=np.uint64)

    @cached_property
    def signature_bytes(self) -> bytes:
        """The signature as big-endian uint32s (as stored): many are joined and compared
        at once."""
        return struct.pack(f">{len(self.signature)}I", *self.signature)

    @cached_property
    def topic_arrays(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64]]:
        return term_arrays(self.topic)

    @cached_property
    def name_arrays(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64]]:
        return term_arrays(self.names)

    @cached_property
    def year_arrays(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64]]:
        return term_arrays(self.years)

    def to_json(self) -> str:
        """The stored form: format 2 (each bag's terms in one string, their ids and weights
        packed), or format 1 for a bag format 2 cannot hold exactly (a term with a space,
        a weight not rounded to four places, as `terms.bags` rounds them)."""
        sig = base64.b64encode(self.signature_bytes)
        data: dict[str, Any] = {"v": FORMAT_VERSION, "sig": sig.decode("ascii")}
        try:
            for key, bag in (("t", self.topic), ("n", self.names), ("y", self.years)):
                data[key], data[f"{key}b"] = _pack_bag(bag)
        except ValueError:
            data = {"v": 1, "sig": data["sig"], "topic": self.topic, "names": self.names,
                    "years": self.years}
        if self.embedding:
            data["emb"] = _pack_embedding(self.embedding)
        if self.short:
            data["short"] = True
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Fingerprint:
        """A stored fingerprint, of any format written so far."""
        try:
            data = json.loads(text)
            if isinstance(data, dict) and data.get("v") == FORMAT_VERSION:
                return _read_packed(data)
            # Fingerprints stored before years were kept have none: they read as yearless.
            return cls(_read_signature(data), _read_bag(data, "topic"), _read_bag(data, "names"),
                       _read_bag(data, "years") if "years" in data else {},
                       _unpack_embedding(data.get("emb", "")), bool(data.get("short", False)))
        except (ValueError, TypeError, KeyError, struct.error) as exc:
            raise FingerprintError(
                f"not a story fingerprint ({exc}): {text[:80]!r}; recompute it with "
                "tidings.cluster.fingerprint(title, text)") from exc


_FIELDS = ("signature", "topic", "names", "years", "embedding", "short")
Arrays = tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64]]
WEIGHT_STEPS = 10000  # bag weights are rounded to four places (`terms.bags`)


def _pack_bag(bag: dict[str, float]) -> tuple[str, str]:
    """(the terms, space-separated, in the bag's order; base64 of their CRC-32 ids as
    little-endian uint32 then their weights in ten-thousandths as uint16). Raises
    ValueError when that would not give back exactly `bag`."""
    if any(not t or " " in t for t in bag):
        raise ValueError("a term format 2 cannot hold")
    weights = np.fromiter(bag.values(), dtype=np.float64, count=len(bag))
    steps = np.round(weights * WEIGHT_STEPS)
    if len(bag) and (steps.min() < 0 or steps.max() > 0xFFFF
                     or not np.array_equal(steps / WEIGHT_STEPS, weights)):
        raise ValueError("a weight format 2 cannot hold")
    ids = np.fromiter(map(zlib.crc32, map(str.encode, bag)), dtype="<u4", count=len(bag))
    raw = ids.tobytes() + steps.astype("<u2").tobytes()
    return " ".join(bag), base64.b64encode(raw).decode("ascii")


_NO_IDS = np.zeros(0, dtype=np.uint64)
_NO_WEIGHTS = np.zeros(0, dtype=np.float64)
_NO_IDS.flags.writeable = _NO_WEIGHTS.flags.writeable = False  # shared by every empty bag
Packed = tuple[str, npt.NDArray[np.float64]]  # a bag's terms, space-separated, and weights


def _unpack_bag(terms: str, packed: str) -> tuple[Packed, Arrays]:
    """A bag packed by `_pack_bag`: its terms and weights in the bag's order (`_bag` makes
    the bag of them), and its `term_arrays` (from the stored ids)."""
    if not terms and not packed:  # an empty bag (most years bags, many names bags)
        return (terms, _NO_WEIGHTS), (_NO_IDS, _NO_WEIGHTS)
    raw = binascii.a2b_base64(packed, strict_mode=True)
    count = terms.count(" ") + 1 if terms else 0
    if len(raw) != 6 * count:
        raise ValueError(f"{len(raw)} packed bytes for {count} terms")
    ids = np.frombuffer(raw, dtype="<u4", count=count).astype(np.uint64)
    weights = np.frombuffer(raw, dtype="<u2", count=count, offset=4 * count) / WEIGHT_STEPS
    order = np.argsort(ids, kind="stable")
    return (terms, weights), (ids[order], weights[order])


def _bag(terms: str, weights: npt.NDArray[np.float64]) -> dict[str, float]:
    return dict(zip(terms.split(" "), weights.tolist(), strict=True)) if terms else {}


def _read_packed(data: dict[str, Any]) -> Fingerprint:
    """Format 2; its array forms come from the stored ids (no term is hashed again)."""
    raw = binascii.a2b_base64(data["sig"], strict_mode=True)
    if len(raw) % 4:
        raise ValueError(f"a signature of {len(raw)} bytes")
    sig = np.frombuffer(raw, dtype=">u4")
    topic, topic_arrays = _unpack_bag(data["t"], data["tb"])
    names, name_arrays = _unpack_bag(data["n"], data["nb"])
    years, year_arrays = _unpack_bag(data["y"], data["yb"])
    unit = _unit_embedding(data.get("emb", ""))
    fp = object.__new__(_Stored)
    # cached_property keeps its value in the instance's __dict__ (frozen or not)
    vars(fp).update(short=bool(data.get("short", False)), _sig=sig, _unit=unit,
                    _bags={"topic": topic, "names": names, "years": years},
                    signature_array=sig.astype(np.uint64), signature_bytes=raw,
                    topic_arrays=topic_arrays, name_arrays=name_arrays,
                    year_arrays=year_arrays, embedding_array=unit.astype(np.float32))
    return fp


class _Stored(Fingerprint):
    """A fingerprint read back from format 2. Comparing it with others needs only its array
    forms, made as it is read; its bags, and its signature and embedding as tuples, are
    made the first time something asks for them (most of the stored fingerprints a
    placement reads are compared and never looked into). It equals, and behaves as, the
    `Fingerprint` of the same fields; `dataclasses.replace` works on it as on any."""

    def __getattr__(self, name: str) -> Any:  # only for what __dict__ does not hold yet
        own = vars(self)
        if name in ("topic", "names", "years"):
            value: Any = _bag(*own["_bags"][name])
        elif name == "signature":
            value = tuple(own["_sig"].tolist())
        elif name == "embedding":
            value = tuple(own["_unit"].tolist())
        else:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        own[name] = value
        return value


def term_arrays(bag: dict[str, float]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64]]:
    """A bag as (term ids sorted, weights): ids are CRC-32 of the term, stable everywhere."""
    ids = np.fromiter(map(zlib.crc32, map(str.encode, bag)), dtype=np.uint64, count=len(bag))
    weights = np.fromiter(bag.values(), dtype=np.float64, count=len(bag))
    order = np.argsort(ids, kind="stable")
    return ids[order], weights[order]


def _pack_embedding(vector: Sequence[float]) -> str:
    raw = np.clip(np.round(np.asarray(vector) * EMBEDDING_SCALE), -127, 127).astype(np.int8)
    return base64.b64encode(raw.tobytes()).decode("ascii")


def _unpack_embedding(text: str) -> tuple[float, ...]:
    return tuple(_unit_embedding(text).tolist())


def _unit_embedding(text: str) -> npt.NDArray[np.float64]:
    """A stored embedding as a unit vector (empty for none, or for a zero vector)."""
    if not text:
        return _NO_WEIGHTS
    vector = np.frombuffer(binascii.a2b_base64(text, strict_mode=True),
                           dtype=np.int8).astype(np.float64)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else _NO_WEIGHTS


def _read_signature(data: Any) -> tuple[int, ...]:
    if not isinstance(data, dict):
        raise TypeError(f"a {type(data).__name__}, expected an object")
    if data.get("v") != 1:
        raise ValueError(f"format version {data.get('v')!r}, expected 1 or {FORMAT_VERSION}")
    raw = base64.b64decode(data["sig"], validate=True)
    return struct.unpack(f">{len(raw) // 4}I", raw)


def _read_bag(data: dict[str, Any], key: str) -> dict[str, float]:
    bag = data[key]
    if not isinstance(bag, dict):
        raise TypeError(f"{key} is {type(bag).__name__}, expected an object")
    return {str(term): float(weight) for term, weight in bag.items()}


def fingerprint(title: str, text: str, *, entities: Sequence[str] = (),
                embedding: Sequence[float] = ()) -> Fingerprint:
    """Summarise one article; `entities` are names found by enrichment and `embedding` the
    unit vector of `lead(title, text)` from a sentence encoder (both optional)."""
    title, text = title or "", text or ""
    seen = analyse(title, text, entities, short_words=SHORT_WORDS)
    found = seen.bags
    vector = tuple(round(float(v), 4) for v in embedding)
    return Fingerprint(minhash.signature(seen.every_word), found.topic, found.names,
                       found.years, vector, seen.word_count < SHORT_WORDS)


def lead(title: str, text: str) -> str:
    """The part of an article that is embedded: its title and first lines."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return "\n".join([t for t in [(title or "").strip()] if t] + lines[:LEAD_LINES])


def is_near_duplicate(a: Fingerprint, b: Fingerprint) -> bool:
    """True when `b` is (almost) the same text as `a`: syndicated or re-published."""
    return minhash.similarity(a.signature, b.signature) >= NEAR_DUPLICATE
