"""Named entities of one article: spaCy's mentions, corrected and merged into canonical entities.

spaCy tags each mention on its own; a reader wants one "Ilse Varga", not "Varga" the
organisation beside her. Kinds are corrected first (`kinds.py`); then a bare surname goes to
the nearest preceding full name that ends (or, for names written family name first, begins)
with it, an acronym to its spelled-out name and a short organisation name to the one longer
name it begins. Which of these mechanisms run is `EntityRules` (chosen by cross-validation).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from spacy.tokens import Doc

from tidings.enrich.kinds import fix_kinds, longer_organisation
from tidings.enrich.mentions import Mention, raw_mentions
from tidings.enrich.names import TITLE_WORDS, alias_of, canonical_name, entity_key
from tidings.enrich.rules import DEFAULT_RULES, EntityRules
from tidings.models import Entity, EntityKind

__all__ = ["ArticleEntities", "extract_entities", "fix_kinds"]

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


def extract_entities(doc: Doc, header_end: int = 0,
                     rules: EntityRules = DEFAULT_RULES) -> ArticleEntities:
    """Canonical entities of a processed article; text before `header_end` is title/bullets."""
    text = doc.text  # spaCy rebuilds this string on every access: once is enough
    mentions = raw_mentions(doc, text, rules)
    fix_kinds(mentions, text, rules)
    assign_person_keys(mentions)
    if rules.untagged_surnames:
        mentions += untagged_surnames(mentions, text)
    mentions.sort(key=lambda m: m.start)
    assign_other_keys(mentions, rules)
    return build(mentions, text, header_end)


def _fold(text: str) -> str:
    return text.casefold().replace("’", "'")


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
    """Map each full name to the longest name it is a shorter form of ('Ilse M. Varga')."""
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
    """Bare surnames spaCy left untagged ('Varga added …'), resolved like tagged ones.

    Only a lone capitalised word: one beside another capitalised word may be someone else
    ('President Tomas Varga' is not 'Ilse Varga').
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


def assign_other_keys(mentions: list[Mention], rules: EntityRules = DEFAULT_RULES) -> None:
    """Organisations, places and others by canonical key; acronyms join their spelled-out
    name, and a short name the longer name of one organisation ('Harrowgate Biotech')."""
    others = [m for m in mentions if m.kind != EntityKind.PERSON]
    for m in others:
        m.key = entity_key(m.surface, m.kind)
    if rules.org_prefixes:
        for m in others:
            longer = longer_organisation(m.surface, others) if m.kind == EntityKind.ORG else ""
            m.key = entity_key(longer, EntityKind.ORG) if longer else m.key
    if not rules.acronym_keys:
        return
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
