"""Language of an article's text (py3langid, offline)."""

from __future__ import annotations

import py3langid

SAMPLE_CHARS = 1200  # a paragraph or two is plenty; classifying whole articles costs more


SHORT_CHARS = 200  # below this a guess is shaky: a language the page declares wins


def detect_language(text: str, declared: str = "") -> str:
    """ISO 639-1 code of the text's language, or "" when there is no text to judge.

    `declared` is what the page or feed says ("en-GB"); it is trusted only for short texts,
    since pages often declare their site's language rather than the article's.
    """
    sample = text[:SAMPLE_CHARS].strip()
    if not sample:
        return ""
    declared = declared.strip().lower()[:2]
    if declared.isalpha() and len(declared) == 2 and len(sample) < SHORT_CHARS:
        return declared
    code, _score = py3langid.classify(sample)
    return str(code)
