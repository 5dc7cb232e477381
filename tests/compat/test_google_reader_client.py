"""The `google-reader` package from PyPI (an independent Google Reader API client) against a
real server: sign in with an app password, list, subscribe, read, star, mark all as read."""

from __future__ import annotations

from datetime import timedelta

import google_reader as gr
import pytest

from tests.compat.conftest import USER, VALLEY, SyncServer
from tests.feeds import HARBOUR, rss
from tests.loopback import Route
from tidings.models import utcnow
from tidings.store import library
from tidings.store.db import transaction

READ = gr.STREAM_READ
READING_LIST = gr.STREAM_READING_LIST


def _client(server: SyncServer) -> tuple[gr.Client, gr.AuthToken, str]:
    client = gr.Client(server.base)
    token = client.login(USER, server.app_password)
    return client, token, client.get_token(token)


def _unread_titles(client: gr.Client, token: gr.AuthToken, csrf: str, stream: str) -> list[str]:
    refs = client.get_stream_items_ids(token, stream, exclude_target=READ).item_refs
    if not refs:
        return []
    items = client.get_stream_items_contents(token, csrf, [r.id for r in refs]).items
    return sorted(i.title for i in items)


def test_the_account_password_is_refused_and_an_app_password_signs_in(
        server: SyncServer) -> None:
    client = gr.Client(server.base)
    with pytest.raises(gr.AuthenticationError):
        client.login(USER, "ann's long account passphrase")
    token = client.login(USER, server.app_password)
    assert client.get_user_info(token).user_name == USER
    with pytest.raises(gr.AuthenticationError):
        client.get_user_info(gr.AuthToken("GoogleLogin", "not-a-token"))


def test_subscriptions_folders_and_unread_items_with_titles_and_links(
        server: SyncServer) -> None:
    client, token, csrf = _client(server)
    subs = {s.title: s for s in client.list_subscriptions(token)}
    assert set(subs) == {"Harbour Post", "Valley Herald"}
    assert [c.label for c in subs["Harbour Post"].categories] == ["Local"]
    assert subs["Harbour Post"].url == server.site.url("/harbour.xml")
    labels = {t.label for t in client.list_tags(token) if t.label}
    assert {"Local", "Regional", "For you", "Headlines"} <= labels
    harbour = subs["Harbour Post"].id
    assert _unread_titles(client, token, csrf, harbour) == sorted(t for _, t, _ in HARBOUR)
    items = client.get_stream_items_contents(
        token, csrf, [r.id for r in client.get_stream_items_ids(token, harbour).item_refs]).items
    assert {i.alternate[0].href for i in items} == {
        f"https://news.example.com/{g}?utm_source=rss" for g, _, _ in HARBOUR}
    assert all(i.origin.stream_id == harbour and i.origin.title == "Harbour Post" for i in items)
    assert all(any(c.startswith("tidings/story/") for c in i.categories) for i in items)


def test_edit_tags_read_and_starred_then_unread(server: SyncServer) -> None:
    client, token, csrf = _client(server)
    refs = client.get_stream_items_ids(token, READING_LIST).item_refs
    first = refs[0].id
    client.edit_tags(token, csrf, [first], add_tags=[READ, gr.STREAM_STARRED])
    unread = {r.id for r in client.get_stream_items_ids(
        token, READING_LIST, exclude_target=READ).item_refs}
    assert first not in unread
    starred = client.get_stream_items_ids(token, gr.STREAM_STARRED).item_refs
    assert [r.id for r in starred] == [first]
    assert int(first) in set(server.article_ids()) - set(server.unread_ids())
    client.edit_tags(token, csrf, [gr.get_long_item_id(int(first))], remove_tags=[READ])
    assert int(first) in server.unread_ids()


def test_mark_all_as_read_with_ts_leaves_newer_items_unread(server: SyncServer) -> None:
    client, token, csrf = _client(server)
    seen = utcnow()
    newer = [("v3", "Ferry timetable changes for winter",
              "The island ferry will sail four times a day instead of six from November, "
              "Blue Tern Lines said, because fewer passengers travel in winter.")]
    server.publish("/valley.xml", rss("Valley Herald", newer + VALLEY,
                                      start=utcnow() + timedelta(minutes=1)))
    valley = f"feed/{server.sources['/valley.xml']}"
    client.mark_all_as_read(token, csrf, valley,
                            before_timestamp=int(seen.timestamp() * 1_000_000))
    assert _unread_titles(client, token, csrf, valley) == ["Ferry timetable changes for winter"]
    client.mark_all_as_read(token, csrf, valley)  # no ts: everything up to now
    assert _unread_titles(client, token, csrf, valley) == []
    assert _unread_titles(client, token, csrf, "feed/" + str(server.sources["/harbour.xml"]))


def test_subscribe_rename_move_and_unsubscribe(server: SyncServer) -> None:
    client, token, csrf = _client(server)
    server.site.routes["/hill.xml"] = Route(rss("Hill Gazette", [
        ("g1", "Hill road reopens after landslip",
         "The hill road above Port Elnor reopened on Friday, three weeks after a landslip "
         "closed it, the roads office said.")]), headers={"Content-Type": "application/rss+xml"})
    added = client.quick_add_subscription(token, csrf, server.site.url("/hill.xml"))
    assert added.stream_name == "Hill Gazette" and added.num_results == 1
    client.edit_subscription(token, csrf, added.stream_id, "edit", title="The Hill",
                             add_label_id=gr.get_label_id("Regional"))
    subs = {s.id: s for s in client.list_subscriptions(token)}
    assert subs[added.stream_id].title == "The Hill"
    assert [c.label for c in subs[added.stream_id].categories] == ["Regional"]
    client.rename_tag(token, csrf, gr.get_label_id("Regional"), "Nearby")
    assert {t.label for t in client.list_tags(token)} >= {"Nearby"}
    client.edit_subscription(token, csrf, added.stream_id, "unsubscribe")
    assert added.stream_id not in {s.id for s in client.list_subscriptions(token)}
    client.rename_tag(token, csrf, gr.get_label_id("Nearby"), "Regional")
    with transaction(server.engine) as conn:
        assert {s.folder for s in library.list_subscriptions(conn, server.user_id)} == {
            "Local", "Regional"}
