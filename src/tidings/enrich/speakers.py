"""Who is speaking: a phrase next to a speech verb, resolved to a canonical entity if possible.

A speaker phrase is an entity mention ("Wang Wenbin"), a pronoun ("he" → the last named
speaker who fits), a role ("the spokesman" → the person introduced as a spokesman), or a
statement ("a statement from the ministry" → the ministry; later "the statement" → the same).
Anything else short and capitalised is kept as written ("Officials"); nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.lang.en.stop_words import STOP_WORDS

from tidings.enrich.entities import ArticleEntities
from tidings.enrich.mentions import Mention
from tidings.enrich.names import TITLE_WORDS, clean_surface
from tidings.models import EntityKind

ROLE_NOUNS = (
    "spokesman|spokeswoman|spokesperson|minister|secretary|president|official|adviser|advisor|"
    "ambassador|envoy|director|chairman|chairwoman|chief|executive|professor|analyst|expert|"
    "specialist|researcher|lawyer|attorney|prosecutor|judge|governor|mayor|senator|general|"
    "commander|leader|premier|chancellor|spokespeople|scientist|economist|officer"
)
SPOKES = {"spokesman", "spokeswoman", "spokesperson"}
MALE = {"he", "mr", "sir", "lord", "king", "prince", "spokesman", "chairman", "congressman"}
FEMALE = {"she", "mrs", "ms", "miss", "dame", "lady", "queen", "princess",
          "spokeswoman", "chairwoman", "congresswoman"}
DOCUMENTS = r"statement|report|communiqu[eé]|release|readout|notice|announcement"

_ROLE_TAIL = re.compile(
    rf"\b(?:[Tt]he|[Aa]n?|[Ii]ts|[Tt]heir)\s+((?:[\w’'-]+\s+){{0,3}}?(?:{ROLE_NOUNS}))"
    r"(?:\s+(?:for|of|at|from)\s+[^,;“”]{1,60})?$"
)
_DOC_FROM = re.compile(
    rf"\b(?:[Aa]n?|[Tt]he)\s+(?:[\w-]+\s+)?(?:{DOCUMENTS})\s+(?:from|by|issued by|released by)\s+"
    r"(?P<src>[^,;“”]{2,80})$"
)
_DOC_OF = re.compile(
    rf"(?P<src>[A-Z][^,;“”]{{1,60}}?)\s*['’]s\s+(?:[\w-]+\s+)?(?:{DOCUMENTS})$")
_DOC_THE = re.compile(rf"\b(?:[Tt]he|[Tt]hat|[Ii]ts)\s+(?:[\w-]+\s+)?(?:{DOCUMENTS})$")
_POSTNOMINALS = re.compile(r"(?:,?\s+(?:QC|SC|KC|MP|MEP|Jr\.?|Sr\.?|PhD|MD))+,?$")
_CONJUNCTION = re.compile(r"(?:But|And|However|Meanwhile|Still|Yet|So),?\s+")
QUANTIFIERS = {"the", "a", "an", "some", "one", "many", "several", "two", "three", "four",
               "other", "most", "all", "both", "few"}
_PREPOSITION_END = re.compile(
    r"\b(?:for|of|to|by|with|from|against|at|on behalf of|behind|representing)\s+(?:the\s+)?$",
    re.I)
_PRONOUN = re.compile(r"(?:^|\s)(he|she|He|She)$")
_APPOSITIVE_END = re.compile(r",\s+(?:a|an|the|who)\s[^,;“”]{2,100},\s*$")


@dataclass(frozen=True)
class Speaker:
    name: str
    start: int  # where the speaker phrase begins in the text
    person_key: str = ""  # entity key when the speaker is a named person


@dataclass
class SpeakerContext:
    """What resolving speakers needs to remember while reading an article in order."""

    text: str
    found: ArticleEntities
    roles: dict[str, set[str]] = field(default_factory=dict)
    spoken: list[Speaker] = field(default_factory=list)  # named people who spoke, in order
    statement_source: str = ""

    def heard(self, speaker: Speaker) -> None:
        if speaker.person_key:
            self.spoken.append(speaker)


def person_roles(text: str, found: ArticleEntities) -> dict[str, set[str]]:
    """Role, title and gender words written next to each person.

    'Pentagon spokesman John Kirby', 'A spokesman for the ministry, Paul Hughes',
    'Yang Jin, a Russia expert', and the first he/his or she/her after the name.
    """
    roles: dict[str, set[str]] = {}
    people = [m for m in found.mentions if m.kind == EntityKind.PERSON]
    ends = sorted(m.end for m in found.mentions)
    for m in people:
        floor = max([e for e in ends if e <= m.start] + [m.start - 80, 0])
        before = re.split(r"[.!?;\n“”\"]", text[floor:m.start])[-1]
        if _PREPOSITION_END.search(before):
            before = ""  # "the lawyer for Maria Gonzalez": the role is someone else's
        after = re.match(r",\s+(?:a|an|the)\s+([^,.;]{1,80})", text[m.end:m.end + 90])
        own = text[m.start:m.end].split()[: -len(m.surface.split())]
        words = before.split()[-6:] + own + (after.group(1).split() if after else [])
        found_words = {w.casefold().strip(".,’'") for w in words}
        roles.setdefault(m.key, set()).update(found_words | _pronoun_after(text, m, found))
    return roles


def _pronoun_after(text: str, m: Mention, found: ArticleEntities) -> set[str]:
    """The first third-person pronoun after a name, before the sentence ends or a name begins."""
    later = [other.start for other in found.mentions if other.start >= m.end]
    stop = min([*later, m.end + 200])
    window = re.split(r"[.!?\n]", text[m.end:stop])[0]
    pronoun = re.search(r"\b(he|his|him|she|her|hers)\b", window)
    return {"he" if pronoun.group(1) in {"he", "his", "him"} else "she"} if pronoun else set()


def speaker_before(ctx: SpeakerContext, start: int, end: int) -> Speaker | None:
    """The speaker phrase that ends at `end` (the text just before a speech verb)."""
    left = _POSTNOMINALS.sub("", ctx.text[start:end].rstrip())
    appositive = _APPOSITIVE_END.search(left)
    if appositive:  # "Zhu Yongbiao, a specialist from Lanzhou University," → Zhu Yongbiao
        left = left[:appositive.start()]
    mention = _mention_ending(ctx, start + len(left))
    if mention:
        return _from_mention(ctx, mention)
    titled = _TITLED_NAME_END.search(left)
    if titled and titled.group(1).casefold().rstrip(".") in TITLE_WORDS:
        return titled_speaker(ctx, titled.group(2), start + titled.start(2))
    return _phrase_speaker(ctx, left, start)


# A title and a surname nobody tagged: "Dr Quill", "Prof. Anna Rusk".
_TITLED_NAME_END = re.compile(
    r"(?:^|[\s“”\"])([A-Z][a-z]{1,10}\.?)\s+((?:[A-Z][\w’'-]+\s?){1,3})$")


def titled_speaker(ctx: SpeakerContext, name: str, at: int) -> Speaker:
    """'Mr Reed' → the person named in full earlier whose name ends with 'Reed', if any."""
    surname = name.rsplit(maxsplit=1)[-1].casefold()
    people = [m for m in ctx.found.mentions if m.kind == EntityKind.PERSON and m.end <= at
              and m.surface.split()[-1].casefold() == surname]
    if people:
        return _from_mention(ctx, people[-1])
    return Speaker(name=name.strip(), start=at)


# Up to five title or role words between an inverted verb and a name, no punctuation.
_TITLE_RUN = re.compile(r"\s*(?:[A-Za-z][\w’'.-]*\s+){1,5}?(?=[A-Z])")


def speaker_after(ctx: SpeakerContext, start: int, end: int) -> Speaker | None:
    """The speaker phrase that starts at `start` (after an inverted 'said')."""
    right = ctx.text[start:end]
    lead = len(right) - len(right.lstrip())
    mention = ctx.found.at(start + lead, start + lead + 1)
    if mention and mention.start >= start + lead - 1:
        return _from_mention(ctx, mention)
    titled = _TITLE_RUN.match(right)  # "said Mayor Ilse Varga", "said Chinese envoy Li"
    if titled:
        mention = ctx.found.at(start + titled.end(), start + titled.end() + 1)
        if mention and mention.kind == EntityKind.PERSON and mention.start >= start + titled.end():
            return _from_mention(ctx, mention)
    named = _TITLED_NAME_START.match(right)
    if named and named.group(1).casefold().rstrip(".") in TITLE_WORDS:
        return titled_speaker(ctx, named.group(2), start + named.start(2))
    phrase = re.match(r"\s*((?:the|a|an)\s+[^,.;“”]{2,60}?)(?=[,.;]|$)", right)
    if phrase:
        return _phrase_speaker(ctx, phrase.group(1), start + phrase.start(1))
    return None


_TITLED_NAME_START = re.compile(
    r"\s*([A-Z][a-z]{1,10}\.?)\s+((?:[A-Z][\w’'-]+ ?){1,3}?)(?=[,.;]|$)")


def _mention_ending(ctx: SpeakerContext, stop: int) -> Mention | None:
    """The entity a speaker phrase ends with, unless it sits in a prepositional phrase:
    in "the lawyer for Maria Gonzalez said", Maria Gonzalez is not the one speaking."""
    for m in ctx.found.mentions:
        if stop - 3 <= m.end <= stop and m.kind != EntityKind.OTHER:
            tail = ctx.text[m.end:stop]
            lead = ctx.text[max(0, m.start - 20):m.start]
            if not tail.strip(" ’'s,") and not _PREPOSITION_END.search(lead):
                return m
    return None


def _from_mention(ctx: SpeakerContext, m: Mention) -> Speaker:
    name = ctx.found.names.get(m.key, m.surface)
    key = m.key if m.kind == EntityKind.PERSON else ""
    return Speaker(name=name, start=m.start, person_key=key)


def _phrase_speaker(ctx: SpeakerContext, left: str, start: int) -> Speaker | None:
    """A pronoun, a document, a role, or a short capitalised phrase."""
    if pronoun := _PRONOUN.search(left):
        return resolve_pronoun(ctx, pronoun.group(1).casefold(), start + pronoun.start(1))
    if doc := _DOC_FROM.search(left) or _DOC_OF.search(left):
        source = _source_name(ctx, doc.group("src"), start + doc.start("src"))
        ctx.statement_source = source
        return Speaker(name=source, start=start + doc.start())
    if (doc := _DOC_THE.search(left)) and ctx.statement_source:
        return Speaker(name=ctx.statement_source, start=start + doc.start())
    if role := _ROLE_TAIL.search(left):
        named = resolve_role(ctx, role.group(1).casefold(), start + role.start())
        return named or Speaker(name=_phrase_name(role.group()), start=start + role.start())
    return _plain_speaker(left, start)


def _phrase_name(phrase: str) -> str:
    """'A spokesman for the airline' → 'spokesman for the airline': words, not a name."""
    return re.sub(r"^(?:an?|An?)\s+", "", clean_surface(phrase))


def _plain_speaker(left: str, start: int) -> Speaker | None:
    """A short noun phrase that opens the sentence ('Officials', 'Passenger groups')."""
    opener = _CONJUNCTION.match(left)
    if opener:
        left, start = left[opener.end():], start + opener.end()
    words = left.split()
    if not 0 < len(words) <= 4 or not left[:1].isupper() or left.startswith(("“", '"')):
        return None
    if any(w.casefold() in STOP_WORDS and w.casefold() not in QUANTIFIERS for w in words):
        return None  # "They were twice" is not a speaker; pronouns stay unresolved
    return Speaker(name=_phrase_name(left), start=start)


def _source_name(ctx: SpeakerContext, phrase: str, at: int) -> str:
    """'Russia’s foreign ministry' stays as written; a bare entity takes its canonical name."""
    m = ctx.found.at(at, at + len(phrase))
    if m and m.start <= at + 1 and m.end >= at + len(phrase.rstrip()) - 2:
        return ctx.found.names.get(m.key, m.surface)
    return clean_surface(phrase)


def resolve_pronoun(ctx: SpeakerContext, pronoun: str, at: int) -> Speaker | None:
    """'he'/'she' → the last named speaker of a compatible gender, else the last person named."""
    clash = FEMALE if pronoun == "he" else MALE
    for earlier in reversed(ctx.spoken):
        if not ctx.roles.get(earlier.person_key, set()) & clash:
            return Speaker(name=earlier.name, start=at, person_key=earlier.person_key)
    people = [m for m in ctx.found.mentions if m.kind == EntityKind.PERSON and m.end <= at]
    for m in reversed(people):
        if not ctx.roles.get(m.key, set()) & clash:
            return _from_mention(ctx, m)
    return None


def resolve_role(ctx: SpeakerContext, role: str, at: int) -> Speaker | None:
    """'the spokesman' → the nearest person introduced with that role, before or just after.

    Every word of the role must fit: 'the Russian foreign minister' is not the Afghan one.
    """
    *qualifiers, noun = role.split()
    nouns = SPOKES if noun in SPOKES else {noun}
    people = [m for m in ctx.found.mentions if m.kind == EntityKind.PERSON]
    fits = [m for m in people if _has_role(ctx.roles.get(m.key, set()), nouns, qualifiers)]
    before = [m for m in fits if m.end <= at]
    if before:
        return _from_mention(ctx, before[-1])
    after = [m for m in fits if at < m.start < at + 120]
    return _from_mention(ctx, after[0]) if after else None


def _has_role(words: set[str], nouns: set[str], qualifiers: list[str]) -> bool:
    return bool(words & nouns) and all(q in words for q in qualifiers)
