"""What kind each mention is: spaCy's tag corrected with the article's own evidence.

spaCy tags each mention on its own. Here every mention is judged with what the same article
says elsewhere: a name's head noun ("… Council"), the words around it ("near X", "X said"),
whether the article writes its first word as a common noun ("the gale"), the full names it
is part of, and how the other mentions of the same name are tagged.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from tidings.enrich.cues import (
    EVENT,
    affiliated,
    head_kind,
    not_a_name,
    person_context,
    place_context,
    written_as_noun,
)
from tidings.enrich.mentions import Mention
from tidings.enrich.names import alias_of
from tidings.enrich.rules import DEFAULT_RULES, EntityRules
from tidings.models import EntityKind

PERSON, ORG, PLACE, OTHER = EntityKind.PERSON, EntityKind.ORG, EntityKind.PLACE, EntityKind.OTHER
# On a tie, the tag spaCy gets right more often wins (GPE over ORG for a country name).
TIE_ORDER = (PERSON, PLACE, ORG, OTHER)


def fold(text: str) -> str:
    return text.casefold().replace("’", "'")


class Evidence:
    """What the article says about each name, gathered once before any kind is changed."""

    def __init__(self, mentions: list[Mention], text: str) -> None:
        self.text = text
        self.parts = name_parts(mentions)
        self.votes: dict[str, Counter[EntityKind]] = defaultdict(Counter)
        for m in mentions:
            self.votes[fold(m.surface)][m.kind] += 1
        self.placed = _place_evidence(mentions, text)
        self.organisations = {m.surface for m in mentions if m.kind == ORG}
        self.cued = {fold(m.surface) for m in mentions
                     if person_context(text, m.start, m.end)}
        people = [(m.start, m.end) for m in mentions if m.kind == PERSON]
        self.affiliations = {fold(m.surface) for m in mentions
                             if affiliated(m.start, m.end, people, text)}


def name_parts(mentions: list[Mention]) -> dict[str, list[Mention]]:
    """First and last word of every multi-word person name → those full-name mentions."""
    parts: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        words = m.surface.split()
        if m.kind == PERSON and len(words) > 1:
            for word in {words[0], words[-1]}:
                parts[fold(word)].append(m)
    return parts


def fix_kinds(mentions: list[Mention], text: str, rules: EntityRules = DEFAULT_RULES) -> None:
    """Correct kinds in place with the article's own evidence, then settle by majority."""
    evidence = Evidence(mentions, text)
    tagged = [m.kind for m in mentions]
    for m in mentions:
        m.kind = _corrected_kind(m, evidence, rules)
        if rules.families and _is_family(m, evidence):
            m.kind = PERSON
    _follow_full_names(mentions, tagged)
    if rules.kind_voting:
        _settle(mentions)
    if rules.org_prefixes:
        _prefixes_of_organisations(mentions, evidence)


def _follow_full_names(mentions: list[Mention], tagged: list[EntityKind]) -> None:
    """A lone word of a 'person' found not to be one ('Nessa' of 'Gale Nessa') follows it."""
    people = {fold(w) for m in mentions if m.kind == PERSON and " " in m.surface
              for w in m.surface.split()}
    fallen = {fold(m.surface.split()[-1]): m.kind for m, kind in zip(mentions, tagged, strict=True)
              if kind == PERSON and m.kind != PERSON and " " in m.surface}
    for m in mentions:
        word = fold(m.surface)
        if m.kind == PERSON and " " not in m.surface and word in fallen and word not in people:
            m.kind = fallen[word]


def _settle(mentions: list[Mention]) -> None:
    """One kind per name: the majority of its mentions (a lone word tagged person excepted,
    since 'Kerr' may be two different people, one of them a place's namesake)."""
    settled: dict[str, Counter[EntityKind]] = defaultdict(Counter)
    for m in mentions:
        settled[fold(m.surface)][m.kind] += 1
    for m in mentions:
        if m.kind != PERSON or " " in m.surface:
            m.kind = majority(settled[fold(m.surface)])


def majority(votes: Counter[EntityKind]) -> EntityKind:
    """The most frequent kind, ties broken by TIE_ORDER."""
    return max(votes, key=lambda kind: (votes[kind], -TIE_ORDER.index(kind)))


def _is_family(m: Mention, evidence: Evidence) -> bool:
    """'the Hendersons' after 'Ada Henderson': a family named by its surname, a group of people."""
    stem = fold(m.surface[:-1])
    before = evidence.text[max(0, m.start - 4):m.start].casefold()
    return (m.surface.endswith("s") and " " not in m.surface and stem in evidence.parts
            and before == "the ")


