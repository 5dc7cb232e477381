"""Language of an article's text (py3langid, offline)."""

from __future__ import annotations

import math
import re

import py3langid

SAMPLE_CHARS = 1200  # a paragraph or two is plenty; classifying whole articles costs more


SHORT_CHARS = 200  # below this a guess is shaky: a language the page declares wins
ENGLISH = "en"
# A headline alone (a feed item with no text) is taken for a language other than English only
# when the classifier gives it this share of its probability: a few words of English come out
# as Nigerian Pidgin, Danish or Galician now and then (3% of the UCI sample's headlines, 10% of
# the ECB+ documents' first lines, many of them dates and bylines; at shares of 0.02-0.64),
# while "Bundesliga: Bayern gewinnt gegen Dortmund" is German at 0.93 and a French headline
# French at 0.99. Below the share the item is left unenriched, as before.
HEADLINE_SURE = 0.9


def detect_language(text: str, declared: str = "") -> str:
    """ISO 639-1 code of the text's language, or "" when there is no text to judge.

    `declared` is what the page or feed says ("en-GB"); it is trusted only for short texts,
    since pages often declare their site's language rather than the article's.
    """
    sample = text[:SAMPLE_CHARS].strip()
    if not sample:
        return ""
    said = declared_code(declared)
    if said and len(sample) < SHORT_CHARS:
        return said
    code, _score = py3langid.classify(sample)
    return str(code)


def declared_code(declared: str) -> str:
    """The two-letter code a declared language starts with ("de" of "de-AT"), or "" (a
    three-letter code such as "fil" is not cut down to another language's "fi")."""
    primary = re.split(r"[-_]", declared.strip(), maxsplit=1)[0].lower()
    return primary if len(primary) == 2 and primary.isascii() and primary.isalpha() else ""


def headline_language(title: str, declared: str = "") -> str:
    """Language of an item that has only a headline, or "" when unsure (it is then left
    unenriched, as an item with no words is). The declared language wins; else English when
    the classifier's first choice is English, another language only when it is sure of it
    (`HEADLINE_SURE`)."""
    sample = title[:SAMPLE_CHARS].strip()
    if not sample:
        return ""
    said = declared_code(declared)
    if said:
        return said
    code, share = _first_choice(sample)
    return code if code == ENGLISH or share >= HEADLINE_SURE else ""


def _first_choice(sample: str) -> tuple[str, float]:
    """The classifier's first language and its share of the probability (its own softmax:
    scores scaled by 1/sqrt(bytes), as py3langid's normalised probabilities are)."""
    ranked = py3langid.rank(sample)
    scale = 1.0 / math.sqrt(len(sample.encode("utf-8")) or 1)
    top = float(ranked[0][1])
    total = sum(math.exp((float(score) - top) * scale) for _, score in ranked)
    return str(ranked[0][0]), 1.0 / total
