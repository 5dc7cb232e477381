"""Gazetteer-free cues to what kind of thing a name is: its head noun and the words around it.

Names in news carry their kind in their last word ("Harrow Bay Fire Service" is an
organisation, "Grey Rock Lighthouse" a place) and in the words beside them ("near Dunloe",
"a Cobham-based firm" are places; "Ada Ruske said" is a person). These are word classes of
English, not lists of entities.
"""

from __future__ import annotations

import re

from tidings.models import EntityKind

FACILITY = re.compile(
    r"\b(?:Airport|Station|Stadium|Arena|Bridge|Square|Base|Center|Centre|Hall|Memorial|"
    r"Museum|Planetarium|Mosque|Cathedral|Temple|Palace|Tower|Hospital|Park|Beach|"
    r"Harbour|Harbor|Quay|Pier|Road|Street|Avenue|Lane|Point|Island|Islands|River|Lake|"
    r"Valley|Mountain|Gallery|Library|Cinema|Theatre|Theater|Prison|Castle)(?: of [A-Z][\w ]+)?$"
)
# Institutions and companies by their head noun; "of …" after it ("Ministry of Health").
ORGANISATION = re.compile(
    r"\b(?:Council|Authority|Agency|Department|Ministry|Party|Association|Union|Society|"
    r"Institute|University|College|Committee|Commission|Police|Service|Services|Rescue|"
    r"Group|Company|Corporation|Bank|Trust|Foundation|Board|Network|Networks|Federation|"
    r"League|Club|Alliance|Coalition|Army|Navy|Court|Parliament|Assembly|Government|Office|"
    r"Holdings|Partners|Ventures|Capital|Industries|Systems|Technologies|Labs|Media|"
    r"Airlines|Airways|Motors|Energy|Insurance|Foods|Pharmaceuticals|Inc|Ltd|plc|LLC)"
    r"(?: (?:of|for) [A-Z][\w ]+)?$"
)
# A name ending in one of these is an event, not the organiser or the venue. Words that also
# end organisation names ("Games", "Conference") are left out.
EVENT = re.compile(r"\b(?:Festival|Fair|Expo|Championships?|Olympics|Tournament|Marathon|Cup)$")

# A one-word name right after these reads as a place ("near Dunloe"); "from" is left out
# ("a spokeswoman from Vantor" is an organisation).
PLACE_BEFORE = re.compile(r"\b(?:in|near|outside|across|around|towards?)\s+$", re.I)
PLACE_AFTER = re.compile(r"^-based\b")
PLACE_AT = re.compile(r"\bat\s+$")  # "at Dunloe." but not "at Dunloe Biotech's office"
# Named storms and operations: the first word says what the name is ("Storm Tern").
EVENT_FIRST = re.compile(r"^(?:Storm|Hurricane|Typhoon|Cyclone|Tropical Storm|Operation) [A-Z]")
# A name followed by these is a person speaking or being described ("Ada Ruske, 42,").
PERSON_AFTER = re.compile(r"^(?:,? (?:said|says|told|added|asked|wrote|who|whose)\b|, \d{1,3},)")
PERSON_BEFORE = re.compile(r"\b(?:said|says|told|according to|by)\s+$")
DETERMINER = r"(?:the|a|an|this|that|its|their|his|her)"
CLOCK_BEFORE = re.compile(r"\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?\s*)?$")  # "10:00 GMT"
# Letters after a name are an honour or a degree, not an organisation ("Ada Ruske, QC,").
POSTNOMINAL = frozenset({"QC", "KC", "SC", "MP", "MEP", "MSP", "OBE", "MBE", "CBE", "KBE",
                         "PhD", "MD", "Jr", "Sr"})
NAME_BEFORE = re.compile(r"[A-Z][\w’'-]+,? $")
OF_BEFORE = re.compile(r" of (?:the )?$")
POSSESSIVE_AFTER = re.compile(r"^ ?['’]s ")


def head_kind(name: str) -> EntityKind | None:
    """The kind a multi-word name's last word gives it, if that word says."""
    if " " not in name:
        return None
    if EVENT.search(name):
        return EntityKind.OTHER
    if ORGANISATION.search(name):
        return EntityKind.ORG
    if FACILITY.search(name):
        return EntityKind.PLACE
    return None


def place_context(text: str, start: int, end: int) -> bool:
    """Whether the words around a one-word name make it a place."""
    before = text[max(0, start - 12):start]
    after = text[end:end + 8]
    return bool(PLACE_BEFORE.search(before) or PLACE_AFTER.match(after)
                or (PLACE_AT.search(before) and after[:1] in (".", ",", ";", "")))


def person_context(text: str, start: int, end: int) -> bool:
    """Whether the words around a name make it a person ('X said', 'said X', 'X, 42,')."""
    return bool(PERSON_AFTER.match(text[end:end + 12])
                or PERSON_BEFORE.search(text[max(0, start - 16):start]))


def written_as_noun(word: str, text: str) -> bool:
    """Whether the article uses the word as a common noun: 'the gale', 'a shuttle'."""
    pattern = rf"\b(?i:{DETERMINER}) {re.escape(word.casefold())}(?:s|es)?\b"
    return re.search(pattern, text) is not None


def not_a_name(surface: str, text: str, start: int) -> bool:
    """A time zone after a clock time, letters after a name, a social-media handle, a named
    storm or operation."""
    zone = (surface.isupper() and len(surface) <= 4
            and CLOCK_BEFORE.search(text[max(0, start - 12):start]))
    honour = surface in POSTNOMINAL and NAME_BEFORE.search(text[max(0, start - 30):start])
    return (bool(zone) or bool(honour) or surface.startswith("@")
            or bool(EVENT_FIRST.match(surface)))


def affiliated(mention_start: int, mention_end: int, people: list[tuple[int, int]],
               text: str) -> bool:
    """Whether a name is someone's organisation: 'Ada Ruske of [the] X', "X's Ada Ruske"."""
    before = OF_BEFORE.search(text[max(0, mention_start - 8):mention_start])
    if before and any(end == mention_start - len(before.group()) for _, end in people):
        return True
    after = POSSESSIVE_AFTER.match(text[mention_end:mention_end + 4])
    if after is None:
        return False
    return any(start == mention_end + after.end() for start, _ in people)
