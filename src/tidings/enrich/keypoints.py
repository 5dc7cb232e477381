"""Key points: the page's own bullets, or else up to three extractive sentences.

A sentence is central when its content words are frequent in the whole article (a TF
centroid), helped by position (news puts the gist first) and by salient entities. Picked
greedily, skipping any that repeat one already chosen; shown in article order.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from spacy.lang.en.stop_words import STOP_WORDS

from tidings.enrich.sentences import OPENERS, Span, split_sentences

MAX_POINTS = 3
MIN_WORDS, MAX_WORDS = 8, 55
REDUNDANT = 0.45  # Jaccard overlap of content words above which a sentence repeats another


def key_points(text: str, existing: list[str], salient: list[str] | None = None) -> list[str]:
    """The page's bullets when it has them, else up to three central, non-redundant sentences."""
    if existing:
        return list(existing)
    spans = [s for s in split_sentences(text) if _candidate(s.text(text))]
    if not spans:
        return []
    weights = Counter(w for s in spans for w in _content_words(s.text(text)))
    ranked = sorted(range(len(spans)),
                    key=lambda i: -_score(spans[i], i, text, weights, salient or []))
    chosen: list[int] = []
    for i in ranked:
        words = _content_words(spans[i].text(text))
        if all(_overlap(words, _content_words(spans[j].text(text))) < REDUNDANT for j in chosen):
            chosen.append(i)
        if len(chosen) == MAX_POINTS:
            break
    return [spans[i].text(text) for i in sorted(chosen)]


def _candidate(sentence: str) -> bool:
    """A whole statement: a sensible length, not a quotation alone, not a caption or label."""
    n = len(sentence.split())
    return (MIN_WORDS <= n <= MAX_WORDS and sentence[:1].isupper()
            and not sentence.startswith(tuple(OPENERS)) and sentence.rstrip()[-1:] in ".!?”\"’")


def _content_words(sentence: str) -> set[str]:
    words = re.findall(r"[A-Za-z][\w’'-]+", sentence.casefold())
    return {w for w in words if w not in STOP_WORDS and len(w) > 2}


def _score(span: Span, index: int, text: str, weights: Counter[str], salient: list[str]) -> float:
    sentence = span.text(text)
    words = _content_words(sentence)
    centrality = sum(math.log1p(weights[w]) for w in words) / math.sqrt(len(words) + 1)
    lead = 1.5 / (1 + index)  # the first sentences of a news story carry its gist
    names = sum(1 for name in salient if name in sentence)
    return centrality + lead + 0.5 * names


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0
