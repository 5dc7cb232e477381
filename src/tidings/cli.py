"""`tidings …`: thin commands over the pipeline, the store and the web app."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy.engine import Engine

from tidings import cli_search, pipeline
from tidings.cli_accounts import resolve_user, tokens_app, users_app
from tidings.config import Settings, SettingsError, load_settings
from tidings.fetch import Fetcher, FetchError
from tidings.leases import holder_name
from tidings.models import Follow, TargetKind, article_json, utcnow
from tidings.sources import FeedError, parse_opml, write_opml
from tidings.store import library
from tidings.store import sources as source_store
from tidings.store import users as user_store
from tidings.store.db import make_engine, migrate, transaction
from tidings.worker import Crew, WorkerStats, refresh_now

app = typer.Typer(help="Tidings: a self-hosted, personalised news feed.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(users_app, name="user")
app.add_typer(tokens_app, name="token")
err = Console(stderr=True)
UserOption = Annotated[str | None, typer.Option(
    "--user", help="Whose library (may be left out when there is one account).")]


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


@app.callback()
def main(ctx: typer.Context) -> None:
    """Settings come from TIDINGS_* environment variables (see the README)."""
    try:
        ctx.obj = load_settings()
    except SettingsError as exc:
        err.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


@contextmanager
def _engine(ctx: typer.Context) -> Iterator[Engine]:
    engine = make_engine(_settings(ctx).effective_database_url)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


@app.command()
def init(ctx: typer.Context) -> None:
    """Create or upgrade the database schema."""
    with _engine(ctx):
        typer.echo(f"database ready: {_settings(ctx).effective_database_url}")


@app.command()
def serve(ctx: typer.Context, host: str = "", port: int = 0,
          with_worker: Annotated[bool, typer.Option(
              "--worker", help="Also refresh due feeds in this process.")] = False,
          processes: Annotated[int, typer.Option(
              min=1, max=64, help="Server processes on one port (one per CPU core for many "
              "readers); each reads its settings from the same environment.")] = 1) -> None:
    """Serve the web UI and the JSON API."""
    import uvicorn  # noqa: PLC0415

    from tidings.web.app import create_app  # noqa: PLC0415
    from tidings.worker import run_worker  # noqa: PLC0415

    settings = _settings(ctx)
    stop = threading.Event()
    with _engine(ctx) as engine:
        if with_worker:
            threading.Thread(target=run_worker, args=(engine, settings), daemon=True,
                             kwargs={"stop": stop}, name="worker").start()
        try:
            host, port = host or settings.host, port or settings.port
            if processes > 1:
                from uvicorn.supervisors import Multiprocess  # noqa: PLC0415

                from tidings.web.app import listening_socket  # noqa: PLC0415

                config = uvicorn.Config("tidings.web.app:from_environment", factory=True,
                                        workers=processes, host=host, port=port)
                Multiprocess(config, sockets=[listening_socket(host, port)]).run()
            else:
                uvicorn.run(create_app(settings, engine), host=host, port=port)
        finally:
            stop.set()


@app.command()
def add(ctx: typer.Context, url: str, *, user: UserOption = None, folder: str = "",
        title: str = "",
        full_text: Annotated[bool, typer.Option(
            "--full-text", help="Fetch each entry's page: for feeds with teasers only.")] = False,
        ) -> None:
    """Subscribe to a feed URL, or a site URL whose feed is discovered."""
    with _engine(ctx) as engine:
        with transaction(engine) as conn:
            reader = resolve_user(conn, user)
        try:
            sub, report = pipeline.subscribe(engine, url, settings=_settings(ctx),
                                             user_id=reader.id or 0, title=title,
                                             folder=folder, full_text=full_text)
        except (FetchError, FeedError) as exc:
            err.print(f"[red]could not add {url}:[/red] {exc}")
            raise typer.Exit(1) from exc
    if report is None:
        typer.echo(f"subscribed {reader.name} to {sub.name} <{sub.source.url}>")
    else:
        typer.echo(f"added {sub.name} <{sub.source.url}>: {report.new} articles")


@app.command()
def follow(ctx: typer.Context, kind: TargetKind, target: str, *, user: UserOption = None,
           mute: Annotated[bool, typer.Option("--mute", help="Hide it instead.")] = False,
           ) -> None:
    """Follow (or, with --mute, mute) a topic, entity, source or keyword."""
    try:
        target = user_store.follow_target(target)
    except user_store.BlankTarget as exc:
        err.print(f"[red]could not follow:[/red] {exc}")
        raise typer.Exit(2) from exc
    with _engine(ctx) as engine, transaction(engine) as conn:
        reader = resolve_user(conn, user)
        user_store.set_follow(conn, Follow(reader.id or 0, kind, target, muted=mute))
    typer.echo(f"{reader.name} {'mutes' if mute else 'follows'} {kind} {target}")


@app.command("sources")
def list_sources(ctx: typer.Context, user: UserOption = None) -> None:
    """List a user's subscriptions with their state, last error and unread count."""
    with _engine(ctx) as engine, transaction(engine) as conn:
        subs = library.list_subscriptions(conn, resolve_user(conn, user).id or 0)
    for sub in subs:
        s = sub.source
        state = (f"ERROR ({s.error_count}x): {s.last_error}" if s.last_error and s.error_count
                 else f"WARNING: {s.last_error}" if s.last_error else "ok")
        checked = s.last_checked_at.isoformat(timespec="minutes") if s.last_checked_at else "never"
        folder = f"[{sub.folder}] " if sub.folder else ""
        typer.echo(f"{s.id:>4}  {folder}{sub.name} · {sub.unread} unread\n      {s.url}\n"
                   f"      {s.kind} · checked {checked} · {state}")


