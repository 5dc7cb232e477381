"""How text becomes index terms, the same way for articles, queries and both databases.

A word is a run of letters and digits. Text fields (title, body, quotes) are stemmed with the
Snowball stemmer of the article's own language, then lower-cased and stripped of accents; a
term carries its field and that language (`ben_sanction`: body, English). A query word is
stemmed once per language, so an English article matches the English stem and a French one
the French stem, and nothing matches across languages by accident. Name fields (entity,
speaker, topic) are not stemmed: each name gives one term per word and one for the whole name
(`e_wang`, `e_wenbin`, `e_wangwenbin`), so `entity:Lavrov` and `entity:"Sergey Lavrov"` both
find the canonical "Sergey Lavrov". Authors are unstemmed words. Each quote's words are also
indexed with each name term of its speaker (`qen_wenbin_sanction`), so that `speaker:Wenbin
said:sanctions` asks what he said, not whether he spoke and someone mentioned sanctions.
Segments (two quotes, two captions, two names) are kept apart by SEP so that a phrase never
spans them.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

STEMMERS = {"en": "english", "fr": "french", "de": "german", "es": "spanish",
            "it": "italian", "pt": "portuguese", "nl": "dutch", "ru": "russian",
            "sv": "swedish"}
UNSTEMMED = "xx"  # any other language, or none detected
LANGUAGES = (*STEMMERS, UNSTEMMED)
SEP = "_"  # a term of its own that no word can produce
MAX_WORD = 64  # characters kept of one word
MAX_TERMS = 12000  # terms indexed per article (PostgreSQL positions stop at 16383)
STEMMED_FIELDS = {"title": "t", "body": "b", "said": "s", "quoted": "q"}
NAME_FIELDS = {"entity": "e", "speaker": "p", "topic": "c"}
WORD_FIELDS = {"author": "a"}
_WORD = re.compile(r"[^\W_]+")
_local = threading.local()


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text))


def language_tag(language: str) -> str:
    code = (language or "").lower()[:2]
    return code if code in STEMMERS else UNSTEMMED


def _stemmer(tag: str) -> snowballstemmer.Stemmer:
    cache: dict[str, snowballstemmer.Stemmer] = getattr(_local, "stemmers", None) or {}
    _local.stemmers = cache
    if tag not in cache:
        cache[tag] = snowballstemmer.stemmer(STEMMERS[tag])
    return cache[tag]


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower case without accents; only letters and digits remain."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    kept = "".join(ch for ch in decomposed if ch.isalnum())
    return unicodedata.normalize("NFC", kept)[:MAX_WORD]


@lru_cache(maxsize=200_000)
def stem(word: str, tag: str) -> str:
    lowered = word.lower()[:MAX_WORD]
    if tag != UNSTEMMED:
        lowered = _stemmer(tag).stemWord(lowered)
    return fold(lowered) or fold(word)


def stemmed(text: str, tag: str) -> list[str]:
    return [s for w in words(text) if (s := stem(w, tag))]


def folded(text: str) -> list[str]:
    return [f for w in words(text) if (f := fold(w))]


def name_terms(name: str) -> list[str]:
    """One term per word of a name, and one for the whole name when it has several."""
    parts = folded(name)
    return parts + (["".join(parts)] if len(parts) > 1 else [])


@dataclass
class Document:
    """What is searchable of one article, as segments of terms per field."""

    language: str
    segments: dict[str, list[list[str]]] = field(default_factory=dict)


def document(*, language: str, title: str, byline: str, body: Iterable[str],
             quotes: Iterable[tuple[str, str]], entities: Iterable[str],
             topics: Iterable[str]) -> Document:
    """The article's searchable segments (`quotes` are (speaker, text) pairs)."""
    tag = language_tag(language)
    said = list(quotes)
    segs = {
        "title": [stemmed(title, tag)],
        "body": [stemmed(part, tag) for part in body],
        "said": [stemmed(text, tag) for _, text in said],
        "author": [folded(byline)],
        "entity": [[t] for name in entities for t in name_terms(name)],
        "speaker": [[t] for speaker, _ in said for t in name_terms(speaker)],
        "topic": [[t] for topic in topics for t in name_terms(topic)],
        "quoted": [[f"{n}_{w}" for w in stemmed(text, tag)]
                   for speaker, text in said for n in name_terms(speaker)],
    }
    return Document(tag, {k: [s for s in v if s] for k, v in segs.items()})


def _prefix(field_name: str, tag: str) -> str:
    if field_name in STEMMED_FIELDS:
        return f"{STEMMED_FIELDS[field_name]}{tag}_"
    return f"{(NAME_FIELDS | WORD_FIELDS)[field_name]}_"


def index_terms(doc: Document) -> list[str]:
    """The article's term stream: SEP between segments, at most MAX_TERMS long."""
    stream: list[str] = []
    for field_name, segments in doc.segments.items():
        prefix = _prefix(field_name, doc.language)
        for seg in segments:
            stream.extend(prefix + t for t in seg)
            stream.append(SEP)
    return stream[:MAX_TERMS]


def query_phrases(field_name: str, value: str, speaker: str = "",
                  tags: Sequence[str] = LANGUAGES) -> list[tuple[str, ...]]:
    """The index-term sequences any of which matches the term `field:value` (`text` is title
    or body); a sequence matches when its terms stand together in that order. Only the
    language `tags` given are tried (those the index holds). Empty when the value has nothing
    to search for."""
    if field_name in NAME_FIELDS:
        joined = "".join(folded(value))
        return [(_prefix(field_name, "") + joined,)] if joined else []
    if field_name in WORD_FIELDS:
        found = tuple(_prefix(field_name, "") + t for t in folded(value))
        return [found] if found else []
    fields = ("title", "body") if field_name == "text" else (field_name,)
    by = "".join(folded(speaker))
    if by and field_name == "said":
        fields, value_prefix = ("quoted",), f"{by}_"
    elif speaker:
        return []
    else:
        value_prefix = ""
    phrases = [tuple(_prefix(f, tag) + value_prefix + t for t in stemmed(value, tag))
               for tag in tags for f in fields]
    return phrases if all(phrases) else []


def contains(stream: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether `phrase` occurs in `stream` as consecutive terms."""
    n, first = len(phrase), phrase[0] if phrase else None
    return any(term == first and tuple(stream[i:i + n]) == tuple(phrase)
               for i, term in enumerate(stream))
