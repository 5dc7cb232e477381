"""Entities aggregate: canonical people, organisations and places, their mentions and quotes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import Entity, EntityKind, Quote
from tidings.store import NotFound
from tidings.store.db import insert_ignoring_duplicates
from tidings.store.schema import article_entities, articles, entities, quotes, stories

EntityKey = Callable[[str, EntityKind], str]


class UnknownEntity(NotFound):
    pass


def upsert_entity(conn: Connection, entity: Entity, key: str) -> int:
    """The entity stored under `key`, created if new; aliases seen are merged in.

    Two workers may meet the same new entity at once: the insert ignores the loser's row.
    """
    insert_ignoring_duplicates(conn, entities, [
        {"key": key, "kind": str(entity.kind), "name": entity.name,
         "aliases": sorted(set(entity.aliases))}], unique=["key"])
    row = conn.execute(sa.select(entities).where(entities.c.key == key)).one()
    merged = sorted(set(row.aliases or []) | set(entity.aliases))
    if merged != sorted(row.aliases or []):
        conn.execute(sa.update(entities).where(entities.c.id == row.id).values(aliases=merged))
    return int(row.id)


def save_annotations(conn: Connection, article_id: int, found: Sequence[Entity],
                     said: Sequence[Quote], key: EntityKey) -> None:
    """Store an article's entity mentions and quotes (speakers linked when they are entities)."""
    ids_by_name: dict[str, int] = {}
    mentions: dict[int, tuple[int, float]] = {}  # two names may share one key: add them up
    # Upserts lock entity rows; taken in one global order (by key), two articles that share
    # entities cannot each hold one the other waits for (a deadlock on PostgreSQL).
    keyed = sorted(((key(e.name, e.kind), e) for e in found), key=lambda pair: pair[0])
    for entity_key, entity in keyed:
        entity_id = upsert_entity(conn, entity, entity_key)
        ids_by_name[entity.name] = entity_id
        count, salience = mentions.get(entity_id, (0, 0.0))
        mentions[entity_id] = (count + entity.count, max(salience, entity.salience))
    for entity_id, (count, salience) in mentions.items():
        conn.execute(sa.insert(article_entities).values(
            article_id=article_id, entity_id=entity_id, count=count, salience=salience))
    for quote in said:
        conn.execute(sa.insert(quotes).values(
            article_id=article_id, entity_id=ids_by_name.get(quote.speaker),
            speaker=quote.speaker, text=quote.text, direct=quote.direct))


def entities_of(conn: Connection, article_ids: Sequence[int]) -> dict[int, list[Entity]]:
    out: dict[int, list[Entity]] = {aid: [] for aid in article_ids}
    if not article_ids:
        return out
    stmt = (sa.select(article_entities.c.article_id, article_entities.c.count.label("mentions"),
                      article_entities.c.salience, entities)
            .join(entities, entities.c.id == article_entities.c.entity_id)
            .where(article_entities.c.article_id.in_(article_ids))
            .order_by(article_entities.c.salience.desc()))
    for r in conn.execute(stmt):
        out[r.article_id].append(Entity(id=r.id, name=r.name, kind=EntityKind(r.kind),
                                        count=r.mentions, salience=r.salience,
                                        aliases=list(r.aliases or [])))
    return out


def quotes_of(conn: Connection, article_id: int) -> list[Quote]:
    stmt = sa.select(quotes).where(quotes.c.article_id == article_id).order_by(quotes.c.id)
    return [Quote(text=r.text, speaker=r.speaker, direct=r.direct) for r in conn.execute(stmt)]


def get_entity(conn: Connection, entity_id: int) -> Entity:
    row = conn.execute(sa.select(entities).where(entities.c.id == entity_id)).first()
    if row is None:
        raise UnknownEntity(f"no entity with id {entity_id}")
    return Entity(id=row.id, name=row.name, kind=EntityKind(row.kind),
                  aliases=list(row.aliases or []))


def stories_mentioning(conn: Connection, entity_id: int, limit: int = 100) -> list[int]:
    """Ids of the stories whose articles mention the entity, most recently active first."""
    stmt = (sa.select(stories.c.id)
            .join(articles, articles.c.story_id == stories.c.id)
            .join(article_entities, article_entities.c.article_id == articles.c.id)
            .where(article_entities.c.entity_id == entity_id)
            .group_by(stories.c.id, stories.c.last_seen)
            .order_by(stories.c.last_seen.desc()).limit(limit))
    return [r[0] for r in conn.execute(stmt)]
