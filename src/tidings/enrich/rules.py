"""Which entity mechanisms run: one switch per mechanism, chosen by cross-validation.

Every mechanism is a general pattern of English news writing; none names an entity. Which of
them run is not a matter of taste: `python -m bench.entities` chooses the set by backward
elimination on GUM news dev (a mechanism is dropped only when dropping it raises the
training folds' coarse F1), once per leave-one-article-out fold for the cross-validated
figure and once on all articles for `DEFAULT_RULES`. The merges (`MERGES`) are not chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class EntityRules:
    trim_spans: bool = True  # "Alder Cinema on" → "Alder Cinema"
    given_name: bool = True  # "with Mira Holt" when spaCy tagged only "Holt"
    common_nouns: bool = True  # drop one-word names the article also writes in lower case
    place_cues: bool = True  # "near X", "in X", "X-based": a one-word name is a place
    head_nouns: bool = True  # the last word decides: "… Station" a place, "… Council" an org
    event_heads: bool = True  # "… Festival", "… Cup": an event, neither org nor place
    common_word_people: bool = True  # "Gale Nessa" where "the gale" is a noun: not a person
    not_names: bool = True  # "10:00 GMT", "@handle", "Operation Tern": not entities
    affiliations: bool = True  # "Ada Ruske of Vantor", "Vantor's Ada Ruske": an organisation
    name_parts: bool = True  # a word of a full name stands for that person
    families: bool = True  # "the Hendersons" after "Ada Henderson": people
    acronym_people: bool = True  # a "person" holding an organisation's acronym
    kind_voting: bool = True  # one kind per name in an article, by majority
    untagged_surnames: bool = True  # bare surnames spaCy left untagged
    acronym_keys: bool = True  # "NCA" joins "National Coast Authority"
    org_prefixes: bool = True  # "Harrowgate" joins "Harrowgate Biotech" as one organisation

    def names(self) -> list[str]:
        """Every mechanism's switch."""
        return [f.name for f in fields(self)]

    def without(self, name: str) -> EntityRules:
        return replace(self, **{name: False})

    def enabled(self) -> list[str]:
        """The switches that are on."""
        return [name for name in self.names() if getattr(self, name)]


ALL_RULES = EntityRules()
# Merges change no name and no kind, only how many entities the names make. A document-level
# score counts two correct names of one entity as two correct predictions, so it cannot judge
# them: they stay on, out of the selection, and their tests say what they do.
MERGES = frozenset({"acronym_keys", "org_prefixes"})
# Chosen by `python -m bench.entities` on all of GUM news dev (see the bench's report): every
# fold drops `common_nouns` (it costs two correct names and saves none).
DEFAULT_RULES = ALL_RULES.without("common_nouns")
