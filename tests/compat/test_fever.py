"""Fever, driven by the `freshrss-api` package from PyPI (a Fever client that talks to
`{server}/api/fever.php`), and by hand at `/fever/?api` for what that client does not send."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from freshrss_api import FreshRSSAPI

from tests.compat.conftest import USER, VALLEY, SyncServer
from tests.feeds import HARBOUR, rss
from tidings.models import utcnow
from tidings.web.compat.fever import group_id


def _key(server: SyncServer) -> str:
    return hashlib.md5(f"{USER}:{server.app_password}".encode()).hexdigest()


def _fever(server: SyncServer, *flags: str, **params: str) -> dict:
    query = "&".join(["api", *flags, *(f"{k}={v}" for k, v in params.items())])
    with server.http() as h:
        answer = h.post(f"/fever/?{query}", data={"api_key": _key(server)})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_items_unread_and_saved_ids_and_marks_through_the_client(server: SyncServer) -> None:
    api = FreshRSSAPI(host=server.base, username=USER, password=server.app_password)
    unread = api.get_unreads()
    assert sorted(i.title for i in unread) == sorted(t for _, t, _ in HARBOUR + VALLEY)
    assert all(not i.is_read and not i.is_saved for i in unread)
    assert all(i.url.startswith("https://news.example.com/") for i in unread)
    first = next(i for i in unread if i.title == HARBOUR[1][1])
    api.set_mark("read", first.id)
    api.set_mark("saved", first.id)
    assert first.id not in {i.id for i in api.get_unreads()}
    saved = api.get_saved()
    assert [(i.id, i.is_saved, i.is_read) for i in saved] == [(first.id, True, True)]
    api.set_mark("unsaved", first.id)
    assert api.get_saved() == []
    feeds = api.get_feeds()
    assert {f["title"] for f in feeds["feeds"]} == {"Harbour Post", "Valley Herald"}
    groups = api.get_groups()
    assert {g["title"] for g in groups["groups"]} == {"Local", "Regional"}
    assert {g["group_id"] for g in groups["feeds_groups"]} == {group_id("Local"),
                                                               group_id("Regional")}


def test_a_wrong_key_and_the_account_password_are_refused(server: SyncServer) -> None:
    with server.http() as h:
        for key in ("0" * 32, hashlib.md5(f"{USER}:ann's long account passphrase".encode())
                    .hexdigest(), ""):
            answer = h.post("/api/fever.php?api", data={"api_key": key})
            assert answer.status_code == 401
            assert answer.json() == {"api_version": 3, "auth": 0}


def test_items_pages_and_mark_feed_and_group_read_before(server: SyncServer) -> None:
    everything = _fever(server, "items", since_id="0")
    ids = [i["id"] for i in everything["items"]]
    assert ids == sorted(ids) and everything["total_items"] == len(ids) == 5
    assert [i["id"] for i in _fever(server, "items", max_id=str(ids[2]))["items"]] == [
        ids[1], ids[0]]
    seen = utcnow()
    newer = [("v3", "Ferry timetable changes for winter",
              "The island ferry will sail four times a day instead of six from November.")]
    server.publish("/valley.xml", rss("Valley Herald", newer + VALLEY,
                                      start=utcnow() + timedelta(minutes=1)))
    valley = server.sources["/valley.xml"]
    answer = _fever(server, mark="feed", id=str(valley), before=str(int(seen.timestamp())),
                    **{"as": "read"})
    left = set(map(int, answer["unread_item_ids"].split(",")))
    titles = {i["id"]: i["title"] for i in _fever(server, "items", since_id="0")["items"]}
    assert {titles[i] for i in left} == {t for _, t, _ in HARBOUR} | {newer[0][1]}
    _fever(server, mark="group", id=str(group_id("Local")),
           before=str(int(utcnow().timestamp()) + 1), **{"as": "read"})
    assert {titles[int(i)] for i in _fever(server, "unread_item_ids")["unread_item_ids"]
            .split(",")} == {newer[0][1]}
