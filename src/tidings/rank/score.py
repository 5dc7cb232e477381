"""A transparent score over named features; every point a story earns is explained."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tidings.models import Article, Entity, Follow, Story, TargetKind

HALF_LIFE_H = 18.0
FOLLOW_BOOST = 1.5
DIVERSITY_DECAY = 0.8


@dataclass
class StoryView:
    """What ranking knows of a story: its articles (oldest first), outlets and entities."""

    story_id: int
    title: str
    last_seen: datetime
    articles: list[Article]
    sources: list[str]
    entities: list[Entity] = field(default_factory=list)
    story: Story | None = None

    @property
    def topics(self) -> set[str]:
        found = {t.lower() for a in self.articles for t in a.topics}
        return found | {a.topic_label.lower() for a in self.articles if a.topic_label}


@dataclass
class Scored:
    view: StoryView
    score: float
    why: list[str]
    muted_by: str = ""


def _matches(view: StoryView, follow: Follow) -> bool:
    target = follow.target.lower()
    if follow.target_kind is TargetKind.TOPIC:  # "science" follows "science and technology"
        return any(t == target or t.startswith(target + " ") for t in view.topics)
    if follow.target_kind is TargetKind.ENTITY:
        return any(target == e.name.lower() or target in (a.lower() for a in e.aliases)
                   for e in view.entities)
    if follow.target_kind is TargetKind.SOURCE:
        return any(target == s.lower() for s in view.sources)
    pattern = re.compile(rf"\b{re.escape(target)}\b")
    return any(pattern.search(_headline_text(a)) for a in view.articles)


def _headline_text(article: Article) -> str:
    """What a story is *about*: title, key points and lead paragraph, not passing mentions."""
    lead = article.text.split("\n\n", 1)[0]
    return " ".join([article.title, *article.key_points, lead]).lower()


def score_story(view: StoryView, follows: Sequence[Follow], now: datetime) -> Scored:
    age_h = max(0.0, (now - view.last_seen).total_seconds() / 3600)
    freshness = 0.5 ** (age_h / HALF_LIFE_H)
    coverage = math.log1p(len(set(view.sources)))
    score, why = freshness + 0.5 * coverage, []
    if len(set(view.sources)) > 1:
        why.append(f"covered by {len(set(view.sources))} sources")
    for follow in follows:
        if not _matches(view, follow):
            continue
        if follow.muted:
            return Scored(view, 0.0, [f"muted {follow.target_kind}: {follow.target}"],
                          muted_by=follow.target)
        score += FOLLOW_BOOST * follow.weight
        why.append(f"you follow {follow.target_kind} {follow.target}")
    if age_h < 6:
        why.append("new in the last 6 hours")
    return Scored(view, score, why or ["recent"])


def diversify(ranked: list[Scored]) -> list[Scored]:
    """Re-rank greedily so one topic does not fill the page: each repeat costs a factor."""
    pool = [(s, s.view.topics) for s in ranked]  # topics computed once per story
    out: list[Scored] = []
    shown = Counter[str]()
    while pool:
        best = max(range(len(pool)), key=lambda i: pool[i][0].score * DIVERSITY_DECAY ** max(
            (shown[t] for t in pool[i][1]), default=0))
        scored, topics = pool.pop(best)
        shown.update(topics)
        out.append(scored)
    return out


def rank(views: Sequence[StoryView], follows: Sequence[Follow], now: datetime) -> list[Scored]:
    scored = [score_story(v, follows, now) for v in views]
    kept = sorted((s for s in scored if not s.muted_by), key=lambda s: -s.score)
    return diversify(kept)
