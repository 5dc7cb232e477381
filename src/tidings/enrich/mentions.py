"""Entity mentions as spaCy tags them, cleaned of what is plainly not a name.

Layout leftovers ("Image" glued to a caption's name), sentence-initial common
nouns ("Acupuncture" when the article also says "acupuncture"), and given names spaCy left
outside a person's span ("Mira" in "with Mira Holt") are handled here, before any merging.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from tidings.enrich.names import TITLE_WORDS, clean_surface, strip_titles
from tidings.enrich.rules import DEFAULT_RULES, EntityRules
from tidings.models import EntityKind

LABEL_KINDS = {  # English (OntoNotes) and French (WikiNER: PER, ORG, LOC, MISC) labels
    "PERSON": EntityKind.PERSON,
    "PER": EntityKind.PERSON,
    "MISC": EntityKind.OTHER,
    "ORG": EntityKind.ORG,
    "GPE": EntityKind.PLACE,
    "LOC": EntityKind.PLACE,
    "FAC": EntityKind.PLACE,
    "EVENT": EntityKind.OTHER,
    "PRODUCT": EntityKind.OTHER,
    "WORK_OF_ART": EntityKind.OTHER,
    "LAW": EntityKind.OTHER,
}
MAX_WORDS = 8
CREDIT_TAIL = re.compile(r"\s+(?:Image|Photo|Picture)$")
# A capitalised word just before a one-word person, that is not a title and not a sentence's
# first word, is the rest of the name ("with Mira Holt").
GIVEN_NAME = re.compile(r"(?<=[a-z,] )([A-Z][a-z]+) $")
# Lower-case words that may stand inside a name ("Bank of England", "Ludwig van Beethoven").
_CONNECTORS = """of and for the de du des la le da di do van von der den al bin ibn y e &
    upon"""
CONNECTORS = frozenset(_CONNECTORS.split())


@dataclass
class Mention:
    start: int
    end: int
    surface: str
    kind: EntityKind
    key: str = ""


def raw_mentions(doc: Doc, text: str, rules: EntityRules = DEFAULT_RULES) -> list[Mention]:
    """spaCy's entity spans of the kinds we keep, cleaned; layout-crossing spans dropped."""
    taken = [(e.start_char, e.end_char) for e in doc.ents]
    out = []
    for ent in doc.ents:
        kind = LABEL_KINDS.get(ent.label_)
        if kind is None or "\n" in ent.text:
            continue
        surface = CREDIT_TAIL.sub("", clean_surface(ent.text))
        start, end = ent.start_char, ent.end_char
        if rules.trim_spans:
            surface, start, end = _trimmed(surface, text, start, end)
        if not _looks_like_name(surface):
            continue
        if kind == EntityKind.PERSON:
            surface = strip_titles(surface)
            if rules.given_name:
                start, surface = _with_given_name(text, start, surface, taken)
        out.append(Mention(start, end, surface, kind))
    return _without_common_nouns(out, text) if rules.common_nouns else out


def _trimmed(surface: str, text: str, start: int, end: int) -> tuple[str, int, int]:
    """A span cut before its first lower-case word that cannot stand inside a name, and
    without trailing connectors: "Alder Cinema on" → "Alder Cinema", "Ruth Kale of" → "Ruth
    Kale", "Vantor on French" → "Vantor"."""
    words = surface.split()
    keep = len(words)
    for i, word in enumerate(words[1:], start=1):
        if word[:1].islower() and word.casefold() not in CONNECTORS:
            keep = i
            break
    while keep > 1 and words[keep - 1].casefold() in CONNECTORS and words[keep - 1][:1].islower():
        keep -= 1
    if keep == len(words):
        return surface, start, end
    cut = " ".join(words[:keep])
    at = text.find(cut, start, end)
    return (cut, at, at + len(cut)) if at >= 0 else (cut, start, end)


def _looks_like_name(surface: str) -> bool:
    words = surface.split()
    return 0 < len(words) <= MAX_WORDS and any(ch.isupper() for ch in surface)


def _with_given_name(text: str, start: int, surface: str,
                     taken: list[tuple[int, int]]) -> tuple[int, str]:
    if " " in surface:
        return start, surface
    match = GIVEN_NAME.search(text[max(0, start - 20):start])
    if not match or match.group(1).casefold() in TITLE_WORDS:
        return start, surface
    begin = start - len(match.group(0))
    if any(a < start and begin < b for a, b in taken):
        return start, surface  # the word before is an entity of its own ("Chinese")
    return begin, f"{match.group(1)} {surface}"


def _without_common_nouns(mentions: list[Mention], text: str) -> list[Mention]:
    """Drop one-word mentions that the article also writes in lower case, unless the word is
    part of someone's full name."""
    name_parts = {w for m in mentions if m.kind == EntityKind.PERSON and " " in m.surface
                  for w in m.surface.split()}
    lower = set(re.findall(r"\b[a-z][a-z-]+\b", text))
    return [m for m in mentions if " " in m.surface or m.surface in name_parts
            or m.surface.casefold() not in lower]
