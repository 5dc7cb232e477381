"""Named entities of one article: spaCy's mentions, corrected and merged into canonical entities.

spaCy tags each mention on its own; a reader wants one "Sergey Lavrov", not "Lavrov" the
organisation beside him. The rules below use evidence from the same article only: a bare
surname goes to the nearest preceding full name that ends (or, for names written family name
first, begins) with it; a name tagged as a person but elsewhere tagged as a place is a place;
a name's kind is the majority of its mentions.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from spacy.tokens import Doc

from tidings.enrich.mentions import Mention, raw_mentions
from tidings.enrich.names import TITLE_WORDS, alias_of, canonical_name, entity_key
from tidings.models import Entity, EntityKind

# A one-word "person" right after these is almost always a place ("near Kyiv").
PLACE_PREPOSITIONS = re.compile(r"\b(?:in|near|from|outside|across|around|towards?)\s+$", re.I)
FACILITY = re.compile(
    r"\b(?:Airport|Station|Stadium|Arena|Bridge|Square|Base|Center|Centre|Hall|Memorial|"
    r"Museum|Planetarium|Mosque|Cathedral|Temple|Palace|Tower|Hospital)(?: of [A-Z][\w ]+)?$"
)
# A name ending in one of these is an event, not the organiser or the venue ("Harbour Food
# Festival", "Riverside Science Fair"). Words that also end organisation names are left out
# ("Epic Games", "Leadership Conference").
EVENT = re.compile(r"\b(?:Festival|Fair|Expo|Championships?|Olympics|Tournament|Marathon|Cup)$")
ACRONYM_SKIP = frozenset({"of", "and", "the", "for", "&", "de", "on", "in"})


@dataclass
class ArticleEntities:
    """What the quote finder and the article need: entities and where each was mentioned."""

    entities: list[Entity] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # key → canonical name

    def at(self, start: int, end: int) -> Mention | None:
        """The mention overlapping [start, end), if any."""
        for m in self.mentions:
            if m.start < end and start < m.end:
                return m
        return None


def extract_entities(doc: Doc, header_end: int = 0) -> ArticleEntities:
    """Canonical entities of a processed article; text before `header_end` is title/bullets."""
    text = doc.text  # spaCy rebuilds this string on every access: once is enough
    mentions = raw_mentions(doc, text)
    fix_kinds(mentions, text)
    assign_person_keys(mentions)
    mentions += untagged_surnames(mentions, text)
    mentions.sort(key=lambda m: m.start)
    assign_other_keys(mentions)
    return build(mentions, text, header_end)


def _fold(text: str) -> str:
    return text.casefold().replace("’", "'")


def _name_parts(mentions: list[Mention]) -> dict[str, list[Mention]]:
    """First and last word of every multi-word person name → those full-name mentions."""
    parts: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        words = m.surface.split()
        if m.kind == EntityKind.PERSON and len(words) > 1:
            for word in {words[0], words[-1]}:
                parts[_fold(word)].append(m)
    return parts


def fix_kinds(mentions: list[Mention], text: str) -> None:
    """Correct kinds in place with the article's own evidence, then settle by majority."""
    parts = _name_parts(mentions)
    votes: dict[str, Counter[EntityKind]] = defaultdict(Counter)
    for m in mentions:
        votes[_fold(m.surface)][m.kind] += 1
    placed = _place_evidence(mentions, text)
    organisations = {m.surface for m in mentions if m.kind == EntityKind.ORG}
    for m in mentions:
        m.kind = _corrected_kind(m, parts, votes[_fold(m.surface)], placed, organisations)
        if _is_family(m, parts, text):
            m.kind = EntityKind.PERSON
    settled: dict[str, Counter[EntityKind]] = defaultdict(Counter)
    for m in mentions:
        settled[_fold(m.surface)][m.kind] += 1
    for m in mentions:
        if m.kind != EntityKind.PERSON or " " in m.surface:
            m.kind = _majority(settled[_fold(m.surface)])


def _is_family(m: Mention, parts: dict[str, list[Mention]], text: str) -> bool:
    """'the Okafors' after 'Grace Okafor': a family named by its surname, a group of people."""
    stem = _fold(m.surface[:-1])
    return (m.surface.endswith("s") and " " not in m.surface and stem in parts
            and text[max(0, m.start - 4):m.start].casefold() == "the ")


