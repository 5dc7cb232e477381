"""Entities aggregate: canonical people, organisations and places, their mentions and quotes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from tidings.models import Entity, EntityKind, Quote
from tidings.store import NotFound
from tidings.store.schema import article_entities, articles, entities, quotes, stories

EntityKey = Callable[[str, EntityKind], str]


class UnknownEntity(NotFound):
    pass


def upsert_entity(conn: Connection, entity: Entity, key: str) -> int:
    """The entity stored under `key`, created if new; aliases seen are merged in."""
    return upsert_entities(conn, [(key, entity)])[key]


def upsert_entities(conn: Connection, keyed: Sequence[tuple[str, Entity]]) -> dict[str, int]:
    """The ids of the entities stored under these keys, created if new, aliases seen merged
    in: a fixed number of statements however many entities an article names.

    Two workers may meet the same new entity at once: the insert ignores the loser's row.
    Rows are written in one global order (by key), so two articles that share entities
    cannot each hold a row lock the other waits for (a deadlock on PostgreSQL). When two
    entities share a key, the first one's name and kind are kept and all aliases merged.
    """
    first: dict[str, Entity] = {}
    aliases: dict[str, set[str]] = {}
    for key, entity in keyed:
        first.setdefault(key, entity)
        aliases.setdefault(key, set()).update(entity.aliases)
    keys = sorted(first)
    if not keys:
        return {}
    # One executemany of a statement built once (SQLAlchemy sends it as multi-row VALUES):
    # a literal multi-row insert would be compiled anew for every article.
    conn.execute(_NEW_ENTITIES[conn.dialect.name == "postgresql"], [
        {"key": k, "kind": str(first[k].kind), "name": first[k].name,
         "aliases": sorted(aliases[k])} for k in keys])
    rows = {r.key: r for r in conn.execute(
        sa.select(entities.c.id, entities.c.key, entities.c.aliases)
        .where(entities.c.key.in_(keys)))}
    changed = []
    for k in keys:
        stored = sorted(rows[k].aliases or [])
        merged = sorted(set(stored) | aliases[k])
        if merged != stored:
            changed.append({"entity_id": rows[k].id, "merged": merged})
    if changed:
        conn.execute(sa.update(entities).where(entities.c.id == sa.bindparam("entity_id"))
                     .values(aliases=sa.bindparam("merged")), changed)
    return {k: int(rows[k].id) for k in keys}


# Insert the entities not stored yet (another worker may be inserting the same at once).
_NEW_ENTITIES = {
    is_pg: dialect.insert(entities).on_conflict_do_nothing(index_elements=["key"])
    for is_pg, dialect in ((False, sqlite), (True, postgresql))}


def save_annotations(conn: Connection, article_id: int, found: Sequence[Entity],
                     said: Sequence[Quote], key: EntityKey) -> None:
    """Store an article's entity mentions and quotes (speakers linked when they are entities)."""
    keyed = [(key(e.name, e.kind), e) for e in found]
    ids = upsert_entities(conn, keyed)
    ids_by_name: dict[str, int] = {}
    mentions: dict[int, tuple[int, float]] = {}  # two names may share one key: add them up
    for entity_key, entity in sorted(keyed, key=lambda pair: pair[0]):
        entity_id = ids[entity_key]
        ids_by_name[entity.name] = entity_id
        count, salience = mentions.get(entity_id, (0, 0.0))
        mentions[entity_id] = (count + entity.count, max(salience, entity.salience))
    if mentions:
        conn.execute(sa.insert(article_entities), [
            {"article_id": article_id, "entity_id": entity_id, "count": count,
             "salience": salience} for entity_id, (count, salience) in mentions.items()])
    if said:
        conn.execute(sa.insert(quotes), [
            {"article_id": article_id, "entity_id": ids_by_name.get(q.speaker),
             "speaker": q.speaker, "text": q.text, "direct": q.direct} for q in said])


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