@app.command("import-opml")
def import_opml(ctx: typer.Context, path: Path, user: UserOption = None) -> None:
    """Subscribe a user to every feed in an OPML file (fetched on the next refresh)."""
    try:
        found = parse_opml(path.read_bytes())
    except (OSError, FeedError) as exc:
        err.print(f"[red]cannot import {path}:[/red] {exc}")
        raise typer.Exit(1) from exc
    with _engine(ctx) as engine, transaction(engine) as conn:
        added = library.import_subscriptions(conn, resolve_user(conn, user).id or 0, found)
    typer.echo(f"imported {len(found)} feeds from {path} ({added} new)")


@app.command("export-opml")
def export_opml(ctx: typer.Context, user: UserOption = None,
                output: Annotated[Path | None, typer.Option("--output", "-o")] = None) -> None:
    """Write a user's subscriptions as OPML (to stdout, or to --output)."""
    with _engine(ctx) as engine, transaction(engine) as conn:
        text = write_opml(library.outlines(conn, resolve_user(conn, user).id or 0))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@app.command()
def prune(ctx: typer.Context) -> None:
    """Delete read, unstarred articles older than TIDINGS_RETENTION_DAYS (starred: never)."""
    with _engine(ctx) as engine:
        gone = pipeline.prune(engine, _settings(ctx))
    typer.echo(f"pruned {gone} articles")


@app.command()
def refresh(ctx: typer.Context, once: bool = typer.Option(
        False, "--once", help="Check every feed once now, then exit.")) -> None:
    """Check feeds for new entries: all once (--once), or due ones in a loop."""
    settings = _settings(ctx)
    with _engine(ctx) as engine, Fetcher(settings) as fetcher:
        crew = Crew(engine, fetcher, settings, WorkerStats())
        while True:
            started = utcnow()
            with transaction(engine) as conn:
                due = source_store.due_sources(conn, None if once else started)
            _refresh_all(crew, [s.id or 0 for s in due], started)
            if once:
                return
            time.sleep(30)


def _refresh_all(crew: Crew, ids: list[int], started: datetime) -> None:
    """Each source under its job lease: a worker or a second `refresh` never runs it at the
    same time, and one that another process checked since `started` is skipped."""
    holder = holder_name("refresh")
    with Progress(console=err, disable=not err.is_terminal) as bar:
        task = bar.add_task("refreshing", total=len(ids))
        for source_id in ids:
            try:
                report = refresh_now(crew, source_id, holder, started)
            except Exception as exc:  # a bug in one source's run must not end the others
                bar.console.print(f"source {source_id}: failed: {exc!r}", markup=False)
                continue
            finally:
                bar.advance(task)
            if report is None:
                bar.console.print(f"source {source_id}: skipped, another process is checking"
                                  " it or just did", markup=False, highlight=False)
                continue
            status = f"error: {report.error}" if report.error else (
                "not modified" if report.not_modified else f"{report.new} new, {report.seen} seen")
            bar.console.print(f"{report.url}: {status}", markup=False, highlight=False)


@app.command()
def worker(ctx: typer.Context,
           concurrency: Annotated[int, typer.Option(min=1, max=64)] = 2,
           drain: Annotated[bool, typer.Option(
               "--drain", help="Exit once no job is due (for cron and tests).")] = False) -> None:
    """Run the scheduler: claim due refresh jobs from the database and run them."""
    import logging  # noqa: PLC0415

    from tidings.worker import run_worker  # noqa: PLC0415

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(threadName)s %(message)s")
    stop = _stop_on_signals()
    with _engine(ctx) as engine:
        try:
            stats = run_worker(engine, _settings(ctx), concurrency=concurrency, drain=drain,
                               stop=stop)
        except KeyboardInterrupt:  # the second Ctrl-C: stop now, running jobs' leases lapse
            return
    typer.echo(f"worker finished: {stats.done} jobs done, {stats.failed} failed")


def _stop_on_signals() -> threading.Event:
    """An event set by the first SIGINT or SIGTERM, so the worker finishes its running jobs
    and exits; a second signal stops it at once. Installed before the language model loads:
    a signal during start-up then stops the worker as soon as it is up, instead of raising
    in the middle of a library's import, which may swallow it."""
    stop = threading.Event()

    def graceful(_signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        os.write(2, b"stopping: finishing the running jobs (signal again to stop now)\n")

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, graceful)
    return stop


