"""Who said what: direct quotes and reported speech with their speakers.

Sentence patterns, read in article order so that "he" and "the statement" can refer back:
  “…,” X said / “…,” said X          direct, attribution after the quote
  X said (that) … / X said: “…”      reported (direct when the rest is all quotation)
  …, said X / …, X reported          attribution at the end
  according to X, … / …, according to X
  “…” alone after a quote            the same speaker goes on
"""

from __future__ import annotations

import re

from tidings.enrich.entities import ArticleEntities
from tidings.enrich.names import TITLE_WORDS
from tidings.enrich.sentences import OPENERS, Span, quote_spans, split_sentences
from tidings.enrich.speakers import (
    Speaker,
    SpeakerContext,
    person_roles,
    speaker_after,
    speaker_before,
)
from tidings.models import Quote

SPEECH_VERBS = re.compile(
    r"\b(?:say|says|said|saying|tell|tells|told|telling|add|adds|added|adding|stated|"
    r"announced|announces|claimed|declared|declares|insisted|insists|warned|warns|explained|"
    r"explains|argued|argues|reported|confirmed|confirms|denied|stressed|stresses|noted|"
    r"replied|responded|wrote|writes|commented|acknowledged|admitted|asserted|emphasised|"
    r"emphasized|suggested)\b"
)
TELL = re.compile(r"\b(?:tell|tells|told|telling)\b")
ACCORDING = re.compile(r"\b[Aa]ccording to\s+")
# Words that may stand between a speaker and the verb: "Russia on Tuesday said".
ADVERBIAL_TAIL = re.compile(
    r"(?:\s+(?:also|later|then|earlier|previously|again|further|once|recently|separately|"
    r"today|yesterday|on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
    r"last (?:week|month|year|night)|this (?:week|month|year|morning)|in a statement|"
    r"in an interview|has|had|have|was|were|is|would|will|could|reportedly),?)+$"
)
# Between the verb and what was said: "said in a statement on Tuesday that …".
AFTER_VERB = re.compile(
    r"^\s*(?:(?:in an? (?:statement|notice|interview|briefing|post|letter)|on \w+day|"
    r"late \w+|earlier|again|,)\s*)*(?:that\b|:)?\s*"
)
# "said on Twitter that …", "said during a visit to Dunloe that …"
SETTING_THEN_THAT = re.compile(
    r"^\s*(?:in|on|at|during|after|before|via|through)\b[^,.“”\"]{1,50}?\bthat\s+")
# Who was told: a name ("told the Harbour Courier, …") or a plain listener ("told reporters").
LISTENER_NAMED = re.compile(
    r"\s*(?:(?:the|a|an)\s+)?(?:[A-Z][\w’'.&-]*\s*)+(?:[,:]\s*|(?=[“\"a-z]))(?:that\s+)?")
LISTENER_PLAIN = re.compile(
    r"^\s*(?:reporters|journalists|him|her|them|us|me|parliament|the \w+)[,:]?\s+(?:that\s+)?")
AUXILIARY_START = re.compile(r"^(?:were|was|is|are|had|has|have|will|would|be|being)\b")
MIN_WORDS = 4


def find_quotes(text: str, found: ArticleEntities, body_start: int = 0) -> list[Quote]:
    """Quotes in the body (text from `body_start`), in reading order, one per speaker."""
    ctx = SpeakerContext(text=text, found=found, roles=person_roles(text, found))
    quotes: list[Quote] = []
    previous: tuple[Speaker, Span] | None = None
    for sentence in split_sentences(text):
        if sentence.start < body_start:
            continue
        said = attribute(ctx, sentence) or _continued(text, sentence, previous)
        if said:
            speakers, content, direct = said
            quotes += [Quote(text=content, speaker=s.name, direct=direct) for s in speakers]
            previous = (speakers[-1], sentence)
    return quotes


Said = tuple[list[Speaker], str, bool]


def attribute(ctx: SpeakerContext, sentence: Span) -> Said | None:
    """The speaker(s) and content of one sentence, if it reports speech."""
    text = ctx.text
    inside = quote_spans(sentence.text(text))
    for verb in SPEECH_VERBS.finditer(text, sentence.start, sentence.end):
        offset = verb.start() - sentence.start
        if any(q.start < offset < q.end for q in inside):
            continue  # a verb inside a quotation belongs to the quoted speaker
        said = _inverted(ctx, sentence, verb) or _ordinary(ctx, sentence, verb)
        if said:
            return said
    return _according_to(ctx, sentence)


def _ordinary(ctx: SpeakerContext, sentence: Span, verb: re.Match[str]) -> Said | None:
    """'X said …', '“…,” X said', '…, X reported.'"""
    text = ctx.text
    left_end = _strip_adverbials(text, sentence.start, verb.start())
    speaker = speaker_before(ctx, sentence.start, left_end)
    if speaker is None:
        return None
    before = _without_title(text[sentence.start:speaker.start].rstrip())
    after = text[verb.end():sentence.end]
    if TELL.fullmatch(verb.group()):
        after = _drop_listener(after)
    after = AFTER_VERB.sub("", SETTING_THEN_THAT.sub("", after))
    if before.rstrip(",").endswith(tuple("”\"")):
        content = before.rstrip(",")  # “…,” X said
    elif len(after.split()) >= MIN_WORDS:
        content = after  # X said (that) …
    elif before.endswith(","):
        content = before.rstrip(",")  # …, X reported.
    else:
        return None
    return _said(ctx, [*_partners(ctx, speaker), speaker], content)


