"""Rules on both databases: the preview is exactly what saving does; block, keep only, boost and
mark read act on the reader's own stories only; deleting a rule takes back what it hid or
lifted; a new article meets its subscribers' rules at ingest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tests.accounts import subscribe
from tidings.models import Article, Source, utcnow
from tidings.pipeline import StoryAssigner, store_article
from tidings.rank.candidate import Candidate, Reader
from tidings.rank.model import rank
from tidings.rank.rules import Rule, RuleTimeout
from tidings.store import articles as article_store
from tidings.store import library
from tidings.store import rules as rule_store
from tidings.store import sources as source_store
from tidings.store import stories as story_store
from tidings.store.db import transaction
from tidings.store.schema import rules

NOW = utcnow()


@dataclass
class World:
    ann: int
    bob: int
    news: int  # ann's source in folder "News"; bob subscribes too
    blog: int  # ann's other source, no folder
    stories: dict[str, int]
    articles: dict[str, int]


def _article(conn: Connection, source_id: int, story_id: int, title: str, *, hours: float = 1,
             text: str = "") -> int:
    at = NOW - timedelta(hours=hours)
    return article_store.insert_article(conn, Article(
        url=f"https://n.example/{abs(hash(title))}", title=title, text=text or title,
        source_id=source_id, story_id=story_id, fetched_at=at, published_at=at),
        entry_key=title)


def _world(conn: Connection) -> World:
    news = source_store.add_source(conn, Source(url="https://news.example/feed"))[0].id or 0
    blog = source_store.add_source(conn, Source(url="https://blog.example/feed"))[0].id or 0
    ann = subscribe(conn, news, "ann", folder="News").id or 0
    subscribe(conn, blog, "ann")
    bob = subscribe(conn, news, "bob").id or 0
    layout = {  # story → [(source, title, hours ago)]
        "gossip": [(news, "Gossip: the mayor's new car", 2), (blog, "More gossip at the pier", 3)],
        "mixed": [(news, "Gossip about the budget", 2), (blog, "Budget passes council", 1)],
        "harbour": [(news, "Harbour dredging starts", 30)],
        "briefing": [(blog, "Morning briefing", 1)],
        "old": [(news, "Gossip from last month", 24 * 20)],
    }
    stories, arts = {}, {}
    for name, items in layout.items():
        stories[name] = story_store.create_story(conn, items[0][1], NOW)
        for source, title, hours in items:
            arts[title] = _article(conn, source, stories[name], title, hours=hours)
        story_store.refresh_story(conn, stories[name])
    return World(ann, bob, news, blog, stories, arts)


def _rule(user_id: int, pattern: str, action: str = "block", **more: str) -> Rule:
    return Rule(user_id, more.pop("field", "title"), pattern, action, name=pattern, **more)


@pytest.mark.parametrize(("pattern", "action", "scope"), [
    ("gossip", "block", {}),
    ("budget", "keep_only", {"scope": "source", "scope_value": "blog"}),
    ("harbour", "boost", {}),
    ("briefing", "mark_read", {}),
    ("harbour", "block", {"scope": "folder", "scope_value": "News"}),
])
def test_the_preview_is_exactly_what_saving_does(engine: Engine, pattern: str, action: str,
                                                 scope: dict[str, str]) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        if scope.get("scope_value") == "blog":
            scope = scope | {"scope_value": str(w.blog)}
        rule = _rule(w.ann, pattern, action, **scope)
        shown = rule_store.preview(conn, rule, days=7)
        before = library.states(conn, w.ann, list(w.articles.values()))
        rule_store.save(conn, rule, days=7)
        marks = rule_store.stored_marks(conn, w.ann)
        after = library.states(conn, w.ann, list(w.articles.values()))
    assert shown.hidden or shown.boosted or shown.read  # each case does something
    assert sorted(s for s, m in marks.items() if m.hidden) == shown.hidden
    assert sorted(s for s, m in marks.items() if not m.hidden and m.boost > 0) == shown.boosted
    newly_read = sorted(a for a in after if after[a].read and not before[a].read)
    assert newly_read == shown.read
    assert all(m.reason == f"your rule '{pattern}'" for m in marks.values())


def test_block_hides_only_stories_whose_every_article_it_blocks(engine: Engine) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        _, done = rule_store.save(conn, _rule(w.ann, "gossip"), days=7)
        hidden, _ = rule_store.reader_marks(conn, w.ann)
        bobs, _ = rule_store.reader_marks(conn, w.bob)
    assert hidden == {w.stories["gossip"]}  # "mixed" keeps its budget article
    assert w.stories["old"] not in done.hidden  # outside the seven days
    assert w.articles["Gossip about the budget"] in done.articles
    assert bobs == frozenset()  # ann's rule is ann's


def test_keep_only_hides_what_misses_in_its_scope(engine: Engine) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        rule = _rule(w.ann, "budget", "keep_only", scope="source", scope_value=str(w.blog))
        rule_store.save(conn, rule, days=7)
        hidden, _ = rule_store.reader_marks(conn, w.ann)
    # the blog's briefing is hidden; "gossip" still has a News article, "mixed" a budget one
    assert hidden == {w.stories["briefing"]}


def test_a_boost_raises_the_story_in_the_ranking(engine: Engine) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        hidden, boosts = rule_store.reader_marks(conn, w.ann)
        cands = [Candidate(w.stories[n], n, 0, NOW - timedelta(hours=h), NOW - timedelta(hours=h),
                           1, (w.news,), 1, 0.0) for n, h in (("mixed", 1), ("harbour", 30))]
        plain = [s.candidate.story_id for s in rank(cands, Reader(w.ann, hidden=hidden,
                                                                  boosts=boosts), NOW)]
        rule_store.save(conn, _rule(w.ann, "harbour", "boost"), days=7)
        hidden, boosts = rule_store.reader_marks(conn, w.ann)
        lifted = rank(cands, Reader(w.ann, hidden=hidden, boosts=boosts), NOW)
    assert plain == [w.stories["mixed"], w.stories["harbour"]]
    assert [s.candidate.story_id for s in lifted] == [w.stories["harbour"], w.stories["mixed"]]
    assert "your rule 'harbour'" in lifted[0].why


def test_deleting_a_rule_takes_back_its_marks_but_not_what_it_marked_read(engine: Engine
                                                                         ) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        block, _ = rule_store.save(conn, _rule(w.ann, "gossip"), days=7)
        read, _ = rule_store.save(conn, _rule(w.ann, "briefing", "mark_read"), days=7)
        rule_store.delete(conn, w.ann, block.id or 0)
        rule_store.delete(conn, w.ann, read.id or 0)
        marks = rule_store.stored_marks(conn, w.ann)
        state = library.states(conn, w.ann, [w.articles["Morning briefing"]])
        left = rule_store.list_rules(conn, w.ann)
    assert marks == {} and left == []
    assert state[w.articles["Morning briefing"]].read


def test_a_readers_own_hide_outlives_the_rules(engine: Engine) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        rule_store.hide_story(conn, w.ann, w.stories["gossip"])
        rule, done = rule_store.save(conn, _rule(w.ann, "gossip"), days=7)
        rule_store.delete(conn, w.ann, rule.id or 0)
        marks = rule_store.stored_marks(conn, w.ann)
    assert w.stories["gossip"] not in done.hidden  # already hidden by the reader
    assert marks[w.stories["gossip"]].reason == rule_store.HIDE_REASON


def test_changing_a_rule_replaces_what_it_did(engine: Engine) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        rule, _ = rule_store.save(conn, _rule(w.ann, "gossip"), days=7)
        changed, done = rule_store.update(conn, Rule(w.ann, "title", "briefing", "block",
                                                     name="quiet", id=rule.id), days=7)
        hidden, _ = rule_store.reader_marks(conn, w.ann)
    assert changed.pattern == "briefing" and done.hidden == [w.stories["briefing"]]
    assert hidden == {w.stories["briefing"]}


def test_another_readers_rule_is_not_found(engine: Engine) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        rule, _ = rule_store.save(conn, _rule(w.ann, "gossip"), days=7)
        with pytest.raises(rule_store.UnknownRule):
            rule_store.get_rule(conn, w.bob, rule.id or 0)
        with pytest.raises(rule_store.UnknownRule):
            rule_store.delete(conn, w.bob, rule.id or 0)


def test_a_catastrophic_regex_errors_on_real_articles(engine: Engine) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        story = story_store.create_story(conn, "Long", NOW)
        _article(conn, w.news, story, "Long text", text="a" * 5000 + "b")
        with pytest.raises(RuleTimeout):
            rule_store.preview(conn, Rule(w.ann, "text", "(a+)+$", "block", "regex"), days=7)


def test_a_new_article_meets_its_subscribers_rules_at_ingest(engine: Engine) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        rule_store.save(conn, _rule(w.ann, "lottery"), days=7)
        rule_store.save(conn, _rule(w.ann, "lottery", "mark_read"), days=7)
    article = Article(url="https://news.example/lottery", title="Lottery jackpot rolls over",
                      text="Nobody won the lottery jackpot this week, the operator said.",
                      source_id=w.news, fetched_at=utcnow(), published_at=utcnow())
    with transaction(engine) as conn:
        article_id = store_article(conn, article, "lottery-1", StoryAssigner())
        story_id = article_store.get_article(conn, article_id).story_id
        hidden, _ = rule_store.reader_marks(conn, w.ann)
        bobs, _ = rule_store.reader_marks(conn, w.bob)
        state = library.states(conn, w.ann, [article_id])[article_id]
    assert story_id in hidden and state.read
    assert story_id not in bobs


def test_entity_and_text_rules_read_the_stored_annotations(engine: Engine) -> None:
    from tidings.models import Entity, EntityKind  # noqa: PLC0415
    from tidings.store import entities as entity_store  # noqa: PLC0415

    with transaction(engine) as conn:
        w = _world(conn)
        named = w.articles["Harbour dredging starts"]
        entity_store.save_annotations(conn, named, [Entity("Quay Trust", EntityKind.ORG)], [],
                                      lambda name, kind: f"{kind}:{name.lower()}")
        by_entity = rule_store.preview(conn, _rule(w.ann, "quay trust", field="entity"), days=7)
        by_text = rule_store.preview(conn, _rule(w.ann, "dredging", field="text"), days=7)
    assert by_entity.articles == [named] and by_entity.hidden == [w.stories["harbour"]]
    assert by_text.articles == [named]  # the text is the title in this world


def test_a_reader_has_at_most_max_rules(engine: Engine) -> None:
    from tidings.rank.rules import MAX_RULES, RuleError  # noqa: PLC0415

    with transaction(engine) as conn:
        w = _world(conn)
        for i in range(MAX_RULES):
            rule_store.save(conn, _rule(w.ann, f"word{i}"), days=1)
        with pytest.raises(RuleError, match="delete one first"):
            rule_store.check(conn, _rule(w.ann, "one more"))
        first = rule_store.list_rules(conn, w.ann)[0]
        assert rule_store.check(conn, first).id == first.id  # changing one is fine


def test_a_readers_runaway_regex_never_keeps_an_article_out(engine: Engine) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        conn.execute(sa.insert(rules).values(  # saved before its first run met a long text
            user_id=w.ann, field="text", pattern="(a+)+$", action="block", match="regex",
            name="runaway", scope="all", scope_value=""))
    article = Article(url="https://news.example/long", title="A long one",
                      text="a" * 5000 + "b", source_id=w.news, fetched_at=utcnow())
    with transaction(engine) as conn:
        article_id = store_article(conn, article, "long-1", StoryAssigner())
        stored = article_store.get_article(conn, article_id)
        hidden, _ = rule_store.reader_marks(conn, w.ann)
    assert stored.title == "A long one" and stored.story_id not in hidden


def test_a_runaway_rule_does_not_block_deleting_it_or_undoing_a_hide(engine: Engine) -> None:
    with transaction(engine) as conn:
        w = _world(conn)
        story = story_store.create_story(conn, "Long", NOW)
        _article(conn, w.news, story, "Long text", text="a" * 5000 + "b")
        conn.execute(sa.insert(rules).values(
            user_id=w.ann, field="text", pattern="(a+)+$", action="block", match="regex",
            name="runaway", scope="all", scope_value=""))
        rule_store.hide_story(conn, w.ann, story)
        rule_store.unhide_story(conn, w.ann, story)  # the rules run again: and time out
        runaway = rule_store.list_rules(conn, w.ann)[0]
        rule_store.delete(conn, w.ann, runaway.id or 0)
        left = rule_store.list_rules(conn, w.ann)
        marks = rule_store.stored_marks(conn, w.ann)
    assert left == [] and marks == {}


def test_a_window_longer_than_one_batch_is_read_in_batches(engine: Engine) -> None:
    count = rule_store.STORIES_PER_BATCH + 60
    with transaction(engine) as conn:
        w = _world(conn)
        made = []
        for i in range(count):
            made.append(story_store.create_story(conn, f"Tide table {i}", NOW))
            _article(conn, w.news, made[-1], f"Tide table {i}", hours=2)
        shown = rule_store.preview(conn, _rule(w.ann, "tide table"), days=7)
        rule_store.save(conn, _rule(w.ann, "tide table"), days=7)
        hidden, _ = rule_store.reader_marks(conn, w.ann)
    assert shown.hidden == sorted(made) and hidden == set(made)
