"""Enrichment: who and what an article is about, and who said what (offline, spaCy).

Public interface: `load_nlp`, `enrich_article`, `enrich_many`, `entity_key`, `canonical_name`,
`TAXONOMY`. Importing this package does not load the model; the first enrichment does.

Sentence embeddings (all-MiniLM-L6-v2) are deliberately not used. Measured on ECB+ dev (772
documents; same average-linkage clustering at each representation's best threshold; BCubed F1):
TF-IDF 0.873, MiniLM 0.858, 0.7 TF-IDF + 0.3 MiniLM 0.871, 0.5 + 0.5 0.869. No gain, for about
three times enrichment's own time per article (5 documents/s per core, a numpy forward over the
first 256 word pieces). Revisit if a ranking benchmark shows otherwise.
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
