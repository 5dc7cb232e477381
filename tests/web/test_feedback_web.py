"""Feedback over real HTTP: every kind answers an interaction id and DELETE undoes it (a hide
shows the story again, a star comes off); another reader cannot undo yours; the UI's forms
and the sync apps write through the same calls; blank follow targets are refused."""

from __future__ import annotations

import re
from typing import Any

import httpx
import sqlalchemy as sa

from tests.web.conftest import LiveServer
from tidings.store import accounts
from tidings.store import rules as rule_store
from tidings.store.db import transaction
from tidings.store.schema import interactions

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _feed(http: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = http.get("/api/v1/feed").json()["items"]
    return items


def _hidden_marks(live: LiveServer) -> frozenset[int]:
    with transaction(live.engine) as conn:
        me = accounts.user_named(conn, live.settings.user).id or 0
    with transaction(live.engine) as conn:
        return rule_store.reader_marks(conn, me)[0]


def _interactions(http: httpx.Client) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = http.get("/api/v1/export").json()["interactions"]
    return rows


def test_hide_and_its_undo_round_trip(live: LiveServer) -> None:
    with live.client() as http:
        story = _feed(http)[0]["story"]["id"]
        hid = http.post("/api/v1/feedback", json={"kind": "hide", "story_id": story,
                                                  "position": 0})
        after = [i["story"]["id"] for i in _feed(http)]
        marked = _hidden_marks(live)
        undone = http.delete(f"/api/v1/interactions/{hid.json()['id']}")
        again = http.delete(f"/api/v1/interactions/{hid.json()['id']}")
        back = [i["story"]["id"] for i in _feed(http)]
        unmarked = _hidden_marks(live)
    assert hid.status_code == 201 and isinstance(hid.json()["id"], int)
    assert story not in after and story in marked
    assert undone.status_code == 204 and again.status_code == 404
    assert story in back and story not in unmarked


def test_star_and_its_undo(live: LiveServer) -> None:
    with live.client() as http:
        lead = _feed(http)[1]["lead"]["id"]
        starred = http.post("/api/v1/feedback", json={"kind": "star", "article_id": lead})
        on = http.get(f"/api/v1/articles/{lead}").json()["starred"]
        http.delete(f"/api/v1/interactions/{starred.json()['id']}")
        off = http.get(f"/api/v1/articles/{lead}").json()["starred"]
        no_article = http.post("/api/v1/feedback", json={"kind": "star", "story_id": 1})
    assert starred.status_code == 201 and on is True and off is False
    assert no_article.status_code == 422


def test_every_kind_is_recorded_and_undone(live: LiveServer) -> None:
    with live.client() as http:
        item = _feed(http)[2]
        story, lead = item["story"]["id"], item["lead"]["id"]
        ids = {}
        for kind in ("more", "fewer", "impression", "open", "read"):
            answer = http.post("/api/v1/feedback", json={
                "kind": kind, "story_id": story, "article_id": lead, "dwell_ms": 4200,
                "position": 2})
            assert answer.status_code == 201, answer.text
            ids[kind] = answer.json()["id"]
        recorded = {r["kind"]: r for r in _interactions(http) if r["story_id"] == story}
        for interaction_id in ids.values():
            assert http.delete(f"/api/v1/interactions/{interaction_id}").status_code == 204
        left = [r for r in _interactions(http) if r.get("story_id") == story]
        legacy = http.post("/api/v1/interactions", json={"kind": "read", "story_id": story})
        http.delete(f"/api/v1/interactions/{legacy.json()['id']}")
    assert {"like", "dislike", "impression", "open", "read"} <= set(recorded)
    assert recorded["read"]["dwell_ms"] == 4200 and recorded["read"]["article_id"] == lead
    assert left == [] and legacy.status_code == 201


def test_another_reader_cannot_see_or_undo_yours(live: LiveServer) -> None:
    live.add_reader("stranger")
    with live.client() as http:
        story = _feed(http)[3]["story"]["id"]
        mine = http.post("/api/v1/feedback", json={"kind": "more", "story_id": story}).json()
    with live.client("stranger") as other:
        undo = other.delete(f"/api/v1/interactions/{mine['id']}")
        theirs = other.post("/api/v1/feedback", json={"kind": "hide", "story_id": story})
    with live.client() as http:
        still = http.delete(f"/api/v1/interactions/{mine['id']}")
    assert undo.status_code == 404 and theirs.status_code == 404  # not in their sources
    assert still.status_code == 204


def test_the_ui_hide_writes_the_mark_and_undo_clears_it(live: LiveServer) -> None:
    with live.client() as http:
        story = int(re.findall(r'id="s(\d+)" data-item', http.get("/").text)[0])
        http.post(f"/stories/{story}/hide", data={"back": "/"})
        marked = _hidden_marks(live)
        http.post(f"/stories/{story}/undo", data={"kind": "hide", "back": "/"})
        unmarked = _hidden_marks(live)
    assert story in marked and story not in unmarked


def test_a_star_from_the_ui_is_feedback(live: LiveServer) -> None:
    with live.client() as http:
        lead = _feed(http)[4]["lead"]["id"]
        http.post(f"/articles/{lead}/state", data={"starred": "true", "back": "/"})
        saves = [r for r in _interactions(http) if r["kind"] == "save"]
        http.post(f"/articles/{lead}/state", data={"starred": "false", "back": "/"})
        after = [r for r in _interactions(http) if r["kind"] == "save"]
    assert len(saves) == 1 and after == []


def test_blank_follow_targets_are_refused(live: LiveServer) -> None:
    with live.client() as http:
        api = http.post("/api/v1/follows", json={"kind": "keyword", "target": "   "})
        page = http.post("/follows", data={"kind": "keyword", "target": " \t "},
                         headers=BROWSER)
        follows = http.get("/api/v1/follows").json()
    assert api.status_code == 422 and "blank" in api.text
    assert page.status_code == 422 and "the target is blank" in page.text
    assert all(f["target"].strip() for f in follows)


def test_the_cli_refuses_a_blank_follow(cli: Any) -> None:
    assert cli("user", "add", "ann", "--password-stdin", stdin="a long passphrase\n")[0] == 0
    blank = cli("follow", "keyword", "   ", "--user", "ann")
    good = cli("follow", "topic", "  science ", "--user", "ann", "--mute")
    assert blank[0] == 2 and "the target is blank" in blank[1]
    assert good == (0, "ann mutes topic science\n")


def test_the_story_page_reports_how_long_it_was_read(live: LiveServer) -> None:
    with live.client() as http:
        story = _feed(http)[5]["story"]["id"]
        page = http.get(f"/stories/{story}")
        sent = http.post(f"/stories/{story}/dwell", data={"ms": "5400"})
        reads = [r for r in _interactions(http) if r["kind"] == "read" and r["story_id"] == story]
        bad = http.post(f"/stories/{story}/dwell", data={"ms": "-1"})
        missing = http.post("/stories/999999/dwell", data={"ms": "10"})
    assert f'data-dwell="/stories/{story}/dwell"' in page.text
    assert '<script src="/static/dwell.js" defer></script>' in page.text
    assert sent.status_code == 204 and [r["dwell_ms"] for r in reads] == [5400]
    assert bad.status_code == 422 and missing.status_code == 404


def test_the_feed_page_reports_what_was_in_view(live: LiveServer) -> None:
    with live.client() as http:
        page = http.get("/")
        shown = re.findall(r'data-story="(\d+)" data-position="(\d+)"', page.text)
        seen = ",".join(f"{s}:{p}" for s, p in shown[:3]) + ",999999:7"
        sent = http.post("/feed/impressions", data={"seen": seen})
        rows = [r for r in _interactions(http) if r["kind"] == "impression"]
        bad = http.post("/feed/impressions", data={"seen": "1:x"})
    with transaction(live.engine) as conn:
        positions = sorted(conn.execute(sa.select(interactions.c.position).where(
            interactions.c.kind == "impression")).scalars())
    assert '<script src="/static/dwell.js" defer></script>' in page.text
    assert [p for _, p in shown[:3]] == ["0", "1", "2"]
    assert sent.status_code == 204 and bad.status_code == 422
    assert sorted(r["story_id"] for r in rows) == sorted(int(s) for s, _ in shown[:3])
    assert positions == [0, 1, 2]
