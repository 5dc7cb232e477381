"""Page capture → Article: clean the text a person gets by selecting all and copying a page.

General signals only, never one site's strings:
- *where the body is*: every line gets a score (prose sentences positive, labels, buttons,
  captions and counters negative) and the body is the highest-scoring run of lines
  (maximum-sum segment), so chrome before and after falls away wherever it sits;
- *what each line is*: line shape (sentence or label, length, bullets), photo credits,
  video durations, lone counters, generic ad and call-to-action vocabulary;
- *context*: repetition (a topic label or video title shown twice), closeness to a call to
  action (a promo box), and which title-shaped line shares the most words with the body
  (the headline).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from tidings.extract import signals as sig
from tidings.models import Article

CHROME = "chrome"
_TOKEN = re.compile(r"\w{4,}", re.UNICODE)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}\b")
_SITE_SUFFIX = re.compile(r"^(.+?)\s+[|·—–-]\s+([^|·—–]{2,50})$")


@dataclass
class Line:
    text: str
    gap_before: bool  # a blank line separates it from the previous line
    shape: str = ""
    repeats: int = 1
    role: str = ""  # assigned role: chrome, topic, headline, key_point, caption, ...


@dataclass
class Reading:
    """What the cleaner found, field by field, before it becomes an Article."""

    title: str = ""
    topic: str = ""
    byline: str = ""
    published_at: datetime | None = None
    key_points: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)

    def add_unique(self, bucket: list[str], text: str) -> None:
        if text and text not in bucket:
            bucket.append(text)


def clean_capture(text: str) -> Article:
    """Classify the lines of a page capture and return the article they hold."""
    lines = split_lines(text)
    reading = Reading()
    if lines:
        start, end = body_zone(lines)
        read_preamble(lines[:start], lines[start : end + 1], reading)
        read_body(lines[start : end + 1], reading)
        read_tail(lines[end + 1 :], reading)
    return Article(
        title=reading.title,
        byline=reading.byline,
        published_at=reading.published_at,
        topic_label=reading.topic,
        key_points=reading.key_points,
        text="\n\n".join(reading.body),
        captions=reading.captions,
        related=reading.related,
    )


def split_lines(text: str) -> list[Line]:
    """Non-blank lines with their shape, gap and repetition count."""
    lines: list[Line] = []
    gap = False
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = " ".join(raw.replace("\u00a0", " ").split())
        if not stripped:
            gap = True
            continue
        lines.append(Line(stripped, gap_before=gap or not lines, shape=shape_of(stripped)))
        gap = False
    lines = _unwrapped(lines)
    counts = Counter(_key(line.text) for line in lines)
    for line in lines:
        line.repeats = counts[_key(line.text)]
    return lines


def _unwrapped(lines: list[Line]) -> list[Line]:
    """Hard-wrapped paragraphs (plain text, e-mail) joined: a line that does not end like a
    sentence, followed without a blank line by one that starts in lower case, goes on."""
    out: list[Line] = []
    for line in lines:
        previous = out[-1] if out else None
        if (previous is not None and not line.gap_before and _continues(previous.text, line.text)):
            previous.text = f"{previous.text} {line.text}"
            previous.shape = shape_of(previous.text)
            continue
        out.append(line)
    return out


def _continues(before: str, after: str) -> bool:
    if sig.is_sentence(before) or sig.is_bullet(before) or sig.words(before) < 5:
        return False
    if shape_of(after) not in {"sentence", "title", "other"}:
        return False  # "by Ana Ruiz" under a headline is a byline, not the headline's end
    return after[:1].islower() or before.endswith((",", ";", "-", "–", "—"))


def shape_of(text: str) -> str:
    """The line's kind from its own shape; context comes later."""
    checks = (
        ("ad", sig.is_ad), ("cta", sig.is_promo_cta), ("utility", sig.is_utility),
        ("counter", sig.is_counter), ("duration", sig.is_duration), ("caption", sig.is_caption),
        ("byline", lambda t: bool(sig.byline_of(t))), ("date", sig.is_date_line),
        ("bullet", sig.is_bullet), ("sentence", sig.is_sentence),
    )
    for name, check in checks:
        if check(text):
            return name
    return "title" if sig.is_title_shaped(text) else "other"