@app.command()
def demo(ctx: typer.Context, remove: Annotated[bool, typer.Option(
        "--remove", help="Take the sample newsroom out again (accounts and real feeds stay).")
        ] = False) -> None:
    """Load the bundled sample newsroom (and, when online, the starter feeds)."""
    from tidings import demo as sample  # noqa: PLC0415 - spares other commands the import

    settings = _settings(ctx)
    with _engine(ctx) as engine:
        if remove:
            typer.echo(f"sample newsroom removed: {sample.remove_demo(engine)} outlets")
            return
        new = sample.load_demo(engine, settings)
        typer.echo(f"sample newsroom loaded: {new} new articles")
        if settings.starter_feeds and sample.online():
            added = sample.subscribe_starter_feeds(engine, settings)
            typer.echo(f"online: subscribed {added} starter feeds (run `tidings refresh --once`)")
        password = sample.demo_password(engine, settings)
    typer.echo(f"sign in at {settings.public_url}/signin as {settings.user!r}, password "
               f"{password!r} (kept in {settings.data_dir / sample.PASSWORD_FILE})")


def _read_input(ctx: typer.Context, target: str) -> tuple[bytes, str, str]:
    """(bytes, url, content type) of a path or an http(s) URL fetched through the guard."""
    if target.startswith(("http://", "https://")):
        with Fetcher(_settings(ctx)) as fetcher:
            result = fetcher.fetch(target)
        return result.content, result.final_url, result.content_type
    return Path(target).read_bytes(), "", ""


def _documents(ctx: typer.Context, targets: list[str], enrich: bool) -> None:
    from tidings import enrich as enrichment  # noqa: PLC0415 - spaCy loads only when asked
    from tidings import extract  # noqa: PLC0415

    failed = 0
    for target in targets:
        try:
            data, url, ctype = _read_input(ctx, target)
            article = extract.extract_document(data, url=url, content_type=ctype, name=target)
        except (OSError, ValueError) as exc:
            err.print(f"[red]{target}:[/red] {exc}")
            failed += 1
            continue
        if enrich:
            article = enrichment.enrich_article(article)
        typer.echo(json.dumps(article_json(article), ensure_ascii=False))
    if failed:
        raise typer.Exit(1)


@app.command()
def extract(ctx: typer.Context, targets: list[str],
            as_json: Annotated[bool, typer.Option("--json")] = True) -> None:
    """Extract the article from pages or page captures (one JSON object per line)."""
    del as_json  # JSON is the only output format so far; the flag keeps scripts explicit
    _documents(ctx, targets, enrich=False)


@app.command()
def analyze(ctx: typer.Context, targets: list[str],
            as_json: Annotated[bool, typer.Option("--json")] = True) -> None:
    """Extract and enrich: entities, quotes, topics, key points, language."""
    del as_json
    _documents(ctx, targets, enrich=True)


def _jsonl_documents(path: Path) -> Iterator[tuple[str, str, str, datetime | None]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
                published = doc.get("published")
                when = datetime.fromisoformat(published) if published else None
                yield str(doc["id"]), doc.get("title") or "", doc.get("text") or "", when
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise ValueError(f"line {number}: not a {{id, title?, text, published?}} "
                                 f"JSON object ({exc})") from exc


@app.command()
def cluster(path: Path) -> None:
    """Group documents into stories: JSONL {id, title?, text, published?} → {id, story}."""
    from tidings.cluster import StreamClusterer  # noqa: PLC0415

    clusterer = StreamClusterer()
    order: list[str] = []
    try:
        docs = list(_jsonl_documents(path))
        vectors = _lead_embeddings([(title, text) for _, title, text, _ in docs])
        for (doc_id, title, text, published), vector in zip(docs, vectors, strict=True):
            clusterer.add(doc_id, title, text, published, embedding=vector)
            order.append(doc_id)
    except (OSError, ValueError) as exc:
        err.print(f"[red]cannot cluster {path}:[/red] {exc}")
        raise typer.Exit(1) from exc
    # Final assignments: a later document may have split or merged an earlier one's story.
    for doc_id in dict.fromkeys(order):
        typer.echo(json.dumps({"id": doc_id, "story": clusterer.stories[doc_id]}))


def _lead_embeddings(docs: list[tuple[str, str]]) -> list[tuple[float, ...]]:
    """Lead embeddings for `cluster` (headline-only items need them), when installed."""
    from tidings.cluster import lead  # noqa: PLC0415
    from tidings.enrich import embeddings  # noqa: PLC0415

    try:
        encoder = embeddings.load_encoder()
    except embeddings.EmbeddingsUnavailable as exc:
        err.print(f"[yellow]note:[/yellow] {exc}; clustering without lead embeddings")
        return [() for _ in docs]
    return [tuple(v.tolist()) for v in encoder.encode([lead(t, x) for t, x in docs])]


app.command("search")(cli_search.search)
app.command("import-page")(cli_search.import_page)
