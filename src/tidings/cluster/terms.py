"""Words of an article weighted for telling one event from another.

Three bags come out of an article: *topic* terms (every content word; names count extra),
*name* terms (capitalised words inside sentences, entity names and numbers of three or more
digits) and *years* (1800-2039 as written). Two stories of the same kind (two earthquakes, two
rehab check-ins) share their topic words; what tells them apart is who, where, how many and
when, so names and years get their own say when stories are compared.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from tidings.cluster.stopwords import STOP_WORDS

WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
# A capital right after one of these starts a sentence and says nothing about names.
SENTENCE_END = frozenset(".!?:;\"“”'‘’`|•-–—([")
NAME_BOOST = 3.0  # names weigh three times a plain word in the topic bag
TITLE_BOOST = 2.0  # the headline states the event; its words count double
HEADLINE_CAPS_SHARE = 0.6  # a line with this share of capitalised words is a Title Case headline
TOPIC_TERMS = 100  # bag sizes kept in a fingerprint (JSON stays well under 4 KB)
NAME_TERMS = 40
YEAR_TERMS = 12
# The lead (the first LEAD_LINES lines of text with words: in news, the headline and the
# sentences that state the event) weighs LEAD_BOOST times the rest. Two same-kind events
# share the vocabulary of their kind throughout; who, where and what happened this time is
# said first. Chosen by leave-one-topic-out on ECB+ dev, each topic's choice made on the
# other topics summed over file order and five shuffles (bench/clustering.py
# `LEAD_SETTINGS`): 12 on 28 topics, 8 on 5, with 3 lines (BCubed F1 over the six orders,
# mean: boost 1 0.915, 3 0.928, 4 0.932, 6 0.936, 8 0.938, 12 0.938; 8 with 2 lines 0.926).
# A text that is all lead (a feed's headline and one sentence) is not boosted: with it, its
# words outweighed the title 12 to 1 and two unrelated items sharing one word joined. Re-run
# with that exemption (`python -m bench.clustering`, 2026-12-02): 8 on 32 topics, 12 on 1;
# cross-validated BCubed F1 0.926 / 0.944 / 0.935 / 0.938 / 0.935 / 0.932 (file order,
# shuffles 1-5). With 8 and the headline items' closest-article comparison
# (tidings.cluster.assign.SHORT_MEMBER_SHARE), in-sample 0.937 / 0.941 / 0.938 / 0.936 /
# 0.938 / 0.934 (12: 0.931 / 0.939 / 0.935 / 0.943 / 0.940 / 0.934); cross-validated then
# 0.930 / 0.942 / 0.938 / 0.936 / 0.938 / 0.934 (spread 0.013; 8 on 32 topics, 12 on 1).
LEAD_BOOST = 8.0
LEAD_LINES = 3
YEAR = re.compile(r"\b(?:1[89]\d\d|20[0-3]\d)\b")

Weights = defaultdict[str, float]


class Tokens(NamedTuple):
    """Content words of a text in order, and beside each whether it looks like a name or a
    number (two lists: thousands of words an article, a tuple each cost more)."""

    words: list[str]  # lower-cased, possessive stripped
    is_name: list[bool]  # capitalised inside a sentence, or a number


@dataclass(frozen=True)
class Bags:
    topic: dict[str, float]
    names: dict[str, float]
    years: dict[str, float]


def normalise(word: str) -> str:
    word = word.lower()
    if "’" in word:
        word = word.replace("’", "'")
    return word[:-2] if word.endswith("'s") else word


def _starts_sentence(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] == "\n" or text[i] in SENTENCE_END


def _is_headline(raws: Sequence[str]) -> bool:
    words = [w for w in raws if w[0].isalpha()]
    capitalised = sum(1 for w in words if w[0].isupper())
    return len(words) >= 4 and capitalised >= HEADLINE_CAPS_SHARE * len(words)


def tokens(text: str, *, detect_names: bool = True) -> Tokens:
    """Content words of `text` in order, each marked when it looks like a name or number."""
    return _scan(text.splitlines(), detect_names=detect_names)[0]


def _scan(lines: Sequence[str], *, detect_names: bool, every: list[str] | None = None
          ) -> tuple[Tokens, list[tuple[int, int]]]:
    """`tokens` of `lines`, and per line (its words, its content words); each word
    (`normalise`d, stop words too) also goes to `every` when given."""
    words: list[str] = []
    is_name: list[bool] = []
    per_line: list[tuple[int, int]] = []
    for line in lines:
        matches = list(WORD.finditer(line))
        raws = [m.group() for m in matches]
        names_here = detect_names and not _is_headline(raws)
        before = len(words)
        for m, raw in zip(matches, raws, strict=True):
            word = raw.lower()  # `normalise`, inline: it runs for every word
            if "’" in word:
                word = word.replace("’", "'")
            if word.endswith("'s"):
                word = word[:-2]
            if every is not None:
                every.append(word)
            if len(word) < 2 or word in STOP_WORDS:
                continue
            first = raw[0]
            words.append(word)
            is_name.append(first.isdigit() or (
                names_here and first.isupper() and not _starts_sentence(line, m.start())))
        per_line.append((len(raws), len(words) - before))
    return Tokens(words, is_name), per_line


def all_words(text: str) -> list[str]:
    """Every word, stop words included: the stuff of near-duplicate shingles."""
    return list(map(normalise, WORD.findall(text)))


def word_count(text: str) -> int:
    """How many words `text` has (as `all_words` counts them)."""
    return len(WORD.findall(text))


def _small_number(word: str) -> bool:
    # Days, hours and minutes ("10 : 53", "the 4th") match across any two stories.
    return word.isdigit() and len(word) <= 2


def _count(toks: Tokens, boost: float, topic: Weights, names: Weights) -> None:
    name_boost = boost * NAME_BOOST
    for word, is_name in zip(toks.words, toks.is_name, strict=True):
        if is_name:
            topic[word] += name_boost
            if not _small_number(word):
                names[word] += boost
        else:
            topic[word] += boost


def years(text: str) -> dict[str, float]:
    """Years written in `text`, each once: an event's year tells two same-kind events apart."""
    found = {m.group(): 1.0 for m in YEAR.finditer(text)}
    return _weigh(defaultdict(float, found), YEAR_TERMS)


