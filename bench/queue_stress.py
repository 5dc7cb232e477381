"""Queue stress on PostgreSQL: 1,000 articles ingested by 2 worker processes × 4 threads.

Acceptance check for the job queue, not a speed figure: per run it reports articles lost
(expected minus stored), duplicated (one feed entry stored twice, or one URL twice), fetches
beyond one per feed, deadlocks and lock timeouts that were retried, and errors left
unretried. The articles share a pool of invented names mentioned in varying order, so that
concurrent entity upserts meet on the same rows (the deadlock seen in the campaign).

Not run by `make bench` (it takes minutes). Usage:
  TIDINGS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
    python -m bench.queue_stress [--runs 5] [--feeds 100] [--items 10]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from tests.accounts import subscribe
from tests.conftest import _pg_schema_url
from tests.loopback import LoopbackSite, Route

from tidings.models import Source
from tidings.store import sources as source_store
from tidings.store.db import make_engine, migrate, transaction
from tidings.store.schema import articles

PEOPLE = ["Mara Quillfeather", "Tobin Ashgrove", "Elsbeth Varn", "Oskar Lindqvale",
          "Priya Dunmore", "Casimir Holt", "Wren Oyelaran", "Ilse Marchetti"]
ORGS = ["Harbour Trust of Elnor", "Blue Tern Lines", "Valley Water Board", "Northgate Council",
        "Kestrel Rail", "Saltmarsh Cooperative"]
PLACES = ["Port Elnor", "Dunmore Bay", "Ashgrove", "Kettle Ridge", "Varnholm", "Lindvale"]


def _item(feed: int, n: int, rng: random.Random) -> str:
    names = rng.sample(PEOPLE, 3) + rng.sample(ORGS, 2) + rng.sample(PLACES, 2)
    rng.shuffle(names)
    body = " ".join(f"{name} was named in report {feed}-{n} on the {topic} plan."
                    for name, topic in zip(names, ["ferry", "budget", "rail", "water",
                                                   "school", "bridge", "harbour"], strict=False))
    guid = f"q{feed}-{n}"
    return (f"<item><guid>{guid}</guid><title>Report {feed}-{n}: {names[0]} and {names[1]}"
            f"</title><link>https://stress.example/{guid}</link><description><![CDATA[<p>{body}"
            f"</p><p>{names[2]} said the {feed}th council meeting would decide.</p>]]>"
            "</description></item>")


def _feed(feed: int, items: int, rng: random.Random) -> bytes:
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Stress '
            f"{feed}</title><link>https://stress.example/</link>"
            + "".join(_item(feed, n, rng) for n in range(items))
            + "</channel></rss>").encode()


def _counts(engine: sa.engine.Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one()
        entries = conn.execute(sa.select(sa.func.count(sa.distinct(
            sa.func.concat(articles.c.source_id, ":", articles.c.entry_key))))).scalar_one()
        urls = conn.execute(sa.select(sa.func.count(sa.distinct(articles.c.url)))).scalar_one()
    return int(total), int(entries), int(urls)


def one_run(base_url: str, feeds: int, items: int, seed: int) -> dict[str, int]:
    schema = f"stress_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = _pg_schema_url(base_url, schema)
    site = LoopbackSite()
    site.thread.start()
    engine = make_engine(url)
    try:
        migrate(engine)
        rng = random.Random(seed)
        with transaction(engine) as conn:
            for f in range(feeds):
                site.routes[f"/s{f}.xml"] = Route(_feed(f, items, rng),
                                                  headers={"Content-Type": "application/rss+xml"})
                source, _ = source_store.add_source(conn, Source(url=site.url(f"/s{f}.xml")))
                subscribe(conn, source.id or 0)
        logs = _work(url, Path(tempfile.mkdtemp()))
        total, entries, urls = _counts(engine)
        fetches = sum(r.hits for r in site.routes.values())
    finally:
        engine.dispose()
        site.server.shutdown()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    expected = feeds * items
    return {"stored": total, "lost": expected - entries, "duplicated": total - min(entries, urls),
            "extra_fetches": fetches - feeds, "retried": logs.count("transaction aborted"),
            "unretried": logs.count("could not store") + logs.count("failed")
            - logs.count("0 failed")}


def _work(url: str, tmp: Path) -> str:
    env = os.environ | {"TIDINGS_DATABASE_URL": url, "TIDINGS_DATA_DIR": str(tmp),
                        "TIDINGS_ALLOW_HOSTS": "127.0.0.1", "TIDINGS_WORKER_POLL_S": "0.2"}
    tidings = str(Path(sys.executable).parent / "tidings")
    procs = []
    for n in range(2):
        with (tmp / f"w{n}.log").open("wb") as log:
            procs.append(subprocess.Popen([tidings, "worker", "--concurrency", "4", "--drain"],
                                          env=env, stdout=log, stderr=subprocess.STDOUT))
    codes = [p.wait(timeout=3600) for p in procs]
    text = "".join((tmp / f"w{n}.log").read_text(errors="replace") for n in range(2))
    if codes != [0, 0]:
        print(text[-3000:])
    return text


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=10)
    args = parser.parse_args(argv)
    base = os.environ.get("TIDINGS_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        print("needs TIDINGS_TEST_DATABASE_URL=postgresql://…", file=sys.stderr)
        return 2
    bad = 0
    for n in range(args.runs):
        start = time.monotonic()
        r = one_run(base, args.feeds, args.items, seed=n)
        bad += bool(r["lost"] or r["duplicated"] or r["unretried"] or r["extra_fetches"])
        took = time.monotonic() - start
        print(f"run {n + 1}: {args.feeds * args.items} articles in {took:.0f} s:"
              f" stored {r['stored']}, lost {r['lost']}, duplicated {r['duplicated']},"
              f" extra fetches {r['extra_fetches']}, transactions retried {r['retried']},"
              f" errors left unretried {r['unretried']}", flush=True)
    print(f"{args.runs - bad} of {args.runs} runs clean")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
