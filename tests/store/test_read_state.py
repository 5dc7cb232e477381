"""Per-reader read state on both databases: the mark-all-as-read watermark, explicit marks,
stories that gain articles, unread counts that agree with the rows, retention."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tests.accounts import reader, subscribe
from tidings.models import Article, Source, utcnow
from tidings.store import articles as article_store
from tidings.store import library, reading
from tidings.store import sources as source_store
from tidings.store import stories as story_store
from tidings.store.db import transaction
from tidings.store.schema import articles, read_state

T0 = utcnow() - timedelta(hours=3)


def _source(conn: Connection, url: str) -> int:
    return source_store.add_source(conn, Source(url=url, title=url))[0].id or 0


def _article(conn: Connection, source_id: int, story_id: int, key: str, minutes: int) -> int:
    at = T0 + timedelta(minutes=minutes)
    return article_store.insert_article(conn, Article(
        url=f"https://n.example/{key}", title=f"Item {key}", source_id=source_id,
        story_id=story_id, fetched_at=at, published_at=at), entry_key=key)


def test_mark_all_read_leaves_later_arrivals_unread(engine: Engine) -> None:
    with transaction(engine) as conn:
        src = _source(conn, "https://a.example/feed")
        ann = subscribe(conn, src, "ann")
        bob = subscribe(conn, src, "bob")
        story = story_store.create_story(conn, "Event", T0)
        old = [_article(conn, src, story, f"a{i}", i) for i in range(3)]
        seen_at = T0 + timedelta(minutes=5)  # the reader saw the list then
        late = _article(conn, src, story, "late", 10)  # arrived after the list was shown
        library.mark_all_read(conn, ann.id or 0, seen_at)
        marks = library.states(conn, ann.id or 0, [*old, late])
        counts_ann = library.unread_counts(conn, ann.id or 0)
        counts_bob = library.unread_counts(conn, bob.id or 0)
    assert [marks[i].read for i in old] == [True, True, True]
    assert marks[late].read is False
    assert counts_ann == {src: 1} and counts_bob == {src: 4}  # bob's state is his own


def test_explicit_marks_beat_the_watermark_until_the_next_mark_all(engine: Engine) -> None:
    with transaction(engine) as conn:
        src = _source(conn, "https://b.example/feed")
        ann = subscribe(conn, src, "ann")
        story = story_store.create_story(conn, "Event", T0)
        first, second = (_article(conn, src, story, k, m) for k, m in (("x", 1), ("y", 2)))
        library.mark_all_read(conn, ann.id or 0, T0 + timedelta(minutes=3))
        library.set_state(conn, ann.id or 0, [first], read=False)  # "keep unread"
        kept = library.states(conn, ann.id or 0, [first, second])
        library.mark_all_read(conn, ann.id or 0, T0 + timedelta(minutes=4))
        again = library.states(conn, ann.id or 0, [first])
        older = library.mark_all_read(conn, ann.id or 0, T0)  # an older list: no step back
        still = library.states(conn, ann.id or 0, [second])
    assert (kept[first].read, kept[second].read) == (False, True)
    assert again[first].read is True
    assert older == 1 and still[second].read is True


def test_a_read_story_that_gains_an_article_comes_back_updated(engine: Engine) -> None:
    with transaction(engine) as conn:
        src = _source(conn, "https://c.example/feed")
        other = _source(conn, "https://d.example/feed")
        ann = subscribe(conn, src, "ann")
        story = story_store.create_story(conn, "Event", T0)
        arts = [_article(conn, src, story, f"c{i}", i) for i in range(2)]
        never_read = reading.story_states(conn, ann.id or 0, [story])[story]
        library.set_state(conn, ann.id or 0,
                          [a.id or 0 for a in reading.visible_story_articles(
                              conn, ann.id or 0, story)], read=True)  # opening the story
        read_now = reading.story_states(conn, ann.id or 0, [story])[story]
        newcomer = _article(conn, src, story, "c-new", 30)
        _article(conn, other, story, "not-subscribed", 31)  # ann does not read that source
        after = reading.story_states(conn, ann.id or 0, [story])[story]
        new = reading.new_since_read(conn, ann.id or 0, story)
    assert (never_read.unread, never_read.updated) == (2, False)
    assert (read_now.read, read_now.updated) == (True, False)
    assert (after.total, after.unread, after.updated) == (3, 1, True)
    assert new == {newcomer} and newcomer not in arts


def test_unread_counts_agree_with_the_rows(engine: Engine) -> None:
    with transaction(engine) as conn:
        srcs = [_source(conn, f"https://e{i}.example/feed") for i in range(3)]
        ann = reader(conn, "ann")
        for n, s in enumerate(srcs[:2]):
            library.subscribe(conn, ann.id or 0, s, folder="News" if n else "")
        story = story_store.create_story(conn, "Event", T0)
        ids = [_article(conn, s, story, f"{s}-{i}", i) for s in srcs for i in range(4)]
        library.set_state(conn, ann.id or 0, ids[:2], read=True)
        library.set_state(conn, ann.id or 0, ids[2:3], hidden=True)
        library.set_state(conn, ann.id or 0, ids[8:], read=True)  # not subscribed: ignored
        library.mark_all_read(conn, ann.id or 0, T0 + timedelta(minutes=1), folder="News")
        counts = library.unread_counts(conn, ann.id or 0)
        states = library.states(conn, ann.id or 0, ids)
        stored = conn.execute(sa.select(sa.func.count()).select_from(read_state)).scalar_one()
    by_hand = {srcs[0]: 1, srcs[1]: 2}  # 4 - 2 read - 1 hidden; 4 - 2 under the watermark
    assert counts == by_hand
    assert sum(not s.read and not s.hidden for s in states.values()) == sum(by_hand.values())
    assert set(states) == set(ids[:8]) and stored == 3


def test_retention_prunes_read_unstarred_articles_only(engine: Engine) -> None:
    with transaction(engine) as conn:
        src = _source(conn, "https://f.example/feed")
        ann = subscribe(conn, src, "ann")
        bob = subscribe(conn, src, "bob")
        story = story_store.create_story(conn, "Event", T0)
        read_by_both, starred, unread_for_bob = (
            _article(conn, src, story, k, i) for i, k in enumerate(("r", "s", "u")))
        for user in (ann, bob):
            library.set_state(conn, user.id or 0, [read_by_both, starred], read=True)
        library.set_state(conn, ann.id or 0, [starred], starred=True)
        library.set_state(conn, ann.id or 0, [unread_for_bob], read=True)
        gone = reading.prune_read_articles(conn, utcnow())
        left = set(conn.execute(sa.select(articles.c.id)).scalars())
    assert gone == 1 and left == {starred, unread_for_bob}