def line_score(line: Line) -> float:
    """How much a line looks like article body: prose up, furniture down."""
    n = sig.words(line.text)
    if line.repeats > 1 and line.shape != "sentence":
        return -3.0
    if line.shape == "sentence":
        return float(min(n, 50)) if n >= 8 else (1.0 if n >= 4 else -1.0)
    if line.shape in {"title", "other"}:
        return n / 2 if n >= 20 else -(1.5 + n / 6)
    if line.shape == "bullet":
        return -1.0
    return -3.0


def body_zone(lines: list[Line]) -> tuple[int, int]:
    """Indices of the highest-scoring contiguous run of lines (empty run: start > end)."""
    best, best_span = 0.0, (len(lines), len(lines) - 1)
    running, start = 0.0, 0
    for i, line in enumerate(lines):
        if running <= 0:
            running, start = 0.0, i
        running += line_score(line)
        if running > best:
            best, best_span = running, (start, i)
    return best_span


def read_preamble(head: list[Line], zone: list[Line], reading: Reading) -> None:
    """Lines before the body: headline, topic label, key points, byline, captions, chrome."""
    for line in head:
        _take_furniture(line, reading)
    _mark_promo_boxes(head)
    headline = _pick_headline(head, _tokens(" ".join(line.text for line in zone)))
    if headline is not None:
        headline.role = "headline"
        reading.title = sig.strip_bullet(headline.text)
        if headline is head[0]:  # a page rendered to text starts with its window title
            reading.title = _without_site_name(reading.title)
    _pick_topic(head, headline, reading)
    _pick_key_points(head, headline, reading)
    for line in head:
        line.role = line.role or CHROME


def _take_furniture(line: Line, reading: Reading) -> None:
    """Roles every part of the page shares: captions, bylines, dates, ads and buttons."""
    if line.shape == "caption":
        line.role = "caption"
        reading.add_unique(reading.captions, line.text)
    elif line.shape == "byline":
        line.role = "byline"
        reading.byline = reading.byline or sig.byline_of(line.text)
    elif line.shape == "date":
        line.role = "date"
        reading.published_at = reading.published_at or sig.parse_date(line.text)
    elif line.shape in {"ad", "cta", "utility", "counter", "duration"} or sig.is_promo_text(
        line.text
    ):
        line.role = CHROME


def _mark_promo_boxes(head: list[Line]) -> None:
    """A call to action takes the short lines glued above it (no blank line) with it."""
    for j, line in enumerate(head):
        if line.shape != "cta":
            continue
        k = j
        while k > 0 and not head[k].gap_before and j - k < 2:  # a heading and a blurb
            above = head[k - 1]
            if above.role or sig.words(above.text) > 14 or above.repeats > 1:
                break
            above.role = CHROME
            k -= 1


def _pick_headline(head: list[Line], body_tokens: set[str]) -> Line | None:
    """The title-shaped line sharing most words with the body; the nearest one breaks ties.

    A line shown twice apart (the window title and the page's own heading) is the headline's
    strongest sign; one shown twice in a row is a video title or a teaser and is no candidate.
    """
    candidates = [(i, line) for i, line in enumerate(head) if _could_be_headline(head, i)]
    if not candidates:
        return None

    def overlap(item: tuple[int, Line]) -> tuple[float, int]:
        tokens = _tokens(item[1].text)
        shared = len(tokens & body_tokens) / max(1, len(tokens)) if tokens else 0.0
        title_bonus = 0.25 if item[1].shape != "sentence" else 0.0
        repeat_bonus = 0.5 if item[1].repeats == 2 else 0.0
        return shared + title_bonus + repeat_bonus, item[0]

    return max(candidates, key=overlap)[1]


def _could_be_headline(head: list[Line], i: int) -> bool:
    line = head[i]
    if line.role or line.shape not in {"title", "other", "sentence"}:
        return False
    if not 4 <= sig.words(line.text) <= 30 or sig.is_stamp(line.text):
        return False
    if _NUMERIC_DATE.search(line.text):
        return False  # "Pressemitteilung vom 20.01.2022", "02.02.2022 · 11:14"
    if line.repeats == 1:
        return True
    neighbours = [head[j].text for j in (i - 1, i + 1) if 0 <= j < len(head)]
    return line.repeats == 2 and _key(line.text) not in map(_key, neighbours)


def _without_site_name(text: str) -> str:
    """'Headline - Site' → 'Headline': the page title as a window title shows it."""
    match = _SITE_SUFFIX.match(text)
    if match and sig.words(match[1]) >= 3 and sig.words(match[2]) <= 5:
        return match[1].strip()
    return text


