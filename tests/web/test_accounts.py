"""Accounts over real HTTP on both databases: two readers on one server see only their own
library, every route asks who is asking, another reader's things are 404, sessions, tokens
and secrets are what they claim to be, and the server answers only for its own host."""

from __future__ import annotations

import re

import httpx
import pytest
import sqlalchemy as sa

from tests.feeds import HARBOUR, rss
from tests.loopback import LoopbackSite, Route
from tests.web.conftest import LiveServer
from tidings import auth
from tidings.store.db import transaction
from tidings.store.schema import sessions, tokens, users
from tidings.worker import run_worker

RSS = {"Content-Type": "application/rss+xml"}
SHARED = [("s1", "Tidal barrier trial starts on the estuary",
           "Engineers began a three-week trial of the new tidal barrier on Tuesday."),
          ("s2", "Choir of retired miners tours Norway",
           "Forty retired miners will sing in Bergen and Oslo in a ten-day choir tour.")]
ANN_ONLY = [("a1", "Ann's allotment society elects a new chair",
             "The allotment society on Quarry Lane elected a retired teacher as its chair.")]
BOB_ONLY = [("b1", "Bob's chess club wins the county league",
             "The Mill Street chess club won the county league with one round to spare.")]


@pytest.fixture(scope="module")
def two_readers(live: LiveServer) -> dict[str, httpx.Client]:
    for name in ("ann", "bob"):
        live.add_reader(name)
    clients = {name: live.client(name) for name in ("ann", "bob")}
    yield clients
    for c in clients.values():
        c.close()


def _feed_titles(http: httpx.Client) -> set[str]:
    items = http.get("/api/v1/feed", params={"limit": 200}).json()["items"]
    return {i["lead"]["title"] for i in items}


def test_two_readers_see_only_their_own_library(live: LiveServer, site: LoopbackSite,
                                                two_readers: dict[str, httpx.Client]) -> None:
    site.routes["/shared.xml"] = Route(rss("Estuary Echo", SHARED), headers=RSS)
    site.routes["/ann.xml"] = Route(rss("Quarry Notes", ANN_ONLY), headers=RSS)
    site.routes["/bob.xml"] = Route(rss("Mill Street Gazette", BOB_ONLY), headers=RSS)
    ann, bob = two_readers["ann"], two_readers["bob"]
    for http, own in ((ann, "/ann.xml"), (bob, "/bob.xml")):
        for path in ("/shared.xml", own):
            assert http.post("/api/v1/sources", json={"url": site.url(path)}).status_code == 201
    assert site.routes["/shared.xml"].hits == 1  # stored and fetched once for both
    shared_id = next(s["id"] for s in ann.get("/api/v1/sources").json()
                     if s["url"] == site.url("/shared.xml"))
    unchanged = ann.patch(f"/api/v1/sources/{shared_id}", json={})
    assert unchanged.status_code == 200 and unchanged.json()["id"] == shared_id
    shared_titles = {t for _, t, _ in SHARED}
    mine = {"ann": _feed_titles(ann), "bob": _feed_titles(bob)}
    assert mine["ann"] == shared_titles | {ANN_ONLY[0][1]}
    assert mine["bob"] == shared_titles | {BOB_ONLY[0][1]}
    for http, other in ((ann, BOB_ONLY[0][1]), (bob, ANN_ONLY[0][1])):
        latest = {a["title"] for a in http.get("/api/v1/articles").json()["items"]}
        pages = http.get("/").text + http.get("/latest").text + http.get("/sources").text
        assert other not in latest and other not in pages.replace("&#39;", "'")
        assert len(http.get("/api/v1/sources").json()) == 2
    # the next refresh round fetches the shared feed once more, not once per reader
    with transaction(live.engine) as conn:
        conn.execute(sa.text("UPDATE sources SET next_check_at = NULL"))
    run_worker(live.engine, live.settings, concurrency=2, drain=True)
    assert site.routes["/shared.xml"].hits == 2


def test_every_route_asks_who_is_asking(live: LiveServer) -> None:
    with live.anonymous() as anon:
        spec = anon.get("/api/v1/openapi.json").json()
        open_paths = {"/api/v1/health", "/api/v1/session"}
        checked = 0
        for path, operations in spec["paths"].items():
            for method in operations:
                url = re.sub(r"\{[^}]+\}", "1", path)
                answer = anon.request(method.upper(), url, json={})
                if path in open_paths:
                    continue
                assert answer.status_code == 401, (method, path, answer.status_code)
                checked += 1
        pages = ["/", "/latest", "/starred", "/sources", "/sources/1", "/folders/x",
                 "/follows", "/account", "/account/export", "/stories/1", "/articles/1",
                 "/entities/1", "/sources.opml"]
        for page in pages:
            answer = anon.get(page)
            assert answer.status_code == 303, page
            assert answer.headers["location"].startswith("/signin"), page
        for form in ("/sources", "/follows", "/mark-read", "/stories/1/hide",
                     "/account/tokens", "/account/delete", "/articles/1/state"):
            answer = anon.post(form, data={"url": "https://x.example/", "seen_at": "x"})
            assert answer.status_code == 303 and "/signin" in answer.headers["location"], form
        wrong = anon.get("/api/v1/feed", headers={"Authorization": "Bearer tdg_not-a-token"})
    assert checked >= 25 and wrong.status_code == 401


