"""The snippet shown with a result: the matching quote, or the passage of the text around the
first match, with the matched words marked. Pieces of plain text, escaped when made HTML."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from markupsafe import Markup, escape

from tidings.models import Article, Quote
from tidings.search import terms
from tidings.search.tree import Node, Term, positive_terms

Piece = tuple[str, bool]  # (text, marked)
BEFORE, AFTER = 12, 28  # words of context around the first match
_WORD = re.compile(r"[^\W_]+")


def _phrases(found: Sequence[Term], tag: str, fields: set[str]) -> list[list[str]]:
    out = []
    for term in found:
        if term.field in fields:
            out.append(terms.stemmed(term.value, tag))
        elif term.field in {"entity", "author", "topic", "speaker"} and "names" in fields:
            out.extend([w] for w in terms.folded(term.value))
    return [p for p in out if p]


def _marked(text: str, phrases: Sequence[Sequence[str]], tag: str, stemmed: bool
            ) -> tuple[list[tuple[int, int]], list[bool]]:
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    keys = [terms.stem(text[a:b], tag) if stemmed else terms.fold(text[a:b]) for a, b in spans]
    marks = [False] * len(spans)
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(keys) - n + 1):
            if keys[i:i + n] == list(phrase):
                marks[i:i + n] = [True] * n
    return spans, marks


def _pieces(text: str, spans: list[tuple[int, int]], marks: list[bool], lo: int, hi: int
            ) -> list[Piece]:
    if not spans:
        return [(text[:300], False)] if text else []
    hi = min(hi, len(spans))
    start, end = spans[lo][0], spans[hi - 1][1]
    out: list[Piece] = [("… ", False)] if lo > 0 else []
    at = start
    for (a, b), mark in zip(spans[lo:hi], marks[lo:hi], strict=True):
        if mark:
            out += [(text[at:a], False), (text[a:b], True)]
            at = b
    out.append((text[at:end], False))
    if hi < len(spans):
        out.append((" …", False))
    return [p for p in out if p[0]]


def passage(text: str, phrases: Sequence[Sequence[str]], tag: str, *,
            stemmed: bool = True) -> list[Piece] | None:
    """The window of `text` around its first match; None when nothing in it matches."""
    if not phrases:
        return None
    text = unicodedata.normalize("NFC", text)
    spans, marks = _marked(text, phrases, tag, stemmed)
    if True not in marks:
        return None
    first = marks.index(True)
    return _pieces(text, spans, marks, max(0, first - BEFORE), first + AFTER)


def _quote(quotes: Sequence[Quote], found: Sequence[Term], tag: str) -> list[Piece] | None:
    said = _phrases(found, tag, {"said"})
    speakers = ["".join(terms.folded(t.value)) for t in found if t.field == "speaker"]
    for q in quotes:
        names = set(terms.name_terms(q.speaker))
        if speakers and not all(s in names for s in speakers):
            continue
        body = passage(q.text, said, tag) if said else None
        if said and body is None:
            continue
        return [(f"{q.speaker}: “", False), *(body or [(q.text[:400], False)]), ("”", False)]
    return None


def snippet(article: Article, quotes: Sequence[Quote], tree: Node) -> list[Piece]:
    found = positive_terms(tree)
    tag = terms.language_tag(article.language)
    if any(t.field in {"said", "speaker"} for t in found):
        quoted = _quote(quotes, found, tag)
        if quoted:
            return quoted
    text_phrases = _phrases(found, tag, {"text", "title"})
    for part in [article.text, *article.key_points, *article.captions]:
        got = passage(part, text_phrases, tag)
        if got:
            return got
    names = _phrases(found, tag, {"names"})
    got = passage(article.text, names, tag, stemmed=False)
    return got or _pieces(article.text, [(m.start(), m.end()) for m in
                                         _WORD.finditer(article.text)],
                          [False] * len(_WORD.findall(article.text)), 0, AFTER)


def to_html(pieces: Sequence[Piece]) -> Markup:
    """Every character escaped; only our own <mark> elements are markup."""
    return Markup("").join(Markup("<mark>{}</mark>").format(t) if m else escape(t)
                           for t, m in pieces)


def to_text(pieces: Sequence[Piece]) -> str:
    return "".join(t for t, _ in pieces)