def _pick_topic(head: list[Line], headline: Line | None, reading: Reading) -> None:
    """A short label: shown more than once near the top, or sitting right above the headline."""
    labels = [line for line in head if not line.role and _is_label(line.text)]
    repeated = [line for line in labels if line.repeats > 1]
    chosen = repeated[0] if repeated else None
    if chosen is None and headline is not None:
        # The nearest line above the headline once promo boxes and captions are set aside.
        above = [line for line in head[: head.index(headline)] if not line.role]
        if above and above[-1] in labels:
            chosen = above[-1]
    if chosen is None:
        return
    reading.topic = chosen.text
    for line in head:
        if _key(line.text) == _key(chosen.text):
            line.role = "topic"


def _is_label(text: str) -> bool:
    n = sig.words(text)
    return 1 <= n <= 4 and not sig.is_sentence(text) and any(c.isalpha() for c in text)


def _pick_key_points(head: list[Line], headline: Line | None, reading: Reading) -> None:
    """Bullets under the headline; failing those, a standfirst between headline and body."""
    after = head[head.index(headline) + 1 :] if headline is not None else head
    bullets = [line for line in after if not line.role and line.shape == "bullet"]
    standfirst = [line for line in after
                  if not line.role and line.shape != "bullet" and sig.words(line.text) >= 10]
    chosen = bullets or (standfirst if headline is not None else [])
    for line in chosen:
        line.role = "key_point"
        reading.add_unique(reading.key_points, sig.strip_bullet(line.text))


def read_body(zone: list[Line], reading: Reading) -> None:
    """Inside the body run: keep prose and subheadings, lift out everything else."""
    video_left = 0
    for line in zone:
        text = line.text
        if line.shape == "duration":
            video_left = 2  # a video stub: its title follows, often twice
            continue
        if video_left and line.shape in {"title", "other"}:
            video_left -= 1
            reading.add_unique(reading.related, text)
            continue
        video_left = 0
        if _take_body_furniture(line, reading):
            continue
        reading.body.append(sig.strip_bullet(text) if line.shape == "bullet" else text)


def _take_body_furniture(line: Line, reading: Reading) -> bool:
    """Lift a non-prose line out of the body; True when it was taken."""
    text = line.text
    prefixed = sig.RELATED_PREFIX.match(text)
    if prefixed and sig.words(text[prefixed.end() :]) >= 3:
        reading.add_unique(reading.related, text[prefixed.end() :].strip())
        return True
    if line.shape in {"caption", "byline", "date", "ad", "cta", "utility", "counter"}:
        _take_furniture(line, reading)
        return True
    if _is_inline_promo(text):
        return True
    if line.shape in {"title", "other"} and (line.repeats > 1 or _headline_like(text)):
        # A headline-length line standing alone between paragraphs links elsewhere;
        # shorter ones are the article's own subheadings and stay, and so does prose that
        # only lacks its full stop.
        reading.add_unique(reading.related, text)
        return True
    return line.repeats > 1 and line.shape == "sentence" and text in reading.body


def _headline_like(text: str) -> bool:
    """Another story's headline: 7-50 words and not trailing off into the next line.

    Longer lines are paragraphs whatever their last character (measured on both shared
    corpora rendered as text, `python -m bench.extraction`: 25, 30, 40, 50, 60 and 80 words
    tried; 50 keeps CleanPortalEval's precision and most of trafilatura-eval's recall gain).
    """
    return 7 <= sig.words(text) <= 50 and not text.endswith((",", ";", ":", "-", "–", "—"))


def _is_inline_promo(text: str) -> bool:
    return sig.is_promo_text(text) and bool(
        re.match(r"^(?:sign up|subscribe|get|join|download|follow|click|tap|register)\b", text,
                 re.I)
    )


def read_tail(tail: list[Line], reading: Reading) -> None:
    """After the body: captions still count; headlines under a 'Related' header are links."""
    under_header = 0
    for line in tail:
        if line.shape == "caption":
            reading.add_unique(reading.captions, line.text)
        elif sig.RELATED_HEADER.match(line.text):
            under_header = 8
        elif under_header and line.shape in {"title", "other"} and sig.words(line.text) >= 4:
            reading.add_unique(reading.related, line.text)
            under_header -= 1


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _tokens(text: str) -> set[str]:
    return {token.casefold() for token in _TOKEN.findall(text)}
