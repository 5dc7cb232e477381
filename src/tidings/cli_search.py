"""`tidings search` and `tidings import-page`: find things in a reader's library from the
shell, and keep pages and page captures as articles of their own "Saved pages" source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.engine import Connection

from tidings import pipeline
from tidings.cli_accounts import resolve_user
from tidings.config import Settings
from tidings.fetch import Fetcher
from tidings.models import Source, SourceKind, utcnow
from tidings.search import SearchError, parse
from tidings.search.snippet import to_text
from tidings.store import library
from tidings.store import search as search_store
from tidings.store import sources as source_store
from tidings.store.db import make_engine, migrate, transaction

err = Console(stderr=True)
UserOption = Annotated[str | None, typer.Option(
    "--user", help="Whose library (may be left out when there is one account).")]
SAVED_PAGES = "Saved pages"


def search(ctx: typer.Context, query: str, *, user: UserOption = None,
           as_json: Annotated[bool, typer.Option("--json")] = True,
           group: Annotated[str, typer.Option(help="articles or stories")] = "articles",
           order: Annotated[str, typer.Option(help="newest or relevant")] = "newest",
           limit: Annotated[int, typer.Option(min=1, max=1000)] = 20) -> None:
    """Search a reader's subscriptions: one JSON line per result (title, url, story, snippet)."""
    del as_json  # JSON lines are the only output format; the flag keeps scripts explicit
    if group not in {"articles", "stories"} or order not in {"newest", "relevant"}:
        err.print("[red]--group is articles or stories; --order is newest or relevant[/red]")
        raise typer.Exit(2)
    settings: Settings = ctx.obj
    engine = make_engine(settings.effective_database_url)
    try:
        migrate(engine)
        with transaction(engine) as conn:
            reader = resolve_user(conn, user)
            page = search_store.search(conn, reader.id or 0, parse(query, now=utcnow()),
                                       group=group, order=order, limit=limit)  # type: ignore[arg-type]
    except SearchError as exc:
        err.print(f"[red]cannot search:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    for hit in page.hits:
        a = hit.article
        typer.echo(json.dumps({"id": a.id, "title": a.title, "url": a.url, "story": a.story_id,
                               "published": a.published_at.isoformat() if a.published_at
                               else None, "matched": hit.matched,
                               "snippet": to_text(hit.snippet)}, ensure_ascii=False))


def saved_pages_source(conn: Connection, user_id: int) -> Source:
    """The reader's own "Saved pages" source (never fetched: it is not a feed)."""
    source, _ = source_store.add_source(conn, Source(
        url=f"tidings:saved-pages/{user_id}", title=SAVED_PAGES, kind=SourceKind.PAGE))
    library.subscribe(conn, user_id, source.id or 0)
    return source


def _read(settings: Settings, target: str) -> tuple[bytes, str]:
    if target.startswith(("http://", "https://")):
        with Fetcher(settings) as fetcher:
            result = fetcher.fetch(target)
        return result.content, result.final_url
    return Path(target).read_bytes(), ""


def import_page(ctx: typer.Context, targets: list[str], *, user: UserOption = None) -> None:
    """Keep pages or page captures (paths or URLs) as searchable articles of your own
    "Saved pages" source: extracted, enriched and placed in stories like any article."""
    settings: Settings = ctx.obj
    engine = make_engine(settings.effective_database_url)
    failed = 0
    try:
        migrate(engine)
        with transaction(engine) as conn:
            source = saved_pages_source(conn, resolve_user(conn, user).id or 0)
        for target in targets:
            try:
                data, url = _read(settings, target)
                stored = pipeline.ingest_document(engine, data, source=source, url=url,
                                                  name=target)
            except (OSError, ValueError) as exc:
                err.print(f"[red]{target}:[/red] {exc}", highlight=False)
                failed += 1
                continue
            typer.echo(f"{target}: " + (f"stored as article {stored}" if stored
                                        else "already saved"))
    finally:
        engine.dispose()
    if failed:
        raise typer.Exit(1)