def _place_evidence(mentions: list[Mention], text: str) -> set[str]:
    """One-word names that read as places more often than as people in this article.

    For: a place tag, or a person tag right after "in"/"near"/"from". Against: a person tag
    anywhere else. ("the Kyiv regime", "near Kyiv", "from Kyiv" → a place; a woman called
    Marisol, tagged a place once among several person tags, stays a person.)
    """
    score: Counter[str] = Counter()
    for m in mentions:
        if " " in m.surface:
            continue
        after_preposition = PLACE_PREPOSITIONS.search(text[max(0, m.start - 12):m.start])
        is_place = m.kind == EntityKind.PLACE or (m.kind == EntityKind.PERSON and after_preposition)
        if is_place or m.kind == EntityKind.PERSON:
            score[_fold(m.surface)] += 1 if is_place else -1
    return {name for name, balance in score.items() if balance >= 0}


def _corrected_kind(m: Mention, parts: dict[str, list[Mention]], votes: Counter[EntityKind],
                    placed: set[str], organisations: set[str]) -> EntityKind:
    known = alias_of(m.surface)
    if known:
        return known[1]
    if " " in m.surface:
        if m.kind in (EntityKind.ORG, EntityKind.PLACE) and EVENT.search(m.surface):
            return EntityKind.OTHER
        if m.kind == EntityKind.ORG and FACILITY.search(m.surface):
            return EntityKind.PLACE  # "Redfield Science Center", "Museum of Glass": buildings
        return _acronym_in_name(m, organisations)
    if _fold(m.surface) in parts and _reads_as_name_part(m, parts, votes):
        return EntityKind.PERSON
    if m.kind == EntityKind.PERSON and _fold(m.surface) in placed:
        return EntityKind.PLACE
    return m.kind


# On a tie, the tag spaCy gets right more often wins (GPE over ORG for a country name).
TIE_ORDER = (EntityKind.PERSON, EntityKind.PLACE, EntityKind.ORG, EntityKind.OTHER)


def _acronym_in_name(m: Mention, organisations: set[str]) -> EntityKind:
    """A 'person' holding an organisation's acronym ('Pro-Reform ULP') is that organisation."""
    if m.kind != EntityKind.PERSON:
        return m.kind
    acronyms = {w for w in m.surface.split() if len(w) > 1 and w.isupper() and w.isalpha()}
    return EntityKind.ORG if acronyms & organisations else m.kind


def _reads_as_name_part(m: Mention, parts: dict[str, list[Mention]],
                        votes: Counter[EntityKind]) -> bool:
    """Whether a word that is also part of a full person name stands for that person here.

    Not an acronym ('ULP' beside a mis-tagged 'Pro-Reform ULP'), not a name tagged as a place
    again and again, and not a word other tags outnumber the person evidence by far.
    """
    if m.surface.isupper() and len(m.surface) > 1:
        return False
    person = len(parts[_fold(m.surface)]) + votes[EntityKind.PERSON]
    other = sum(n for kind, n in votes.items() if kind != EntityKind.PERSON)
    strong_place = votes[EntityKind.PLACE] >= 2 and not votes[EntityKind.PERSON]
    return not strong_place and other <= 2 * person


def _majority(votes: Counter[EntityKind]) -> EntityKind:
    """The most frequent kind, ties broken by TIE_ORDER."""
    return max(votes, key=lambda kind: (votes[kind], -TIE_ORDER.index(kind)))


def assign_person_keys(mentions: list[Mention]) -> None:
    """Full names get their own key; a lone name joins the nearest preceding full name."""
    people = [m for m in mentions if m.kind == EntityKind.PERSON]
    full = [m for m in people if " " in m.surface]
    canonical = _merge_full_names([m.surface for m in full])
    for m in full:
        m.key = entity_key(canonical[m.surface], EntityKind.PERSON)
    for m in people:
        if not m.key:
            owner = _nearest_full_name(m, full)
            m.key = owner.key if owner else entity_key(m.surface, EntityKind.PERSON)


def _merge_full_names(names: list[str]) -> dict[str, str]:
    """Map each full name to the longest name it is a shorter form of ('Amir Muttaqi')."""
    out = {}
    for name in names:
        longer = [n for n in names if _shorter_form(name, n)]
        out[name] = max(longer, key=len) if longer else name
    return out


def _shorter_form(short: str, long: str) -> bool:
    a, b = _fold(short).split(), _fold(long).split()
    if len(a) >= len(b) or a[0] != b[0] or a[-1] != b[-1]:
        return False
    rest = iter(b)
    return all(word in rest for word in a)  # a's words appear in b, in order