def _place_evidence(mentions: list[Mention], text: str) -> set[str]:
    """One-word names that read as places more often than as people or organisations here.

    For: a place tag, or another tag in a place context ("near X", "X-based"). Against: a
    person or organisation tag anywhere else. A woman tagged a place once among several
    person tags stays a person.
    """
    score: Counter[str] = Counter()
    for m in mentions:
        if " " in m.surface or m.kind not in (PERSON, ORG, PLACE):
            continue
        is_place = m.kind == PLACE or place_context(text, m.start, m.end)
        score[fold(m.surface)] += 1 if is_place else -1
    return {name for name, balance in score.items() if balance >= 0}


def _corrected_kind(m: Mention, evidence: Evidence, rules: EntityRules) -> EntityKind:
    known = alias_of(m.surface)
    if known:
        return known[1]
    if rules.not_names and not_a_name(m.surface, evidence.text, m.start):
        return OTHER
    if rules.affiliations and m.kind == PERSON and fold(m.surface) in evidence.affiliations:
        return ORG
    if " " in m.surface:
        return _multi_word_kind(m, evidence, rules)
    name = fold(m.surface)
    if rules.name_parts and name in evidence.parts and _reads_as_name_part(m, evidence):
        return PERSON
    if rules.place_cues and m.kind in (PERSON, ORG) and name in evidence.placed:
        return PLACE
    if rules.common_word_people and _common_word_person(m, evidence):
        return OTHER
    return m.kind


def _multi_word_kind(m: Mention, evidence: Evidence, rules: EntityRules) -> EntityKind:
    spoken = fold(m.surface) in evidence.cued
    if rules.event_heads and m.kind in (ORG, PLACE) and EVENT.search(m.surface):
        return OTHER
    head = head_kind(m.surface) if rules.head_nouns else None
    if head in (ORG, PLACE) and not (m.kind == PERSON and spoken):
        return head
    if rules.common_word_people and _common_word_person(m, evidence):
        return OTHER
    return _acronym_in_name(m, evidence.organisations) if rules.acronym_people else m.kind


def _common_word_person(m: Mention, evidence: Evidence) -> bool:
    """A 'person' whose leading word the article uses as a common noun ('the gale'), never
    seen speaking or described as a person, is a thing named like one ('Gale Nessa')."""
    if m.kind != PERSON or fold(m.surface) in evidence.cued:
        return False
    words = m.surface.split()
    if len(words) == 1 and fold(words[0]) in evidence.parts:
        return False
    return written_as_noun(words[0], evidence.text)


def _acronym_in_name(m: Mention, organisations: set[str]) -> EntityKind:
    """A 'person' holding an organisation's acronym ('Bluefield KPF') is that organisation."""
    if m.kind != PERSON:
        return m.kind
    acronyms = {w for w in m.surface.split() if len(w) > 1 and w.isupper() and w.isalpha()}
    return ORG if acronyms & organisations else m.kind


def _reads_as_name_part(m: Mention, evidence: Evidence) -> bool:
    """Whether a word that is also part of a full person name stands for that person here.

    Not an acronym ('KPF' beside a mis-tagged 'Bluefield KPF'), not a name tagged as a place
    again and again, and not a word other tags outnumber the person evidence by far.
    """
    if m.surface.isupper() and len(m.surface) > 1:
        return False
    votes = evidence.votes[fold(m.surface)]
    person = len(evidence.parts[fold(m.surface)]) + votes[PERSON]
    other = sum(n for kind, n in votes.items() if kind != PERSON)
    strong_place = votes[PLACE] >= 2 and not votes[PERSON]
    return not strong_place and other <= 2 * person


def _prefixes_of_organisations(mentions: list[Mention], evidence: Evidence) -> None:
    """A short name that begins exactly one organisation's longer name in the article
    ('Harrowgate' beside 'Harrowgate Biotech') is that organisation, unless it is a place
    here or part of someone's name."""
    for m in mentions:
        if m.kind not in (PERSON, ORG) or fold(m.surface) in evidence.parts:
            continue
        if longer_organisation(m.surface, mentions):
            m.kind = ORG


def longer_organisation(surface: str, mentions: list[Mention]) -> str:
    """The one longer organisation name that starts with `surface`'s words, else ""."""
    words = fold(surface).split()
    longer = {fold(o.surface): o.surface for o in mentions if o.kind == ORG
              and fold(o.surface).split()[:len(words)] == words
              and len(o.surface.split()) > len(words)}
    return next(iter(longer.values())) if len(longer) == 1 else ""
