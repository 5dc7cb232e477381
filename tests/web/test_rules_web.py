"""Rules over real HTTP on the demo newsroom: the API's preview is what saving then does, the
/rules page previews and saves with plain forms, another reader's rule is a 404, bad rules get
a 422 that says what to fix."""

from __future__ import annotations

import re

import httpx

from tests.web.conftest import LiveServer
from tidings.store import rules as rule_store
from tidings.store.db import transaction

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _headline_ids(http: httpx.Client) -> list[int]:
    return [int(i) for i in re.findall(r'id="s(\d+)" data-item', http.get("/headlines").text)]


def _title_rule(http: httpx.Client, story_id: int, name: str) -> dict[str, object]:
    """A regex rule matching exactly the titles of the story's articles (so it blocks all)."""
    titles = {a["title"] for a in http.get(f"/api/v1/stories/{story_id}").json()["articles"]}
    pattern = "^(?:" + "|".join(re.escape(t) for t in sorted(titles)) + ")$"
    return {"name": name, "field": "title", "match": "regex", "pattern": pattern,
            "action": "block"}


def _user_id(live: LiveServer, name: str) -> int:
    from tidings.store import accounts  # noqa: PLC0415

    with transaction(live.engine) as conn:
        return accounts.user_named(conn, name).id or 0


def test_the_api_preview_is_what_saving_does(live: LiveServer) -> None:
    with live.client() as http:
        story = _headline_ids(http)[0]
        body = _title_rule(http, story, "not this one")
        shown = http.post("/api/v1/rules/preview?days=30", json=body)
        saved = http.post("/api/v1/rules?days=30", json=body)
        listed = http.get("/api/v1/rules").json()
        me = _user_id(live, live.settings.user)
        with transaction(live.engine) as conn:
            marks = rule_store.stored_marks(conn, me)
        after = _headline_ids(http)
        gone = http.delete(f"/api/v1/rules/{saved.json()['id']}")
        restored = _headline_ids(http)
    assert shown.status_code == 200 and story in shown.json()["hidden_stories"]
    assert saved.status_code == 201
    effect = saved.json()["effect"]
    assert {k: effect[k] for k in effect} == {k: shown.json()[k] for k in effect}
    assert sorted(s for s, m in marks.items() if m.hidden) == shown.json()["hidden_stories"]
    assert all(m.reason == "your rule 'not this one'" for m in marks.values())
    assert [r["name"] for r in listed] == ["not this one"]
    assert story not in after and gone.status_code == 204 and story in restored


def test_boost_and_mark_read_over_the_api(live: LiveServer) -> None:
    with live.client() as http:
        story = _headline_ids(http)[-1]
        body = _title_rule(http, story, "lift") | {"action": "boost"}
        boosted = http.post("/api/v1/rules?days=30", json=body).json()
        read = http.post("/api/v1/rules?days=30",
                         json=body | {"name": "seen it", "action": "mark_read"}).json()
        arts = http.get(f"/api/v1/stories/{story}").json()["articles"]
        for rule in (boosted, read):
            http.delete(f"/api/v1/rules/{rule['id']}")
        still = http.get(f"/api/v1/stories/{story}").json()["articles"]
    assert story in boosted["effect"]["boosted_stories"]
    assert sorted(read["effect"]["read_articles"]) == sorted(a["id"] for a in arts)
    assert all(a["read"] for a in arts) and all(a["read"] for a in still)  # stays read


def test_another_readers_rule_is_not_found(live: LiveServer) -> None:
    live.add_reader("rival")
    with live.client() as http:
        mine = http.post("/api/v1/rules", json={"name": "mine", "pattern": "zzz"}).json()
    with live.client("rival") as rival:
        seen = rival.get(f"/api/v1/rules/{mine['id']}")
        changed = rival.patch(f"/api/v1/rules/{mine['id']}", json={"pattern": "x"})
        deleted = rival.delete(f"/api/v1/rules/{mine['id']}")
        page = rival.post(f"/rules/{mine['id']}/delete")
        listed = rival.get("/api/v1/rules").json()
    with live.client() as http:
        kept = http.get(f"/api/v1/rules/{mine['id']}")
        patched = http.patch(f"/api/v1/rules/{mine['id']}", json={"pattern": "yyy"})
        http.delete(f"/api/v1/rules/{mine['id']}")
    assert (seen.status_code, changed.status_code, deleted.status_code) == (404, 404, 404)
    assert page.status_code == 404 and listed == []
    assert kept.status_code == 200 and patched.json()["pattern"] == "yyy"


