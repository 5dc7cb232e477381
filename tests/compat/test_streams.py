"""What only Tidings gives sync apps: the For you label in the ranker's order, Headlines by
coverage, a story's copies read together, the story as a category; and item ids in every form
apps send."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from tests.compat.conftest import SyncServer
from tests.feeds import HARBOUR
from tidings.models import Follow, TargetKind
from tidings.rank.feed import feed_for_user
from tidings.store import reading, sync
from tidings.store import users as user_store
from tidings.store.db import transaction
from tidings.web.compat import marks

API = "/reader/api/0"
READ = "user/-/state/com.google/read"


def _ids(server: SyncServer, stream: str, **params: str) -> list[int]:
    with server.reader() as h:
        answer = h.get(f"{API}/stream/items/ids", params={"s": stream, "n": "1000", **params})
    assert answer.status_code == 200, answer.text
    return [int(r["id"]) for r in answer.json()["itemRefs"]]


def _rows(server: SyncServer) -> dict[int, object]:
    with transaction(server.engine) as conn:
        return sync.items(conn, server.user_id, sync.all_ids(conn, server.user_id))


def _copies(server: SyncServer) -> tuple[int, int]:
    """The Harbour Post's lead story and its syndicated copy in the Valley Herald."""
    rows = _rows(server)
    same = sorted(i for i, r in rows.items() if r.title == HARBOUR[0][1])  # type: ignore[attr-defined]
    assert len(same) == 2
    stories = {rows[i].story_id for i in same}  # type: ignore[attr-defined]
    assert len(stories) == 1 and None not in stories  # the pipeline put both in one story
    return same[0], same[1]


def test_for_you_is_the_rankers_order_lead_first(server: SyncServer) -> None:
    with transaction(server.engine) as conn:  # a follow, so that ranking is not arrival order
        user_store.set_follow(conn, Follow(user_id=server.user_id,
                                           target_kind=TargetKind.SOURCE,
                                           target="Valley Herald", weight=2.0))
        ranked = feed_for_user(conn, server.user_id, limit=200)
        by_story = reading.story_articles(conn, server.user_id, [i.story.id or 0 for i in ranked])
    expected: list[int] = []
    for item in ranked:
        expected += [item.lead.id or 0] + [a.id or 0 for a in by_story[item.story.id or 0]
                                           if a.id != item.lead.id]
    got = _ids(server, "user/-/label/For you")
    assert got == expected and len(got) == len(server.article_ids())
    assert got != sorted(got, reverse=True)  # not simply newest first
    with server.reader() as h:
        h.post(f"{API}/edit-tag", data={"i": str(got[0]), "a": READ, "T": ""})
    assert got[0] not in _ids(server, "user/-/label/For you", xt=READ)
    # reading it taught the ranker (an opened story costs novelty): page through the new order
    now = _ids(server, "user/-/label/For you")
    page = _ids(server, "user/-/label/For you", n="2")
    with server.reader() as h:
        answer = h.get(f"{API}/stream/items/ids",
                       params={"s": "user/-/label/For you", "n": "2", "c": "2"}).json()
    assert page + [int(r["id"]) for r in answer["itemRefs"]] == now[:4]


def test_headlines_lead_with_the_story_most_outlets_cover(server: SyncServer) -> None:
    original, copy = _copies(server)
    assert _ids(server, "user/-/label/Headlines")[0] in {original, copy}


def test_a_storys_copies_go_read_together_and_carry_the_story(server: SyncServer) -> None:
    original, copy = _copies(server)
    with server.reader() as h:
        contents = h.post(f"{API}/stream/items/contents", data={"i": [str(original)]}).json()
        story = _rows(server)[original].story_id  # type: ignore[attr-defined]
        assert f"tidings/story/{story}" in contents["items"][0]["categories"]
        assert h.post(f"{API}/edit-tag", data={"i": str(copy), "a": READ}).text == "OK"
    assert {original, copy}.isdisjoint(server.unread_ids())
    server.reset()
    with transaction(server.engine) as conn:  # folding off: only the one marked
        unfolded = replace(server.settings, sync_fold_stories=False)
        marks.mark(conn, unfolded, server.user_id, [copy], read=True)
        assert original in sync.all_ids(conn, server.user_id, read=False)


def test_item_ids_in_all_four_forms(server: SyncServer) -> None:
    article = server.article_ids()[0]
    forms = [f"tag:google.com,2005:reader/item/{article:016x}", f"{article:016x}",
             f"tag:google.com,2005:reader/item/{article:x}", str(article)]
    with server.reader() as h:
        for form in forms:
            answer = h.post(f"{API}/stream/items/contents", data={"i": form})
            assert answer.status_code == 200, (form, answer.text)
            assert answer.json()["items"][0]["id"] == forms[0]
        for bad in ("tag:google.com,2005:reader/item/zz", "1" * 40, str(2**63), "-5", "0",
                    "tag:google.com,2005:reader/item/" + "f" * 17):
            assert h.post(f"{API}/stream/items/contents", data={"i": bad}).status_code == 400


def test_edit_tag_takes_the_tags_apps_send_and_refuses_what_it_cannot_keep(
        server: SyncServer) -> None:
    rows = _rows(server)
    first = server.article_ids()[0]
    # an article of another story (reading one marks its story's copies read too)
    second = next(i for i, r in rows.items()
                  if r.story_id != rows[first].story_id)  # type: ignore[attr-defined]
    starred = "user/-/state/com.google/starred"
    with server.reader() as h:
        def tag(*pairs: tuple[str, str]) -> int:
            form = urlencode([("i", str(first)), *pairs])
            return h.post(f"{API}/edit-tag", content=form, headers={
                "Content-Type": "application/x-www-form-urlencoded"}).status_code

        # nothing is marked by a refused request, even beside a tag that is kept
        for refused in ([("a", "user/-/label/Later")], [("a", READ), ("a", "user/-/state/x")],
                        [("a", READ), ("r", READ)], [("a", READ), ("a", f"{READ[:-4]}kept-unread")],
                        [("a", "tag:google.com,2005:reader/item/1")]):
            assert tag(*refused) == 400, refused
        assert {first, second} <= set(server.unread_ids())
        # accepted and ignored, as the README says: nothing changes
        assert tag(("a", "user/-/state/com.google/tracking-item-link-used"),
                   ("r", "user/-/state/com.google/broadcast")) == 200
        assert first in server.unread_ids()
        # a client that names the user (user/<id>/…, from user-info) is understood
        assert tag(("a", f"user/{server.user_id}/state/com.google/read"),
                   ("a", f"user/{server.user_id}/state/com.google/starred")) == 200
    assert first not in server.unread_ids() and second in server.unread_ids()
    assert _ids(server, starred) == [first]
    with server.reader() as h:
        assert h.post(f"{API}/edit-tag", data={"i": str(first), "a": READ[:-4] + "kept-unread",
                                                "r": starred}).status_code == 200
    assert first in server.unread_ids() and _ids(server, starred) == []
