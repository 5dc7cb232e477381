"""The bundled sample newsroom: invented outlets covering a few shared events, for `tidings demo`.

Dates in the bundle are shifted so that the newest item is a few minutes old, so the demo
feed always looks like today's news.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from tidings import auth, pipeline
from tidings.config import Settings
from tidings.models import Entry, Follow, ParsedFeed, Source, SourceKind, TargetKind, utcnow
from tidings.sources import parse_feed, parse_opml
from tidings.store import accounts, library, story_features
from tidings.store import sources as source_store
from tidings.store import stories as story_store
from tidings.store import users as user_store
from tidings.store.db import transaction

DATA = Path(__file__).resolve().parent / "data"
FOLDER = "Sample newsroom"
NEWEST_AGE = timedelta(minutes=12)
PASSWORD_FILE = "demo-password"  # noqa: S105 - a file name, not a password


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    return data


def bundled_feeds() -> list[tuple[dict[str, Any], ParsedFeed]]:
    out = []
    for outlet in manifest()["outlets"]:
        raw = (DATA / outlet["file"]).read_bytes()
        out.append((outlet, parse_feed(raw, url=outlet["feed_url"])))
    return out


def _shift(entries: list[Entry], delta: timedelta) -> list[Entry]:
    return [replace(e, published_at=e.published_at + delta if e.published_at else None)
            for e in entries]


def _newest(feeds: list[tuple[dict[str, Any], ParsedFeed]]) -> datetime:
    dates = [e.published_at for _, f in feeds for e in f.entries if e.published_at]
    return max(dates) if dates else utcnow()


def load_demo(engine: Engine, settings: Settings, *, now: datetime | None = None) -> int:
    """Store the sample newsroom and the demo user's follows; returns new articles stored."""
    feeds = bundled_feeds()
    delta = (now or utcnow()) - NEWEST_AGE - _newest(feeds)
    new = 0
    user_id = _demo_user(engine, settings.user)
    for outlet, feed in feeds:
        source = _sample_source(engine, user_id, outlet["feed_url"], outlet["title"],
                                outlet["site_url"])
        report = pipeline.RefreshReport(source_id=source.id or 0, url=source.url)
        pipeline.ingest_entries(engine, source, _shift(feed.entries, delta), report)
        new += report.new
    for capture in manifest().get("captures", []):
        name = capture.get("outlet") or urlsplit(capture["url"]).hostname or "Sample capture"
        source = _sample_source(engine, user_id, capture["url"], name, capture["url"],
                                kind=SourceKind.CAPTURE)
        data = (DATA / capture["file"]).read_bytes()
        new += pipeline.ingest_document(engine, data, source=source, url=capture["url"],
                                        name=capture["file"]) is not None
    return new


def _sample_source(engine: Engine, user_id: int, url: str, title: str, site_url: str,
                   *, kind: SourceKind = SourceKind.SAMPLE) -> Source:
    with transaction(engine) as conn:
        source, _ = source_store.add_source(conn, Source(
            url=url, title=title, site_url=site_url, kind=kind))
        library.subscribe(conn, user_id, source.id or 0, folder=FOLDER)
    return source


def _demo_user(engine: Engine, name: str) -> int:
    """The demo account (made on first run, without a password until `demo_password`) with
    the follows and mutes of the bundle."""
    user_spec = manifest()["user"]
    with transaction(engine) as conn:
        user = accounts.find_user(conn, name) or accounts.create_user(conn, name, None)
        for f in user_spec.get("follows", []):
            user_store.set_follow(conn, Follow(user.id or 0, TargetKind(f["kind"]), f["target"],
                                               weight=float(f.get("weight", 1.0))))
        for m in user_spec.get("mutes", []):
            user_store.set_follow(conn, Follow(user.id or 0, TargetKind(m["kind"]), m["target"],
                                               muted=True))
    return user.id or 0


def demo_password(engine: Engine, settings: Settings) -> str:
    """The demo account's password: made once at random, kept (mode 0600) in the data dir so
    that `make run` can print it each time. An account that has a password of its own
    already (set with `tidings user passwd`) keeps it."""
    path = settings.data_dir / PASSWORD_FILE
    with transaction(engine) as conn:
        user, stored = accounts.password_hash_of(conn, settings.user)
        if user is None:
            raise LookupError(f"no demo account {settings.user!r}: run `tidings demo` first")
        if path.is_file() and auth.verify_password(stored, path.read_text().strip()):
            return path.read_text().strip()
        if stored is not None:
            return "(the password you set)"
        password = secrets.token_urlsafe(9)
        accounts.set_password_hash(conn, user.id or 0, auth.hash_password(password))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(password + "\n", encoding="utf-8")
    return password


def online(host: str = "feeds.bbci.co.uk", timeout_s: float = 3.0) -> bool:
    """Whether public DNS answers; the starter feeds are only subscribed when it does."""
    # getaddrinfo has no timeout of its own: ask in a daemon thread and stop waiting.
    answer: list[bool] = []

    def ask() -> None:
        try:
            socket.getaddrinfo(host, 443)
            answer.append(True)
        except OSError:
            answer.append(False)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    thread.join(timeout_s)
    return bool(answer and answer[0])


def subscribe_starter_feeds(engine: Engine, settings: Settings) -> int:
    """Subscribe the demo account to the starter OPML of real public feeds (fetched later by
    refresh/worker)."""
    with transaction(engine) as conn:
        user = accounts.user_named(conn, settings.user)
        found = parse_opml((DATA / "starter.opml").read_bytes())
        return library.import_subscriptions(conn, user.id or 0, found)


def remove_demo(engine: Engine) -> int:
    """Take the sample newsroom out: its outlets with their articles, and the stories left
    without an article. Accounts, follows and every real source stay. Returns outlets removed."""
    with transaction(engine) as conn:
        ids = [s.id or 0 for s in source_store.list_sources(conn)
               if s.kind in {SourceKind.SAMPLE, SourceKind.CAPTURE}]
        if not ids:
            return 0
        source_store.delete_sources(conn, ids)  # articles and subscriptions cascade
        story_store.delete_empty_stories(conn)
        mixed = [story.id or 0 for story in story_store.recent_stories(conn, limit=100_000)]
        for story_id in mixed:
            story_store.refresh_story(conn, story_id)  # counts of mixed stories
        story_features.refresh_stories(conn, mixed)
    return len(ids)
