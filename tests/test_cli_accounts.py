"""`tidings user …`, `tidings token …` and `--user`: accounts from the shell, both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.feeds import HARBOUR, rss
from tests.loopback import LoopbackSite, Route
from tidings import auth
from tidings.store.db import make_engine
from tidings.store.schema import tokens, users


@pytest.fixture
def run(cli):
    return cli


def _rows(db_url: str, table: sa.Table) -> list[sa.Row]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.select(table)))
    finally:
        engine.dispose()


def test_users_are_added_listed_repassworded_and_deleted(run, db_url: str) -> None:
    assert run("user", "add", "ann", "--admin", "--password-stdin", stdin="first passphrase\n"
               )[0] == 0
    assert run("user", "add", "bob", "--password-stdin", stdin="bobs passphrase\n")[0] == 0
    twice = run("user", "add", "bob", "--password-stdin", stdin="another one!\n")
    short = run("user", "add", "cy", "--password-stdin", stdin="short\n")
    no_stdin = run("user", "add", "dee")
    code, listing = run("user", "list")
    assert twice[0] == 1 and "exists already" in twice[1]
    assert short[0] == 2 and "at least 8" in short[1]
    assert no_stdin[0] == 2 and "--password-stdin" in no_stdin[1]
    assert code == 0 and "ann  (admin)" in listing and "bob" in listing and "cy" not in listing
    before = {r.name: r.password_hash for r in _rows(db_url, users)}
    assert all(h.startswith("$argon2id$") for h in before.values())
    assert auth.verify_password(before["ann"], "first passphrase")
    assert run("user", "passwd", "ann", "--password-stdin", stdin="second passphrase\n")[0] == 0
    after = {r.name: r.password_hash for r in _rows(db_url, users)}
    assert auth.verify_password(after["ann"], "second passphrase")
    assert not auth.verify_password(after["ann"], "first passphrase")
    assert run("user", "delete", "bob")[0] == 0
    gone = run("user", "delete", "bob")
    assert gone[0] == 1 and "no user named 'bob'" in gone[1]
    assert {r.name for r in _rows(db_url, users)} == {"ann"}


def test_tokens_are_printed_once_and_stored_hashed(run, db_url: str) -> None:
    run("user", "add", "ann", "--password-stdin", stdin="first passphrase\n")
    code, secret = run("token", "create", "ann", "--label", "laptop")
    app_code, app_secret = run("token", "create", "ann", "--app", "newsboat")
    secret, app_secret = secret.strip(), app_secret.strip()
    stored = _rows(db_url, tokens)
    assert code == 0 and app_code == 0 and secret.startswith("tdg_") and len(secret) > 40
    assert {r.secret_hash for r in stored} == {auth.secret_hash(secret),
                                               auth.secret_hash(app_secret)}
    assert all(secret not in str(tuple(r)) for r in stored)
    code, listing = run("token", "list", "ann")
    assert code == 0 and "laptop" in listing and "newsboat" in listing and secret not in listing
    token_id = next(r.id for r in stored if r.label == "laptop")
    assert run("token", "revoke", "ann", str(token_id))[0] == 0
    again = run("token", "revoke", "ann", str(token_id))
    assert again[0] == 1 and {r.label for r in _rows(db_url, tokens)} == {"newsboat"}


def test_add_needs_a_user_when_there_are_several(run, site: LoopbackSite) -> None:
    site.routes["/feed.xml"] = Route(rss("Harbour Post", HARBOUR),
                                     headers={"Content-Type": "application/rss+xml"})
    for name in ("ann", "bob"):
        run("user", "add", name, "--password-stdin", stdin=f"{name} passphrase\n")
    ambiguous = run("add", site.url("/feed.xml"))
    first = run("add", site.url("/feed.xml"), "--user", "ann", "--folder", "News")
    second = run("add", site.url("/feed.xml"), "--user", "bob")
    ann = run("sources", "--user", "ann")[1]
    bob = run("sources", "--user", "bob")[1]
    assert ambiguous[0] == 2 and "--user NAME" in ambiguous[1]
    assert first[0] == 0 and "3 articles" in first[1]
    assert second[0] == 0 and "subscribed bob" in second[1]  # joined, not fetched again
    assert site.routes["/feed.xml"].hits == 1
    assert "[News] Harbour Post · 3 unread" in ann and "[News]" not in bob
