"""One spaCy pipeline for the whole enrich test session (loading it costs about a second)."""

from __future__ import annotations

import pytest
from spacy.language import Language

from tidings.enrich import load_nlp


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_nlp()