@dataclass(frozen=True)
class Analysis:
    """What clustering reads of an article's words, from one pass over them."""

    bags: Bags
    every_word: list[str]  # `all_words` of the title and text
    word_count: int  # `word_count` of the text


def bags(title: str, text: str, entities: Sequence[str] = ()) -> Bags:
    """Weighted, L2-normalised topic and name bags of one article, top terms only (the
    title and the lead of `text` count extra)."""
    return analyse(title, text, entities).bags


def analyse(title: str, text: str, entities: Sequence[str] = (), *,
            short_words: int = 0) -> Analysis:
    """`bags`, `all_words` of title and text, and `word_count` of the text, in one pass.

    A text of fewer than `short_words` words (a headline and a sentence) takes its entities
    into the name bag only: they are its own few words again, and in the topic bag they
    counted its names a second time (the ECB+ lead stream of bench/cluster_headlines.py,
    given enrichment's entities as the pipeline gives them: B³ F1 0.823 with them there,
    0.840 without, as with no entities at all)."""
    topic: Weights = defaultdict(float)
    names: Weights = defaultdict(float)
    every: list[str] = []
    # Headlines are often Title Case, so capitals there say nothing about names.
    _count(_scan(title.splitlines(), detect_names=False, every=every)[0], TITLE_BOOST,
           topic, names)
    toks, per_line = _scan(text.splitlines(), detect_names=True, every=every)
    cut = _lead_cut([raw for raw, _ in per_line])
    split = sum(content for _, content in per_line[:cut])
    # the lead weighs more than the rest; a text that is all lead (a feed's one-sentence
    # summary) has no rest to outweigh, and its words keep their weight beside the title's
    rest_has_words = any(raw for raw, _ in per_line[cut:])
    _count(Tokens(toks.words[:split], toks.is_name[:split]),
           LEAD_BOOST if rest_has_words else 1.0, topic, names)
    _count(Tokens(toks.words[split:], toks.is_name[split:]), 1.0, topic, names)
    word_count = sum(raw for raw, _ in per_line)
    in_topic = word_count >= short_words
    for entity in entities:
        for word in tokens(entity, detect_names=False).words:
            names[word] += 1.0
            if in_topic:
                topic[word] += 1.0
    found = Bags(_weigh(topic, TOPIC_TERMS), _weigh(names, NAME_TERMS),
                 years(f"{title}\n{text}"))
    return Analysis(found, every, word_count)


def _lead_cut(words_per_line: Sequence[int]) -> int:
    """How many lines make the lead: the first LEAD_LINES lines with words."""
    seen = 0
    for i, count in enumerate(words_per_line):
        if count:
            seen += 1
            if seen == LEAD_LINES:
                return i + 1
    return len(words_per_line)


def _weigh(counts: Weights, keep: int) -> dict[str, float]:
    # Sublinear: the tenth mention of a word adds far less than the second.
    weights = {w: 1.0 + math.log(c) for w, c in counts.items() if c > 0}
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
    norm = math.sqrt(sum(v * v for _, v in top))
    return {w: round(v / norm, 4) for w, v in top} if norm else {}