def test_another_readers_things_are_not_found(live: LiveServer, site: LoopbackSite,
                                              two_readers: dict[str, httpx.Client]) -> None:
    ann, bob = two_readers["ann"], two_readers["bob"]
    site.routes["/private.xml"] = Route(rss("Ann's Diary", [
        ("p1", "A private note about the garden shed",
         "The garden shed needs a new roof before the winter storms arrive.")]), headers=RSS)
    source = ann.post("/api/v1/sources", json={"url": site.url("/private.xml")}).json()
    article = next(a for a in ann.get("/api/v1/articles").json()["items"]
                   if a["source_id"] == source["id"])
    follow = ann.post("/api/v1/follows", json={"kind": "keyword", "target": "shed"}).json()
    token = ann.post("/api/v1/tokens", json={"label": "ann's script"}).json()
    ann.put(f"/api/v1/articles/{article['id']}/state", json={"starred": True})
    story = article["story_id"]
    attempts = {
        "source": bob.get(f"/api/v1/sources/{source['id']}"),
        "rename": bob.patch(f"/api/v1/sources/{source['id']}", json={"title": "mine"}),
        "leave": bob.delete(f"/api/v1/sources/{source['id']}"),
        "refresh": bob.post(f"/api/v1/sources/{source['id']}/refresh"),
        "article": bob.get(f"/api/v1/articles/{article['id']}"),
        "star": bob.put(f"/api/v1/articles/{article['id']}/state", json={"starred": False}),
        "story": bob.get(f"/api/v1/stories/{story}"),
        "follow": bob.delete(f"/api/v1/follows/{follow['id']}"),
        "token": bob.delete(f"/api/v1/tokens/{token['id']}"),
        "interaction": bob.post("/api/v1/interactions",
                                json={"kind": "read", "article_id": article["id"]}),
        "page": bob.get(f"/articles/{article['id']}"),
        "story page": bob.get(f"/stories/{story}"),
        "mark source": bob.post("/api/v1/mark-read", json={
            "seen_at": "2030-01-01T00:00:00+00:00", "source_id": source["id"]}),
    }
    assert {k: v.status_code for k, v in attempts.items()} == dict.fromkeys(attempts, 404)
    still = ann.get(f"/api/v1/articles/{article['id']}").json()
    assert still["starred"] is True and still["read"] is False
    assert token["id"] in [t["id"] for t in ann.get("/api/v1/tokens").json()]
    assert follow["id"] in [f["id"] for f in ann.get("/api/v1/follows").json()]


def test_opening_a_story_marks_it_read_and_mark_all_keeps_later_arrivals(
        live: LiveServer, site: LoopbackSite, two_readers: dict[str, httpx.Client]) -> None:
    bob = two_readers["bob"]
    site.routes["/bob-reads.xml"] = Route(rss("Harbour Reads", [
        ("r1", "Ferry timetable changes for the winter",
         "The harbour ferry will run every forty minutes from the first of December.")]),
        headers=RSS)  # its own feed: the test does not lean on an earlier test's sources
    assert bob.post("/api/v1/sources", json={"url": site.url("/bob-reads.xml")}
                    ).status_code == 201
    counts = bob.get("/api/v1/counts").json()
    listing = bob.get("/api/v1/articles").json()
    story = listing["items"][0]["story_id"]
    bob.get(f"/stories/{story}")
    opened = bob.get(f"/api/v1/stories/{story}").json()
    assert all(a["read"] for a in opened["articles"]) and opened["new"] == []
    after_open = bob.get("/api/v1/counts").json()
    assert after_open["total"] == counts["total"] - len(opened["articles"])
    marked = bob.post("/api/v1/mark-read", json={"seen_at": listing["seen_at"]})
    assert marked.status_code == 200 and bob.get("/api/v1/counts").json()["total"] == 0
    assert sum(bob.get("/api/v1/counts").json()["sources"].values()) == 0


def test_token_sessions_and_secrets_are_stored_hashed(live: LiveServer,
                                                      two_readers: dict[str, httpx.Client]
                                                      ) -> None:
    ann = two_readers["ann"]
    made = ann.post("/api/v1/tokens", json={"label": "cron"}).json()
    with live.anonymous() as script:
        bearer = {"Authorization": f"Bearer {made['secret']}"}
        works = script.get("/api/v1/me", headers=bearer)
        ann.delete(f"/api/v1/tokens/{made['id']}")
        revoked = script.get("/api/v1/me", headers=bearer)
    cookie = ann.cookies.get("tidings_session")
    with live.engine.connect() as conn:
        hashes = {r.name: r.password_hash for r in conn.execute(sa.select(users))}
        session_ids = set(conn.execute(sa.select(sessions.c.id_hash)).scalars())
        secrets = set(conn.execute(sa.select(tokens.c.secret_hash)).scalars())
    assert works.json()["name"] == "ann" and revoked.status_code == 401
    assert all(h.startswith("$argon2id$") for h in hashes.values())
    assert auth.secret_hash(cookie) in session_ids and cookie not in session_ids
    assert made["secret"] not in secrets


