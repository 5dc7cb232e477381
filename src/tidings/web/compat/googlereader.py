"""The Google Reader API, as Miniflux and FreshRSS serve it to apps: sign-in, subscriptions,
folders (labels), unread counts and marks. Streams and items are in `greader_streams`.
Every route translates into the store calls the JSON API makes; see README.md beside this
file for where we differ from the protocol."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from tidings import pipeline
from tidings.models import utcnow
from tidings.store import library, sync
from tidings.store.db import transaction
from tidings.web.compat import ids
from tidings.web.compat.auth import SyncReader, SyncReaderAlone, client_login
from tidings.web.compat.ids import FOR_YOU, HEADLINES, LABEL, STATE, BadRequest
from tidings.web.compat.marks import mark
from tidings.web.compat.params import Params, SyncParams
from tidings.web.deps import Conn, state, uid

router = APIRouter(include_in_schema=False)
API = "/reader/api/0"


def ok() -> Response:
    return PlainTextResponse("OK")


@router.api_route("/accounts/ClientLogin", methods=["GET", "POST"])
def client_login_route(p: SyncParams, request: Request) -> Response:
    name, password = p.one("Email", "", 200) or "", p.one("Passwd", "", 1000) or ""
    with transaction(state(request).engine) as conn:
        secret = client_login(conn, request, name, password)
    if p.one("output") == "json":
        return JSONResponse({"SID": secret, "LSID": secret, "Auth": secret})
    return PlainTextResponse(f"SID={secret}\nLSID={secret}\nAuth={secret}\n")


@router.api_route(f"{API}/token", methods=["GET", "POST"])
def edit_token(user: SyncReader) -> Response:
    """An edit token for `T`. Requests carry the Auth header, which no other site can make a
    browser send, so `T` is accepted whatever it is (some apps send it empty)."""
    return PlainTextResponse(f"tidings-{user.id}")


@router.get(f"{API}/user-info")
def user_info(user: SyncReader) -> dict[str, Any]:
    return {"userId": str(user.id), "userName": user.name, "userProfileId": str(user.id),
            "userEmail": "", "isBloggerUser": False, "signupTimeSec": 0,
            "isMultiLoginEnabled": False}


@router.get(f"{API}/tag/list")
def tag_list(user: SyncReader, conn: Conn) -> dict[str, Any]:
    folders = sorted({s.folder for s in library.list_subscriptions(conn, uid(user)) if s.folder})
    tags: list[dict[str, Any]] = [{"id": f"{STATE}starred"}]
    tags += [{"id": f"{LABEL}{f}", "label": f, "type": "folder"} for f in folders]
    tags += [{"id": f"{LABEL}{t}", "label": t, "type": "tag"} for t in (FOR_YOU, HEADLINES)]
    return {"tags": tags}


@router.get(f"{API}/subscription/list")
def subscription_list(user: SyncReader, conn: Conn) -> dict[str, Any]:
    return {"subscriptions": [
        {"id": f"feed/{s.source.id}", "title": s.name, "url": s.source.url,
         "htmlUrl": s.source.site_url or s.source.url, "iconUrl": "",
         "categories": [{"id": f"{LABEL}{s.folder}", "label": s.folder}] if s.folder else []}
        for s in library.list_subscriptions(conn, uid(user))]}


@router.get(f"{API}/unread-count")
def unread_count(user: SyncReader, conn: Conn) -> dict[str, Any]:
    summary = sync.unread_summary(conn, uid(user))
    folders: dict[str, list[tuple[int, Any]]] = {}
    rows = []
    for sub in library.list_subscriptions(conn, uid(user)):
        n, newest = summary.get(sub.source.id or 0, (0, None))
        rows.append(_count(f"feed/{sub.source.id}", n, newest))
        if sub.folder:
            folders.setdefault(sub.folder, []).append((n, newest))
    everything = list(summary.values())
    for name, counts in sorted(folders.items()):
        rows.append(_folder_count(f"{LABEL}{name}", counts))
    rows.append(_folder_count(f"{STATE}reading-list", everything))
    return {"max": 10000, "unreadcounts": rows}


def _count(stream_id: str, n: int, newest: Any) -> dict[str, Any]:
    return {"id": stream_id, "count": n, "newestItemTimestampUsec": str(ids.usec(newest))}


def _folder_count(stream_id: str, counts: list[tuple[int, Any]]) -> dict[str, Any]:
    newest = max((w for n, w in counts if n and w is not None), default=None)
    return _count(stream_id, sum(n for n, _ in counts), newest)


@router.post(f"{API}/subscription/edit")
def subscription_edit(p: SyncParams, request: Request, user: SyncReaderAlone) -> Response:
    action = p.need("ac", 20)
    streams = [ids.stream(s, allow_url=action == "subscribe") for s in p.many("s", 100)]
    if not streams:
        raise BadRequest("missing parameter s (feed/<id>, or feed/<url> to subscribe)")
    if action == "subscribe":
        add = p.one("a")
        for s in streams:
            _subscribe(request, uid(user), s, p.one("t", "", 500) or "",
                       ids.label_of(add) if add else "")
        return ok()
    with transaction(state(request).engine) as conn:
        for s in streams:
            if s.kind != "feed" or s.source_id is None:
                raise BadRequest(f"{action}: s must be feed/<id> of one of your subscriptions")
            _edit(conn, uid(user), s.source_id, action, p)
    return ok()


def _edit(conn: Any, user_id: int, source_id: int, action: str, p: Params) -> None:
    title, add, remove = p.one("t", max_chars=500), p.one("a"), p.one("r")
    if action == "unsubscribe":
        library.unsubscribe(conn, user_id, source_id)
        return
    if action != "edit":
        raise BadRequest(f"ac must be subscribe, unsubscribe or edit, not {action[:20]!r}")
    changes: dict[str, Any] = {}
    if title is not None:
        if not title.strip():
            raise BadRequest("t: a title cannot be blank")
        changes["title"] = title.strip()
    if add:
        changes["folder"] = ids.label_of(add)
    elif remove:
        ids.label_of(remove)
        changes["folder"] = ""
    if not changes:
        raise BadRequest("edit: give t (a new title), a (a folder to move to) or r")
    library.update_subscription(conn, user_id, source_id, **changes)


def _subscribe(request: Request, user_id: int, s: ids.Stream, title: str, folder: str) -> Any:
    if s.kind != "subscribe" or not s.url:
        raise BadRequest("subscribe: s must be feed/<the feed's URL>")
    try:
        sub, _ = pipeline.subscribe(state(request).engine, s.url, settings=state(request).settings,
                                    user_id=user_id, title=title, folder=folder)
    except ValueError as exc:  # FetchError, FeedError: nothing usable there, nothing stored
        raise HTTPException(422, f"cannot subscribe to {s.url[:200]}: {exc}") from exc
    return sub


@router.post(f"{API}/subscription/quickadd")
def quickadd(p: SyncParams, request: Request, user: SyncReaderAlone) -> dict[str, Any]:
    url = p.need("quickadd").strip()
    url = url.removeprefix("feed/")
    sub = _subscribe(request, uid(user), ids.Stream("subscribe", url=url), "", "")
    return {"query": url, "numResults": 1, "streamId": f"feed/{sub.source.id}",
            "streamName": sub.name}


@router.post(f"{API}/rename-tag")
def rename_tag(p: SyncParams, user: SyncReader, conn: Conn) -> Response:
    old = ids.label_of(p.need("s"))
    new = ids.label_of(p.need("dest"))
    library.rename_folder(conn, uid(user), old, new)
    return ok()


@router.post(f"{API}/disable-tag")
def disable_tag(p: SyncParams, user: SyncReader, conn: Conn) -> Response:
    """A folder removed in the app: its subscriptions stay, outside any folder."""
    library.rename_folder(conn, uid(user), ids.label_of(p.need("s")), "")
    return ok()


@router.post(f"{API}/edit-tag")
def edit_tag(p: SyncParams, request: Request, user: SyncReader, conn: Conn) -> Response:
    """Read, starred and kept-unread on items (`user/<n>/…` as `user/-/…`); a tag that is
    not kept is a 400 and nothing is marked, and so is a tag both added and removed."""
    items = [ids.item_id(i) for i in p.many("i")]
    if not items:
        raise BadRequest("missing parameter i (one or more item ids)")
    tags_added, tags_removed = p.many("a", 20), p.many("r", 20)
    if not tags_added and not tags_removed:
        raise BadRequest("give a tag to add (a) or remove (r)")
    add = {s for t in tags_added if (s := ids.item_state(t))}
    remove = {s for t in tags_removed if (s := ids.item_state(t))}
    if add & remove or {"read", "kept-unread"} <= add:
        clash = add & remove or {"read", "kept-unread"}
        raise BadRequest(f"{', '.join(sorted(clash))}: these tags contradict each other")
    read = True if "read" in add else False if "read" in remove or "kept-unread" in add \
        else None
    starred = True if "starred" in add else False if "starred" in remove else None
    mark(conn, state(request).settings, uid(user), items, read=read, starred=starred)
    return ok()


@router.post(f"{API}/mark-all-as-read")
def mark_all_as_read(p: SyncParams, user: SyncReader, conn: Conn) -> Response:
    """Everything in the stream that had arrived by `ts` (default: now) is read; later
    arrivals stay unread."""
    s = ids.stream(p.need("s"))
    raw_ts = p.one("ts", max_chars=30)
    seen_at = ids.timestamp(raw_ts, "ts") if raw_ts else utcnow()
    if s.kind == "feed" and s.source_id is not None:
        library.get_subscription(conn, uid(user), s.source_id)
        library.mark_all_read(conn, uid(user), seen_at, source_id=s.source_id)
    elif s.kind == "label":
        library.mark_all_read(conn, uid(user), seen_at, folder=s.label)
    elif s.kind == "all":
        library.mark_all_read(conn, uid(user), seen_at)
    else:
        raise BadRequest("mark-all-as-read: s must be the reading list, a feed or a folder")
    return ok()