def _nearest_full_name(m: Mention, full: list[Mention]) -> Mention | None:
    """Nearest preceding full name containing this word first or last; else nearest after."""
    word = _fold(m.surface)
    fits = [f for f in full if word in {_fold(f.surface.split()[0]), _fold(f.surface.split()[-1])}]
    before = [f for f in fits if f.start < m.start]
    if before:
        return max(before, key=lambda f: f.start)
    after = [f for f in fits if f.start > m.start]
    return min(after, key=lambda f: f.start) if after else None


def untagged_surnames(mentions: list[Mention], text: str) -> list[Mention]:
    """Bare surnames spaCy left untagged ('Zhang added …'), resolved like tagged ones.

    Only a lone capitalised word: one beside another capitalised word may be someone else
    ('President Jimmy Carter' is not 'Helen Carter').
    """
    people = [m for m in mentions if m.kind == EntityKind.PERSON]
    full = [m for m in people if " " in m.surface]
    words = {f.surface.split()[-1] for f in full}
    words |= {m.surface for m in people if " " not in m.surface}
    taken = [(m.start, m.end) for m in mentions]
    found: list[Mention] = []
    if not words:
        return found
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    for match in re.finditer(rf"(?<![\w-])(?:{alternatives})(?![\w-])", text):
        word, (start, end) = match.group(), match.span()
        if any(a < end and start < b for a, b in taken) or _beside_capital(text, start, end):
            continue
        m = Mention(start, end, word, EntityKind.PERSON)
        owner = _nearest_full_name(m, full)
        m.key = owner.key if owner else entity_key(word, EntityKind.PERSON)
        found.append(m)
    return found


def _beside_capital(text: str, start: int, end: int) -> bool:
    before = re.search(r"([A-Z][\w’'.-]*) $", text[max(0, start - 30):start])
    after = re.match(r" [A-Z]", text[end:end + 2])
    titled = before is not None and before.group(1).casefold() in TITLE_WORDS
    return bool(after) or (before is not None and not titled)


def assign_other_keys(mentions: list[Mention]) -> None:
    """Organisations, places and others by canonical key; acronyms join their spelled-out name."""
    others = [m for m in mentions if m.kind != EntityKind.PERSON]
    for m in others:
        m.key = entity_key(m.surface, m.kind)
    spelled = {_initials(m.surface): m.key for m in others if len(m.surface.split()) > 1}
    for m in others:
        if re.fullmatch(r"[A-Z]{2,6}", m.surface) and not alias_of(m.surface):
            m.key = spelled.get(m.surface, m.key)


def _initials(name: str) -> str:
    words = [w for w in name.split() if w.casefold() not in ACRONYM_SKIP]
    return "".join(w[0] for w in words if w[:1].isupper())


def build(mentions: list[Mention], text: str, header_end: int) -> ArticleEntities:
    """One Entity per key: shown name, count, aliases and salience, most salient first."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[m.key].append(m)
    top = max((len(g) for g in groups.values()), default=1)
    entities = [_entity(g, text, header_end, top) for g in groups.values()]
    entities.sort(key=lambda e: (-e.salience, -e.count, e.name))
    names = {key: _shown_name(g) for key, g in groups.items()}
    return ArticleEntities(entities=entities, mentions=mentions, names=names)


def _shown_name(group: list[Mention]) -> str:
    kind = group[0].kind
    longest = max((m.surface for m in group), key=lambda s: (len(s.split()), len(s)))
    return canonical_name(longest, kind)


def _entity(group: list[Mention], text: str, header_end: int, top: int) -> Entity:
    name = _shown_name(group)
    aliases = sorted({m.surface for m in group} - {name})
    return Entity(name=name, kind=group[0].kind, count=len(group),
                  salience=salience(group, text, header_end, top), aliases=aliases)


def salience(group: list[Mention], text: str, header_end: int, top: int) -> float:
    """How much the article is about this entity, in [0, 1]: frequency, headline, earliness."""
    frequency = len(group) / top
    in_header = any(m.start < header_end for m in group)
    body = [m.start for m in group if m.start >= header_end]
    body_len = max(1, len(text) - header_end)
    earliness = 1 - (min(body) - header_end) / body_len if body else 0.0
    return round(0.55 * frequency + 0.25 * in_header + 0.2 * earliness, 3)
