from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from tests.accounts import subscribe
from tidings.models import Source, SourceKind, utcnow
from tidings.store import sources as store
from tidings.store.db import transaction


def test_same_url_subscribed_once(engine: Engine) -> None:
    with transaction(engine) as conn:
        first, new1 = store.add_source(conn, Source(url="https://a.example/feed", title="A"))
        again, new2 = store.add_source(conn, Source(url="https://a.example/feed", title="A2"))
    assert (new1, new2) == (True, False)
    assert again.id == first.id and again.title == "A"


def test_errors_count_up_and_success_resets(engine: Engine) -> None:
    now = utcnow()
    with transaction(engine) as conn:
        src, _ = store.add_source(conn, Source(url="https://b.example/feed"))
        store.record_error(conn, src, now, now + timedelta(minutes=5), "HTTP 404 for …")
        src = store.get_source(conn, src.id or 0)
        store.record_error(conn, src, now, now + timedelta(minutes=10), "HTTP 404 again")
        failing = store.get_source(conn, src.id or 0)
        store.record_success(conn, src.id or 0, now, now + timedelta(hours=1), etag='"x"')
        healed = store.get_source(conn, src.id or 0)
    assert (failing.error_count, failing.last_error) == (2, "HTTP 404 again")
    assert (healed.error_count, healed.last_error, healed.etag) == (0, None, '"x"')
    assert healed.next_check_at is not None and healed.next_check_at.tzinfo is not None


def test_due_sources_skip_future_checks_samples_and_the_unsubscribed(engine: Engine) -> None:
    now = utcnow()
    with transaction(engine) as conn:
        due, _ = store.add_source(conn, Source(url="https://c.example/due"))
        later, _ = store.add_source(conn, Source(url="https://c.example/later"))
        sample, _ = store.add_source(conn, Source(url="https://c.example/s",
                                                  kind=SourceKind.SAMPLE))
        store.add_source(conn, Source(url="https://c.example/nobody-reads-this"))
        for source in (due, later, sample):
            subscribe(conn, source.id or 0)
        store.update_source(conn, later.id or 0, next_check_at=now + timedelta(hours=1))
        assert [s.url for s in store.due_sources(conn, now)] == [due.url]
        assert len(store.due_sources(conn, None)) == 2