def test_a_password_change_ends_the_other_sessions(live: LiveServer) -> None:
    live.add_reader("cat")
    with live.client("cat") as here, live.client("cat") as elsewhere:
        assert elsewhere.get("/api/v1/me").status_code == 200
        short = here.put("/api/v1/me/password", json={"current": "x", "new": "tiny"})
        wrong = here.put("/api/v1/me/password", json={"current": "not it",
                                                      "new": "a brand new passphrase"})
        changed = here.put("/api/v1/me/password", json={
            "current": "correct horse battery staple", "new": "a brand new passphrase"})
        assert (short.status_code, wrong.status_code, changed.status_code) == (422, 422, 204)
        assert here.get("/api/v1/me").status_code == 200
        assert elsewhere.get("/api/v1/me").status_code == 401
        assert elsewhere.get("/").status_code == 303
    with live.anonymous() as http:
        old = http.post("/api/v1/session", json={"name": "cat",
                                                  "password": "correct horse battery staple"})
        new = http.post("/api/v1/session", json={"name": "cat",
                                                  "password": "a brand new passphrase"})
    assert (old.status_code, new.status_code) == (401, 200)


def test_a_weaker_hash_is_replaced_at_sign_in(live: LiveServer) -> None:
    from argon2 import PasswordHasher  # noqa: PLC0415

    live.add_reader("dot")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("dots passphrase")
    with transaction(live.engine) as conn:
        conn.execute(sa.update(users).where(users.c.name == "dot").values(password_hash=weak))
    with live.client("dot", password="dots passphrase"):
        pass
    with live.engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)
                              .where(users.c.name == "dot")).scalar_one()
    assert stored != weak and not auth.needs_rehash(stored)
    assert auth.verify_password(stored, "dots passphrase")


def test_export_and_delete_everything_of_a_reader(live: LiveServer, site: LoopbackSite) -> None:
    live.add_reader("eve")
    site.routes["/eve.xml"] = Route(rss("Harbour Post", HARBOUR), headers=RSS)
    with live.client("eve") as eve:
        eve.post("/api/v1/sources", json={"url": site.url("/eve.xml"), "folder": "Town"})
        article = eve.get("/api/v1/articles").json()["items"][0]
        eve.put(f"/api/v1/articles/{article['id']}/state", json={"starred": True})
        eve.post("/api/v1/follows", json={"kind": "topic", "target": "ferries"})
        counts = eve.get("/api/v1/counts").json()
        sources_page = eve.get("/sources").text
        data = eve.get("/account/export").json()
        wrong = eve.post("/account/delete", data={"password": "guess"})
        gone = eve.post("/account/delete", data={"password": "correct horse battery staple"})
        after = eve.get("/api/v1/me")
    assert f'Town</a> ({counts["folders"]["Town"]} unread)' in sources_page
    assert counts["folders"]["Town"] == counts["total"] == 3
    assert 'text="Town"' in data["opml"] and site.url("/eve.xml") in data["opml"]
    assert [s["article_id"] for s in data["stars"]] == [article["id"]]
    assert data["follows"] == [{"kind": "topic", "target": "ferries", "weight": 1.0,
                                "muted": False}]
    assert wrong.status_code == 422 and gone.status_code == 303 and after.status_code == 401
    with live.engine.connect() as conn:
        left = conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM users WHERE name = 'eve'), "
            "(SELECT count(*) FROM subscriptions s JOIN sources o ON o.id = s.source_id "
            f"WHERE o.url = '{site.url('/eve.xml')}')")).one()
    assert tuple(left) == (0, 0)


def test_only_our_host_is_answered_and_pages_carry_protection(live: LiveServer) -> None:
    with live.client() as http:
        evil = http.get("/", headers={"Host": "evil.example"})
        evil_api = http.get("/api/v1/health", headers={"Host": "evil.example:8000"})
        page = http.get("/")
        head = http.head("/api/v1/health")
        head_page = http.head("/")
        port = live.base.rsplit(":", 1)[1]
        other_port = http.post("/api/v1/follows", json={"kind": "topic", "target": "x"},
                               headers={"Origin": f"http://127.0.0.1:{int(port) + 1}"})
        other_scheme = http.post("/api/v1/follows", json={"kind": "topic", "target": "x"},
                                 headers={"Origin": f"https://127.0.0.1:{port}"})
        no_origin = http.post("/api/v1/follows", json={"kind": "topic", "target": "x"},
                              headers={"Sec-Fetch-Site": "cross-site"})
    assert evil.status_code == 421 and evil_api.status_code == 421
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert "script-src 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"]
    assert head.status_code == 200 and head.content == b""
    assert head_page.status_code == 200 and head_page.content == b""
    assert (other_port.status_code, other_scheme.status_code, no_origin.status_code) == (
        403, 403, 403)
    assert "<script>" not in page.text  # nothing inline for the CSP to refuse
