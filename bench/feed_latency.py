"""Feed latency at scale: `GET /api/v1/feed` for random readers at a steady rate.

Builds a library of 100k articles in ~20k stories from 200 sources, read by 10k users with
subscriptions (~20 sources each), follows, mutes, hides and opens, written straight into the
store's tables by bulk inserts and then given their story features (`story_features.
backfill`, what migration 0008 does) — not through the pipeline, which would take hours.
Then it serves the database the way the README tells users to serve many readers:
`tidings serve --processes N`, one process per CPU core (`--processes`, default the core
count), each with its pool sized to its threads, on loopback.

The load generator is open loop: requests are due at a constant rate (100 a second for 30 s)
whoever answers, each a random reader's on a connection of its own (the connect counted),
and each latency is counted from when its request was due, so a stall shows as the queue it
causes. `GET /api/v1/health` at the same rate is the floor (the server and the loopback
alone). Then 50 closed-loop clients, each on one kept-alive connection, ask as fast as they
are answered: the highest rate each route sustains.

    python -m bench.feed_latency                 # both engines (PostgreSQL: TIDINGS_BENCH_PG)
    python -m bench.feed_latency --json          # {"sqlite": {"p99_ms": …}, "postgresql": …}
    python -m bench.feed_latency --quick         # small sizes, a few seconds (the test's)

PostgreSQL is used when TIDINGS_BENCH_PG (or TIDINGS_TEST_DATABASE_URL) names a database: the
bench makes a schema of its own there and drops it after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import pg_schema
from tidings import auth
from tidings.rank.learn import Profile, learn_into
from tidings.store import profiles, story_features
from tidings.store.db import make_engine, migrate, transaction
from tidings.store.schema import (
    article_entities,
    articles,
    entities,
    follows,
    interactions,
    sources,
    stories,
    subscriptions,
    tokens,
    users,
)

TOPICS = ["politics", "economy", "science", "health", "sport", "culture", "climate",
          "technology", "education", "transport", "housing", "energy"]
WORDS = ["council", "vote", "budget", "strike", "court", "ruling", "storm", "flood", "match",
         "final", "election", "report", "study", "vaccine", "bridge", "rail", "port",
         "market", "bank", "rate", "deal", "talks", "summit", "plan", "law", "tax", "school",
         "hospital", "fire", "police", "trial", "record", "heat", "drought", "river"]


@dataclass(frozen=True)
class Sizes:
    articles: int = 100_000
    stories: int = 20_000
    sources: int = 200
    users: int = 10_000
    subs_per_user: int = 20
    entities: int = 3_000
    days: int = 30  # articles spread over the last month (the feed's window is 7 days)
    rate: float = 100.0  # requests a second, open loop
    seconds: float = 30.0
    clients: int = 50  # closed loop
    closed_seconds: float = 10.0


QUICK = Sizes(articles=3_000, stories=600, sources=30, users=200, subs_per_user=8,
              entities=200, rate=20.0, seconds=2.0, clients=8, closed_seconds=1.5)


JSON_KEYS = ("p99_ms", "health_p99_ms", "errors", "max_rps", "health_max_rps")


def token_of(user_index: int) -> str:
    return f"bench-feed-token-{user_index}"


# --- the library, by bulk inserts -----------------------------------------------------------


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        conn.execute(sa.insert(table), chunk)


Plan = tuple[datetime, str, list[int], list[int]]  # a story: start, topic, entities, sources


def build(engine: sa.Engine, sizes: Sizes, seed: int = 13) -> dict[str, float]:
    """Fill an empty, migrated database; returns how long each part took (seconds)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    took: dict[str, float] = {}
    started = time.perf_counter()
    with transaction(engine) as conn:
        plans = _library(conn, sizes, rng, now)
    took["library_s"] = time.perf_counter() - started
    started = time.perf_counter()
    with transaction(engine) as conn:
        conn.execute(sa.text(
            "UPDATE stories SET article_count = (SELECT count(*) FROM articles a "
            "WHERE a.story_id = stories.id), source_count = (SELECT count(DISTINCT "
            "a.source_id) FROM articles a WHERE a.story_id = stories.id)"))
        story_features.backfill(conn)
    took["features_s"] = time.perf_counter() - started
    started = time.perf_counter()
    with transaction(engine) as conn:
        _readers(conn, sizes, rng, now, plans)
        if conn.dialect.name == "postgresql":
            for table in ("sources", "entities", "stories", "articles", "users"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
    took["readers_s"] = time.perf_counter() - started
    started = time.perf_counter()
    with transaction(engine) as conn:
        _profiles(conn)
    took["profiles_s"] = time.perf_counter() - started
    # planner statistics and, on PostgreSQL, the visibility map (index-only scans), as a
    # real installation's autovacuum keeps them: a server run with autovacuum off (this
    # project's CI machine's is) would otherwise answer the bench from a never-vacuumed heap
    analyze = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(analyze)
    return took


def _library(conn: sa.Connection, sizes: Sizes, rng: random.Random,
             now: datetime) -> list[Plan]:
    _insert(conn, sources, [
        {"id": s + 1, "url": f"https://outlet{s}.example/feed", "kind": "feed",
         "title": f"Outlet {s}", "site_url": f"https://outlet{s}.example/",
         "created_at": now} for s in range(sizes.sources)])
    _insert(conn, entities, [
        {"id": e + 1, "key": f"person:bench-{e}", "kind": "person",
         "name": f"Person {e}", "aliases": [f"P. {e}"]} for e in range(sizes.entities)])
    # stories: a start time over the span, a topic, a few entities, a few sources
    story_rows, plans = [], []
    span = timedelta(days=sizes.days).total_seconds()
    for s in range(sizes.stories):
        start = now - timedelta(seconds=rng.random() * span)
        topic = rng.choice(TOPICS)
        ents = rng.sample(range(1, sizes.entities + 1), 3)
        outlets = rng.sample(range(1, sizes.sources + 1), min(sizes.sources, rng.randint(1, 8)))
        story_rows.append({"id": s + 1, "title": f"{topic} story {s}", "first_seen": start,
                           "last_seen": start, "article_count": 0, "source_count": 0})
        plans.append((start, topic, ents, outlets))
    _insert(conn, stories, story_rows)
    art_rows, ae_rows = [], []
    counts = [1] * sizes.stories  # every story has one article, the rest at random
    for _ in range(sizes.articles - sizes.stories):
        counts[rng.randrange(sizes.stories)] += 1
    aid = 0
    for s, n in enumerate(counts):
        start, topic, ents, outlets = plans[s]
        for k in range(n):
            aid += 1
            fetched = min(now, start + timedelta(hours=rng.random() * 36 * (k > 0)))
            words = " ".join(rng.choice(WORDS) for _ in range(8))
            src = outlets[k % len(outlets)]
            art_rows.append({
                "id": aid, "source_id": src, "entry_key": f"e{aid}",
                "url": f"https://outlet{src}.example/a/{aid}", "canonical_url": "",
                "guid": f"g{aid}", "title": f"{topic.title()}: {words} ({aid})",
                "byline": f"Writer {aid % 97}",
                # one in ten undated, as feeds without dates are
                "published_at": None if aid % 10 == 0 else fetched, "fetched_at": fetched,
                "language": "en", "topic_label": topic, "topics": [topic],
                "key_points": [f"{words}."], "text": (f"{words}. " * 40).strip(),
                "html": f"<p>{words}</p>" * 20, "captions": [], "related": [],
                "lead_image": "", "content_hash": "", "story_id": s + 1})
            ae_rows += [{"article_id": aid, "entity_id": e, "count": 1,
                         "salience": round(rng.random(), 3)} for e in ents]
    _insert(conn, articles, art_rows)
    _insert(conn, article_entities, ae_rows)
    return plans


def _readers(conn: sa.Connection, sizes: Sizes, rng: random.Random, now: datetime,
             plans: list[Plan]) -> None:
    weights = [1.0 / (i + 1) ** 0.7 for i in range(sizes.sources)]  # a few big outlets
    user_rows, sub_rows, tok_rows, fol_rows, int_rows = [], [], [], [], []
    recent = [s + 1 for s, plan in enumerate(plans) if now - plan[0] < timedelta(days=7)]
    for u in range(sizes.users):
        uid = u + 1
        user_rows.append({"id": uid, "name": f"reader{u}", "password_hash": None,
                          "is_admin": False, "created_at": now})
        tok_rows.append({"user_id": uid, "kind": "api", "label": "bench",
                         "secret_hash": auth.secret_hash(token_of(u)), "created_at": now,
                         "last_used_at": None})
        mine: set[int] = set()
        while len(mine) < min(sizes.subs_per_user, sizes.sources):
            mine.add(rng.choices(range(1, sizes.sources + 1), weights)[0])
        sub_rows += [{"user_id": uid, "source_id": s, "title": "", "folder":
                      rng.choice(["", "news", "local"]), "created_at": now} for s in mine]
        targets = {("topic", rng.choice(TOPICS), False), ("topic", rng.choice(TOPICS), False),
                   ("entity", f"Person {rng.randrange(sizes.entities)}", False),
                   ("keyword", rng.choice(WORDS), False)}
        if u % 4 == 0:
            targets.add(("entity", f"Person {rng.randrange(sizes.entities)}", True))
        if u % 5 == 0:
            targets.add(("source", f"Outlet {rng.choice(sorted(mine)) - 1}", True))
        unique = {(k, t): m for k, t, m in sorted(targets)}  # a mute wins over a follow
        fol_rows += [{"user_id": uid, "target_kind": k, "target": t, "weight": 1.0,
                      "muted": m} for (k, t), m in unique.items()]
        int_rows += [{"user_id": uid, "story_id": rng.choice(recent),
                      "kind": rng.choice(["open", "read", "read", "hide", "like", "impression"]),
                      "at": now - timedelta(hours=rng.random() * 72)} for _ in range(10)]
    _insert(conn, users, user_rows)
    _insert(conn, tokens, tok_rows)
    _insert(conn, subscriptions, sub_rows)
    _insert(conn, follows, fol_rows)
    _insert(conn, interactions, int_rows)


def _profiles(conn: sa.Connection) -> None:
    """Each reader's learned profile from their interactions, as the feedback path would
    have learned it (so the feed loads and scores real profiles, not the prior)."""
    snaps: dict[int, dict[str, Any]] = {}
    rows = conn.execute(sa.select(interactions.c.user_id, interactions.c.story_id,
                                  interactions.c.kind, interactions.c.at)
                        .order_by(interactions.c.user_id, interactions.c.at)).all()
    by_user: dict[int, list[Any]] = {}
    for r in rows:
        by_user.setdefault(r.user_id, []).append(r)
    for uid, events in by_user.items():
        profile = Profile()
        for r in events:
            if r.story_id not in snaps:
                snaps[r.story_id] = profiles.snapshot_of(conn, 0, r.story_id, r.at)
            learn_into(profile, r.kind, snaps[r.story_id])
        profiles.save(conn, uid, profile)


# --- the server, as the README runs it ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(url: str, data_dir: Path, processes: int = 1) -> Iterator[int]:
    """`tidings serve --processes N` in a process of its own; yields its port."""
    port = _free_port()
    env = os.environ | {"TIDINGS_DATABASE_URL": url, "TIDINGS_DATA_DIR": str(data_dir),
                        "TIDINGS_STARTER_FEEDS": "false"}
    cli = Path(sys.executable).parent / "tidings"
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen([str(cli), "serve", "--port", str(port),
                             "--processes", str(processes)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {(data_dir / 'server.log').read_text()}")
            time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# --- the load generator: raw HTTP/1.1 keep-alive on loopback -------------------------------


class Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Conn:
        r, w = await asyncio.open_connection("127.0.0.1", port)
        return cls(r, w)

    async def get(self, path: str, token: str | None) -> int:
        auth_line = f"Authorization: Bearer {token}\r\n" if token else ""
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth_line}"
                          "Accept: application/json\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    done: int = 0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(q * len(xs)))]


def _path(route: str, rng: random.Random, users: int) -> tuple[str, str | None]:
    if route == "health":
        return "/api/v1/health", None
    return "/api/v1/feed", token_of(rng.randrange(users))


async def open_loop(port: int, route: str, rate: float, seconds: float, users: int) -> Run:
    """Requests due every 1/rate s whoever answers; latency from when each was due.

    Each request is one reader's refresh on a connection of its own: readers who refresh
    every 100 s do not share connections, and the server closes an idle one after 5 s.
    (Sending every reader's request down a few kept-alive connections, as this did until
    2026-12-07, pinned nearly all of them to one of the server's processes.)"""
    rng = random.Random(7)
    run = Run()

    async def one(due: float) -> None:
        path, token = _path(route, rng, users)
        c = None
        try:
            c = await Conn.open(port)
            status = await asyncio.wait_for(c.get(path, token), 30)
            run.latencies_ms.append((time.perf_counter() - due) * 1000)
            if status != 200:
                run.errors += 1
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
            run.errors += 1
        finally:
            if c is not None:
                c.close()

    tasks = []
    start = time.perf_counter() + 0.05
    n = int(rate * seconds)
    for i in range(n):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    run.done = n
    return run


async def closed_loop(port: int, route: str, clients: int, seconds: float,
                      users: int) -> tuple[float, Run]:
    """`clients` clients, each asking again as soon as it is answered: requests a second."""
    rng = random.Random(11)
    run = Run()
    stop = time.perf_counter() + seconds

    async def client() -> None:
        c: Conn | None = None
        while time.perf_counter() < stop:
            path, token = _path(route, rng, users)
            sent = time.perf_counter()
            try:
                if c is None:
                    c = await Conn.open(port)
                status = await asyncio.wait_for(c.get(path, token), 30)
                run.latencies_ms.append((time.perf_counter() - sent) * 1000)
                run.done += 1
                if status != 200:
                    run.errors += 1
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
                run.errors += 1
                if c is not None:
                    c.close()
                c = None
        if c is not None:
            c.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return run.done / (time.perf_counter() - began), run


# --- one engine -------------------------------------------------------------------------------


@contextmanager
def database(kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'bench.db'}"
        return
    base = os.environ.get("TIDINGS_BENCH_PG") or os.environ.get("TIDINGS_TEST_DATABASE_URL")
    if not base:
        raise LookupError("set TIDINGS_BENCH_PG=postgresql://… for the PostgreSQL run")
    with pg_schema(base) as url:
        yield url


def measure(kind: str, sizes: Sizes, log: Any = print, processes: int = 1) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        engine = make_engine(url)
        migrate(engine)
        took = build(engine, sizes)
        engine.dispose()
        log(f"{kind}: built {sizes.articles} articles, {sizes.stories} stories, "
            f"{sizes.users} users in " + ", ".join(f"{k} {v:.1f}" for k, v in took.items()))
        with serve(url, Path(tmp), processes) as port:
            asyncio.run(open_loop(port, "feed", sizes.rate, min(2.0, sizes.seconds),
                                  sizes.users))  # warm-up: caches, pool, plans
            feed = asyncio.run(open_loop(port, "feed", sizes.rate, sizes.seconds, sizes.users))
            health = asyncio.run(open_loop(port, "health", sizes.rate, sizes.seconds,
                                           sizes.users))
            max_rps, closed = asyncio.run(closed_loop(port, "feed", sizes.clients,
                                                      sizes.closed_seconds, sizes.users))
            health_max, closed_h = asyncio.run(closed_loop(port, "health", sizes.clients,
                                                           sizes.closed_seconds, sizes.users))
    out = {"p50_ms": round(feed.pct(0.50), 1), "p95_ms": round(feed.pct(0.95), 1),
           "p99_ms": round(feed.pct(0.99), 1), "errors": feed.errors,
           "health_p50_ms": round(health.pct(0.50), 1),
           "health_p99_ms": round(health.pct(0.99), 1), "health_errors": health.errors,
           "max_rps": round(max_rps, 1), "closed_errors": closed.errors,
           "closed_p99_ms": round(closed.pct(0.99), 1),
           "health_max_rps": round(health_max, 1), "health_closed_errors": closed_h.errors,
           "requests": feed.done, "rate": sizes.rate, "seconds": sizes.seconds,
           "build_s": {k: round(v, 1) for k, v in took.items()},
           "load_1min": round(os.getloadavg()[0], 1), "cpus": os.cpu_count(),
           "processes": processes}
    log(f"{kind}: feed p50 {out['p50_ms']} p95 {out['p95_ms']} p99 {out['p99_ms']} ms, "
        f"{feed.errors} errors at {sizes.rate:g}/s; health p99 {out['health_p99_ms']} ms; "
        f"closed loop ({sizes.clients} clients): feed {out['max_rps']}/s "
        f"({closed.errors} errors), health {out['health_max_rps']}/s; machine load "
        f"{out['load_1min']} on {out['cpus']} CPUs")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    ap.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--rate", type=float)
    ap.add_argument("--seconds", type=float)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                    help="server processes (default: one per CPU core)")
    args = ap.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    if args.rate:
        sizes = Sizes(**(sizes.__dict__ | {"rate": args.rate}))
    if args.seconds:
        sizes = Sizes(**(sizes.__dict__ | {"seconds": args.seconds}))
    kinds = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    results: dict[str, Any] = {}
    for kind in kinds:
        try:
            results[kind] = measure(kind, sizes, log, args.processes)
        except LookupError as exc:
            log(f"{kind}: skipped ({exc})")
    if args.json:  # the shape; the log (stderr) has the rest
        print(json.dumps({k: {key: r[key] for key in JSON_KEYS} for k, r in results.items()},
                         indent=2))
    failed = any(r["errors"] or r["closed_errors"] for r in results.values())
    if not args.quick:
        failed |= any(r["p99_ms"] >= 50 for r in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

