"""What ranking knows of a story and of a reader: no article rows, no entity rows.

A `Candidate` is read from `story_features` and `story_sources` (kept at ingest), narrowed to
the sources the reader subscribes to. A `Reader` is what one reader told Tidings (follows,
mutes) and what their hides and rules did (`story_marks`), plus their learned `profile`.
These two types are the contract between the store (which fills them) and the model (which
scores them); scoring is pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tidings.models import Follow

TOP_ENTITIES = 8  # entities of a story that carry evidence (best first)


@dataclass(slots=True, eq=False)
class Candidate:
    """One story as one reader's feed sees it (not frozen: a feed request builds hundreds,
    and a frozen dataclass's constructor costs twice as much; nothing changes one)."""

    story_id: int
    headline: str  # the newest title among the articles this reader can see
    lead_article_id: int  # that article
    first_seen: datetime
    last_seen: datetime  # newest dated arrival the reader can see; undated count as first seen
    article_count: int  # articles this reader can see
    source_ids: tuple[int, ...]  # the reader's sources covering it
    outlet_count: int  # distinct sources covering it across all of Tidings (coverage)
    velocity: float  # articles an hour over the last 6 hours, all of Tidings
    topics: tuple[str, ...] = ()  # lower-case topic labels
    entities: tuple[tuple[int, str, float], ...] = ()  # (entity id, name, weight), best first
    entity_ids: frozenset[int] = frozenset()  # every entity any of its articles mentions
    about: str = ""  # lower-case headlines, key points and lead paragraphs (what it is about)
    bylines: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()  # the reader's names for source_ids, same order
    folders: tuple[str, ...] = ()  # the reader's folders of those sources
    entity_names: frozenset[str] = frozenset()  # lower-case names of `entities` (derived)
    # (kind, target) → whether that follow's text test matches: a memo the catalogue shares
    # between every reader's candidate of one unchanged story (the candidate's fields that
    # test reads, `topics` and `about`, are the same for all of them)
    matched: dict[tuple[str, str], bool] = field(default_factory=dict, compare=False,
                                                 repr=False)

    # (entity id, its weight relative to the story's top entity) of the top TOP_ENTITIES: the
    # entity affinity's shares (derived; see `tidings.rank.learn.story_keys`)
    entity_shares: tuple[tuple[int, float], ...] = ()

    def __post_init__(self) -> None:
        if self.entities and not self.entity_names:
            self.entity_names = frozenset(name.lower() for _, name, _ in self.entities)
        if self.entities and not self.entity_shares:
            self.entity_shares = entity_shares(self.entities)


def entity_shares(entities: tuple[tuple[int, str, float], ...]
                  ) -> tuple[tuple[int, float], ...]:
    top = entities[:TOP_ENTITIES]
    best = max(e[2] for e in top) or 1.0
    return tuple((int(i), max(0.0, w) / best) for i, _, w in top)


@dataclass
class Reader:
    """One reader as ranking sees them."""

    user_id: int
    follows: list[Follow] = field(default_factory=list)  # follows and mutes
    muted_entity_ids: frozenset[int] = frozenset()  # muted entity follows, resolved to ids
    hidden: frozenset[int] = frozenset()  # story ids hidden by the reader or by a rule
    boosts: dict[int, tuple[float, str]] = field(default_factory=dict)  # story id → (boost, why)
    opened: frozenset[int] = frozenset()  # stories the reader opened before (novelty)
    profile: Any = None  # tidings.rank.learn.Profile; None: the global prior
