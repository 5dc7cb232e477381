"""Ranking: follows lift a story and say so, mutes hide it, fresh beats stale, topics mix."""

from __future__ import annotations

from datetime import timedelta

from tidings.models import Article, Entity, EntityKind, Follow, TargetKind, utcnow
from tidings.rank.score import StoryView, rank, score_story

NOW = utcnow()


def view(story_id: int, title: str, *, hours: float = 1, topics: tuple[str, ...] = (),
         text: str = "", sources: tuple[str, ...] = ("Outlet A",),
         people: tuple[str, ...] = ()) -> StoryView:
    article = Article(title=title, text=text or f"{title}.\n\nMore on this later.",
                      topics=list(topics))
    entities = [Entity(name=p, kind=EntityKind.PERSON) for p in people]
    return StoryView(story_id, title, NOW - timedelta(hours=hours), [article], list(sources),
                     entities)


def follow(kind: TargetKind, target: str, *, muted: bool = False) -> Follow:
    return Follow(user_id=1, target_kind=kind, target=target, muted=muted)


def test_a_followed_entity_lifts_a_story_and_explains_why() -> None:
    plain = view(1, "Harbour dredging starts", hours=1)
    followed = view(2, "Mayor opens new pier", hours=5, people=("Ines Varga",))
    ranked = rank([plain, followed], [follow(TargetKind.ENTITY, "Ines Varga")], NOW)
    assert [s.view.story_id for s in ranked] == [2, 1]
    assert "you follow entity Ines Varga" in ranked[0].why


def test_a_topic_follow_matches_the_broader_taxonomy_label() -> None:
    story = view(1, "Comet spotted", topics=("science and technology",))
    scored = score_story(story, [follow(TargetKind.TOPIC, "Science")], NOW)
    assert scored.why and "you follow topic Science" in scored.why


def test_muted_keyword_hides_only_stories_about_it() -> None:
    about = view(1, "Share price of Calder jumps 12%")
    passing = view(2, "Dairy farmers meet",
                   text="Dairy farmers met on Monday.\n\nOne said the share price was irrelevant.")
    ranked = rank([about, passing], [follow(TargetKind.KEYWORD, "share price", muted=True)], NOW)
    assert [s.view.story_id for s in ranked] == [2]


def test_keywords_match_whole_words() -> None:
    story = view(1, "Start-up raises funds")
    scored = score_story(story, [follow(TargetKind.KEYWORD, "art")], NOW)
    assert scored.why == ["new in the last 6 hours"]


def test_fresher_and_wider_coverage_ranks_higher() -> None:
    old = view(1, "Old news", hours=40)
    fresh = view(2, "Fresh news", hours=1)
    wide = view(3, "Widely covered", hours=10, sources=("A", "B", "C", "D"))
    order = [s.view.story_id for s in rank([old, fresh, wide], [], NOW)]
    assert order.index(2) < order.index(1) and order.index(3) < order.index(1)
    assert "covered by 4 sources" in score_story(wide, [], NOW).why


def test_diversity_keeps_one_topic_from_filling_the_top() -> None:
    sport = [view(i, f"Match report {i}", hours=1 + i * 0.1, topics=("sport",))
             for i in range(1, 5)]
    politics = view(9, "Budget vote", hours=3, topics=("politics",))
    top3 = [s.view.story_id for s in rank([*sport, politics], [], NOW)[:3]]
    assert 9 in top3
