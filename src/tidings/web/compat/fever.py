"""The Fever API at `/fever/?api` and at `/api/fever.php` (where FreshRSS serves it, so the
address FreshRSS users already type works). api_key = md5("user:app-password"). Thin: groups
are the reader's folders, feeds their subscriptions, marks go through `marks.mark` and
`library.mark_all_read` like every other API. Deviations: README.md beside this file."""

from __future__ import annotations

import zlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Connection

from tidings.extract.urls import web_url
from tidings.models import Subscription, utcnow
from tidings.store import library, sync
from tidings.store.db import transaction
from tidings.web.compat import ids
from tidings.web.compat.auth import fever_reader
from tidings.web.compat.greader_streams import item_html
from tidings.web.compat.ids import BadRequest
from tidings.web.compat.marks import mark
from tidings.web.compat.params import Params, SyncParams
from tidings.web.deps import state

router = APIRouter(include_in_schema=False)
PAGE = 50
ACTIONS = ("groups", "feeds", "favicons", "items", "links", "unread_item_ids",
           "saved_item_ids")


def group_id(folder: str) -> int:
    """A folder's Fever group id: stable while the folder keeps its name (0 is "all")."""
    return zlib.crc32(folder.encode()) & 0x7FFFFFFF or 1


@router.api_route("/fever/", methods=["GET", "POST"])
@router.api_route("/api/fever.php", methods=["GET", "POST"])
def fever(p: SyncParams, request: Request) -> JSONResponse:
    if "api" not in {k for k, _ in p.pairs}:
        raise BadRequest("Fever requests carry ?api")
    with transaction(state(request).engine) as conn:
        user = fever_reader(conn, p.one("api_key", max_chars=200))
        if user is None:
            return JSONResponse({"api_version": 3, "auth": 0}, status_code=401)
        out = _answer(conn, request, p, user.id or 0)
    return JSONResponse(out)


def _answer(conn: Connection, request: Request, p: Params, user_id: int) -> dict[str, Any]:
    newest = sync.newest_arrival(conn, user_id)
    out: dict[str, Any] = {"api_version": 3, "auth": 1,
                           "last_refreshed_on_time": int((newest or utcnow()).timestamp())}
    asked = {k for k, _ in p.pairs}
    if "mark" in asked:
        out |= _mark(conn, request, p, user_id)
    subs = library.list_subscriptions(conn, user_id) if asked & {"groups", "feeds"} else []
    if "groups" in asked:
        folders = sorted({s.folder for s in subs if s.folder})
        out["groups"] = [{"id": group_id(f), "title": f} for f in folders]
    if asked & {"groups", "feeds"}:
        out["feeds_groups"] = _feeds_groups(subs)
    if "feeds" in asked:
        out["feeds"] = [_feed(s) for s in subs]
    if "favicons" in asked:
        out["favicons"] = []
    if "links" in asked:
        out["links"] = []
    if "items" in asked:
        out |= _items(conn, p, user_id)
    if "unread_item_ids" in asked:
        out["unread_item_ids"] = _id_list(sync.all_ids(conn, user_id, read=False))
    if "saved_item_ids" in asked:
        out["saved_item_ids"] = _id_list(sync.all_ids(conn, user_id, starred=True))
    return out


def _id_list(values: list[int]) -> str:
    return ",".join(str(i) for i in values)


def _feeds_groups(subs: list[Subscription]) -> list[dict[str, Any]]:
    groups: dict[str, list[str]] = {}
    for s in subs:
        if s.folder:
            groups.setdefault(s.folder, []).append(str(s.source.id))
    return [{"group_id": group_id(f), "feed_ids": ",".join(v)} for f, v in sorted(groups.items())]


def _feed(s: Subscription) -> dict[str, Any]:
    checked = s.source.last_checked_at
    return {"id": s.source.id, "favicon_id": 0, "title": s.name, "url": s.source.url,
            "site_url": web_url(s.source.site_url), "is_spark": 0,
            "last_updated_on_time": int(checked.timestamp()) if checked else 0}


def _number(p: Params, name: str) -> int | None:
    raw = p.one(name, max_chars=30)
    if raw is None or raw == "":
        return None
    return ids.item_id(raw) if raw != "0" else 0


def _items(conn: Connection, p: Params, user_id: int) -> dict[str, Any]:
    with_ids = p.one("with_ids", max_chars=20 * PAGE)
    if with_ids is not None:
        wanted = [ids.item_id(i) for i in with_ids.split(",") if i.strip()]
        if len(wanted) > PAGE:
            raise BadRequest(f"with_ids: at most {PAGE} ids per request")
    else:
        wanted = sync.fever_page(conn, user_id, since_id=_number(p, "since_id"),
                                 max_id=_number(p, "max_id"), limit=PAGE)
    rows = sync.items(conn, user_id, wanted)
    return {"items": [_item(rows[i]) for i in wanted if i in rows],
            "total_items": sync.count(conn, user_id, sync.StreamQuery())}


def _item(row: Any) -> dict[str, Any]:
    when = row.published_at or row.fetched_at
    return {"id": row.id, "feed_id": row.source_id, "title": row.title, "author": row.byline,
            "html": item_html(row), "url": web_url(row.url) or web_url(row.canonical_url),
            "is_saved": int(bool(row.is_starred)), "is_read": int(bool(row.is_read)),
            "created_on_time": int(when.timestamp())}


MARKS = {"read": {"read": True}, "unread": {"read": False}, "saved": {"starred": True},
         "unsaved": {"starred": False}}


def _mark(conn: Connection, request: Request, p: Params, user_id: int) -> dict[str, Any]:
    what, how = p.need("mark", 10), p.need("as", 10)
    target = p.need("id", 30)
    if what == "item" and how in MARKS:
        mark(conn, state(request).settings, user_id, [ids.item_id(target)], **MARKS[how])
        key = "unread_item_ids" if how in {"read", "unread"} else "saved_item_ids"
        flag = {"read": False} if key == "unread_item_ids" else {"starred": True}
        return {key: _id_list(sync.all_ids(conn, user_id, **flag))}
    if what in {"feed", "group"} and how == "read":
        before = p.one("before", max_chars=30)
        seen_at = ids.timestamp(before, "before") if before else utcnow()
        _mark_all(conn, user_id, what, target, seen_at)
        return {"unread_item_ids": _id_list(sync.all_ids(conn, user_id, read=False))}
    raise BadRequest("mark: item as read|unread|saved|unsaved, or feed|group as read")


def _mark_all(conn: Connection, user_id: int, what: str, target: str, seen_at: Any) -> None:
    if what == "feed":
        source_id = ids.item_id(target)
        library.get_subscription(conn, user_id, source_id)
        library.mark_all_read(conn, user_id, seen_at, source_id=source_id)
        return
    if target.strip() in {"0", "-1"}:
        library.mark_all_read(conn, user_id, seen_at)  # Kindling / Sparks: everything
        return
    gid = ids.item_id(target)
    folders = {group_id(s.folder): s.folder for s in library.list_subscriptions(conn, user_id)
               if s.folder}
    if gid not in folders:
        raise BadRequest(f"no group with id {gid}")
    library.mark_all_read(conn, user_id, seen_at, folder=folders[gid])