def test_bad_rules_get_a_422_that_says_what_to_fix(live: LiveServer) -> None:
    with live.client() as http:
        long = http.post("/api/v1/rules", json={"pattern": "a" * 501, "match": "regex"})
        broken = http.post("/api/v1/rules/preview", json={"pattern": "(x", "match": "regex"})
        blank = http.post("/api/v1/rules", json={"pattern": "   "})
        field = http.post("/api/v1/rules", json={"pattern": "x", "field": "colour"})
        foreign = http.post("/api/v1/rules", json={"pattern": "x", "scope": "source",
                                                   "scope_value": "999999"})
        folder = http.post("/api/v1/rules", json={"pattern": "x", "scope": "folder"})
        left = http.get("/api/v1/rules").json()
        anon = httpx.get(f"{live.base}/api/v1/rules")
    assert {r.status_code for r in (long, broken, blank, field, foreign, folder)} == {422}
    assert "not a regular expression" in broken.json()["detail"]
    assert "give the words" in blank.json()["detail"]
    assert "do not subscribe" in foreign.json()["detail"]
    assert "name the folder" in folder.json()["detail"]
    assert left == [] and anon.status_code == 401


def test_the_rules_page_previews_saves_and_deletes(live: LiveServer) -> None:
    with live.client() as http:
        story = _headline_ids(http)[1]
        title = http.get(f"/api/v1/stories/{story}").json()["title"]
        body = _title_rule(http, story, "quiet please")
        form = {k: str(v) for k, v in body.items()} | {"within": ""}
        empty = http.get("/rules")
        shown = http.post("/rules/preview", data=form)
        saved = http.post("/rules", data=form)
        listed = http.get("/rules")
        rule_id = http.get("/api/v1/rules").json()[0]["id"]
        hidden_now = story not in _headline_ids(http)
        deleted = http.post(f"/rules/{rule_id}/delete")
        bad = http.post("/rules/preview", data=form | {"pattern": "(x"}, headers=BROWSER)
        left = http.get("/api/v1/rules").json()
    assert empty.status_code == 200 and 'action="/rules/preview"' in empty.text
    assert re.findall(r"<script[^>]*>", empty.text) == ['<script src="/static/keys.js" defer>']
    assert "mark read" in empty.text and "stay read" in empty.text  # says what delete keeps
    assert shown.status_code == 200 and f'href="/stories/{story}"' in shown.text
    assert "Save this rule" in shown.text and title.split()[0] in shown.text
    assert saved.status_code == 303 and saved.headers["location"] == "/rules"
    assert "quiet please" in listed.text and f'action="/rules/{rule_id}/delete"' in listed.text
    assert hidden_now and deleted.status_code == 303 and left == []
    assert bad.status_code == 422 and "not a regular expression" in bad.text


def test_headlines_rank_by_coverage_and_leave_out_what_you_hid(live: LiveServer) -> None:
    with live.client() as http:
        home = http.get("/")
        page = http.get("/headlines")
        first = _headline_ids(http)
        hid = http.post("/api/v1/feedback", json={"kind": "hide", "story_id": first[0]}).json()
        after = _headline_ids(http)
        http.delete(f"/api/v1/interactions/{hid['id']}")
        counts = [int(n) for n in re.findall(r"<span>covered by (\d+) sources</span>", page.text)]
    assert 'href="/headlines"' in home.text and 'href="/rules"' in home.text
    assert page.status_code == 200 and first and counts
    assert counts[0] == max(counts)  # the widest coverage leads
    assert first[0] not in after and after == first[1:len(after) + 1]
