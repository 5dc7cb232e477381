"""Enrichment: who and what an article is about, and who said what (offline, spaCy).

Public interface: `load_nlp`, `enrich_article`, `enrich_many`, `entity_key`, `canonical_name`,
`TAXONOMY`. Importing this package does not load the model; the first enrichment does.
"""

from tidings.enrich.article import enrich_article, enrich_many
from tidings.enrich.language import detect_language
from tidings.enrich.loader import load_nlp
from tidings.enrich.names import canonical_name, entity_key
from tidings.enrich.topics import TAXONOMY

__all__ = [
    "TAXONOMY",
    "canonical_name",
    "detect_language",
    "enrich_article",
    "enrich_many",
    "entity_key",
    "load_nlp",
]