def _inverted(ctx: SpeakerContext, sentence: Span, verb: re.Match[str]) -> Said | None:
    """'…, said Yang Jin, a Russia expert.'"""
    text = ctx.text
    before = text[sentence.start:verb.start()].rstrip()
    if not before.endswith((",", "”", '"')):
        return None
    speaker = speaker_after(ctx, verb.end(), sentence.end)
    if speaker is None:
        return None
    return _said(ctx, [speaker], before.rstrip(","))


def _according_to(ctx: SpeakerContext, sentence: Span) -> Said | None:
    text = ctx.text
    match = ACCORDING.search(text, sentence.start, sentence.end)
    if not match:
        return None
    speaker = speaker_after(ctx, match.end(), sentence.end) or _described_source(
        ctx, match.end(), sentence.end)
    if speaker is None:
        return None
    if match.start() == sentence.start:  # "According to X, a specialist, the talks …"
        rest = text[match.end():sentence.end]
        clause = re.search(r",\s+(?!(?:a|an|the|who)\s[^,]*,)", rest)
        content = rest[clause.end():] if clause else ""
    else:
        content = text[sentence.start:match.start()].rstrip(" ,")
    return _said(ctx, [speaker], content)


def _described_source(ctx: SpeakerContext, start: int, end: int) -> Speaker | None:
    """'according to state broadcaster CCTV': the entity after a few lower-case words."""
    lead = re.match(r"(?:[a-z][\w-]*\s+){1,3}", ctx.text[start:end])
    return speaker_after(ctx, start + lead.end(), end) if lead else None


def _said(ctx: SpeakerContext, speakers: list[Speaker], content: str) -> Said | None:
    content = _tidy(content)
    if len(content.split()) < MIN_WORDS or AUXILIARY_START.match(content):
        return None
    for speaker in speakers:
        ctx.heard(speaker)
    return speakers, _unquote(content), _is_all_quote(content)


def _partners(ctx: SpeakerContext, speaker: Speaker) -> list[Speaker]:
    """'President Vladimir Putin and Chinese leader Xi Jinping declared': both speak."""
    if not speaker.person_key:
        return []
    window = ctx.text[max(0, speaker.start - 50):speaker.start]
    joint = re.search(r"\s+and\s+(?:[\w’'-]+\s+){0,3}$", window)
    if not joint:
        return []
    start = speaker.start - len(window) + joint.start()
    other = speaker_before(ctx, max(0, start - 60), start)
    return [other] if other and other.person_key and other.name != speaker.name else []


def _continued(text: str, sentence: Span, previous: tuple[Speaker, Span] | None) -> Said | None:
    """A sentence that is one quotation, right after a quote: the same speaker goes on."""
    body = sentence.text(text)
    if previous is None or not body.startswith(tuple(OPENERS)):
        return None
    gap = text[previous[1].end:sentence.start]
    spans = quote_spans(body)
    if gap.count("\n") > 2 or not spans or spans[0].end < len(body.rstrip(".!?")) - 1:
        return None
    return [previous[0]], _unquote(_tidy(body)), True


def _without_title(before: str) -> str:
    """The text before a speaker without the article or titles that open the speaker's
    phrase: '“…,” Mr' → '“…,”' (so “…,” Mr Reed said reads as a direct quote)."""
    while True:
        words = before.rsplit(None, 1)
        if len(words) < 2 or words[1].casefold() not in TITLE_WORDS | {"the"}:
            return before
        before = words[0]


def _strip_adverbials(text: str, start: int, end: int) -> int:
    left = text[start:end].rstrip()
    tail = ADVERBIAL_TAIL.search(left)
    return start + (tail.start() if tail else len(left))


def _drop_listener(after: str) -> str:
    """'told reporters that …', 'told the BBC: “…”' → what was said; the listener is not."""
    named = LISTENER_NAMED.match(after)
    if named:
        return after[named.end():]
    head = re.match(r"\s*(?:[\w’'.-]+\s+){1,5}?(?:that\b|:)", after)
    if head:
        return after[head.end():]
    return LISTENER_PLAIN.sub("", after)


def _tidy(content: str) -> str:
    content = re.sub(r",?\s+according to [^,]+$", "", content.strip())
    return content.strip(" ,;:-–—")


def _unquote(content: str) -> str:
    if _is_all_quote(content):
        return content.strip("“”\"").rstrip(",").strip()
    return content


def _is_all_quote(content: str) -> bool:
    body = content.rstrip(".!?")
    spans = quote_spans(body)
    return bool(spans) and spans[0].start == 0 and spans[0].end >= len(body) - 1
