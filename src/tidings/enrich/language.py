"""Language of an article's text (py3langid, offline)."""

from __future__ import annotations

import py3langid

SAMPLE_CHARS = 1200  # a paragraph or two is plenty; classifying whole articles costs more


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or "" when there is no text to judge."""
    sample = text[:SAMPLE_CHARS].strip()
    if not sample:
        return ""
    code, _score = py3langid.classify(sample)
    return str(code)
