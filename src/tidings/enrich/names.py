"""Entity names: how one is shown (`canonical_name`) and how articles agree on it (`entity_key`).

Pure string rules; no model. Aliases are a small table of well-known facts (US = United
States); everything article-specific (surnames, acronyms) is resolved in `entities.py`.
"""

from __future__ import annotations

import re
import unicodedata

from tidings.models import EntityKind

# Words that precede a person's name as a title or role, never as part of the name itself.
_TITLE_WORDS = """
    mr mr. mrs mrs. ms ms. miss dr dr. prof prof. professor sir dame lord lady madam
    president vice prime minister ministers foreign defence defense interior finance deputy
    secretary general gen gen. spokesman spokeswoman spokesperson chancellor premier
    king queen prince princess pope cardinal bishop rev rev. reverend sheikh
    senator sen sen. representative rep rep. congressman congresswoman governor gov gov.
    mayor judge justice chief executive ceo chairman chairwoman chair leader former acting
    ambassador envoy commissioner director officer colonel col col. captain capt capt.
    lieutenant lt lt. sergeant sgt sgt. major admiral commander coach manager inspector
    detective constable superintendent state national security adviser advisor head
    """
TITLE_WORDS = frozenset(_TITLE_WORDS.split())

# Well-known aliases → the name we show. Lower-cased, dots removed, "the" stripped.
_ALIASES: dict[str, tuple[str, EntityKind]] = {}


def _alias(display: str, kind: EntityKind, *variants: str) -> None:
    for variant in (display, *variants):
        _ALIASES[_fold(variant)] = (display, kind)


def _fold(text: str) -> str:
    """Accent-free, case-free, dot-free, article-free form used for keys and lookups."""
    text = text.replace("’", "'")
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"\.(?=\S)|\.$", "", text.casefold())
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^the ", "", text)


_P, _O = EntityKind.PLACE, EntityKind.ORG
_alias("United States", _P, "US", "U.S.", "USA", "U.S.A.", "United States of America",
       "America")
_alias("United Kingdom", _P, "UK", "U.K.", "Britain", "Great Britain")
_alias("Russia", _P, "Russian Federation")
_alias("China", _P, "People's Republic of China", "PRC", "mainland China")
_alias("United Arab Emirates", _P, "UAE", "U.A.E.")
_alias("South Korea", _P, "Republic of Korea", "ROK")
_alias("North Korea", _P, "DPRK", "Democratic People's Republic of Korea")
_alias("Democratic Republic of the Congo", _P, "DRC", "DR Congo")
_alias("Netherlands", _P, "Holland")
_alias("Czech Republic", _P, "Czechia")
_alias("Myanmar", _P, "Burma")
_alias("Turkey", _P, "Türkiye")
_alias("Kyiv", _P, "Kiev")
_alias("New York City", _P, "NYC")
_alias("United Nations", _O, "UN", "U.N.")
_alias("European Union", _O, "EU", "E.U.")
_alias("NATO", _O, "Nato", "North Atlantic Treaty Organization")
_alias("International Monetary Fund", _O, "IMF")
_alias("World Health Organization", _O, "World Health Organisation")
_alias("FBI", _O, "Federal Bureau of Investigation")
_alias("CIA", _O, "Central Intelligence Agency")
_alias("NASA", _O, "National Aeronautics and Space Administration")
_alias("BBC", _O, "British Broadcasting Corporation")

_LEGAL_SUFFIX = re.compile(r",?\s+(?:inc|ltd|llc|plc|corp|corporation|co|ag|sa|gmbh|nv|bv)$")
_POSSESSIVE = re.compile(r"\s*['’]s?$")
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")


def clean_surface(text: str) -> str:
    """A mention as written, minus layout noise, a leading 'the' and a trailing possessive."""
    text = re.sub(r"\s+", " ", text).strip(" \t\n,;:!?\"“”‘’()[]")
    text = re.sub(r"(?<!\b[A-Z])\.+$", "", text).strip()  # "D.C." and "Jr." keep their dots
    text = _LEADING_THE.sub("", text)
    return _POSSESSIVE.sub("", text) if re.search(r"['’]s?$", text) else text


def strip_titles(name: str) -> str:
    """'Foreign Minister Ilse Varga' → 'Ilse Varga'; a lone title is kept as it is."""
    words = name.split()
    while len(words) > 1 and words[0].casefold() in TITLE_WORDS:
        words = words[1:]
    return " ".join(words)


def alias_of(name: str) -> tuple[str, EntityKind] | None:
    """The shown name and kind of a well-known alias ('U.S.' → United States, place)."""
    return _ALIASES.get(_fold(name))


def canonical_name(name: str, kind: EntityKind) -> str:
    """The name to show: cleaned, titles off for people, well-known aliases expanded."""
    name = clean_surface(name)
    if kind == EntityKind.PERSON:
        return strip_titles(name)
    known = alias_of(name)
    return known[0] if known else name


def entity_key(name: str, kind: EntityKind) -> str:
    """One key per real-world entity across articles: 'US', 'U.S.', 'the United States' agree.

    The kind is part of the key (Jordan the country is not Jordan the person), except that a
    well-known alias carries its own kind, so a country tagged as an organisation still merges.
    """
    shown = canonical_name(name, kind)
    known = alias_of(shown)
    if known and kind != EntityKind.PERSON:
        shown, kind = known
    folded = _fold(shown)
    if kind == EntityKind.ORG:  # "Acme Inc." and "Acme" are one company
        folded = _LEGAL_SUFFIX.sub("", folded) or folded
    return f"{kind.value}:{folded}"
