"""The reading pages: the ranked feed, a story's briefing, an article, an entity, and what
the reader follows; hiding and feedback with undo; the colour theme and the sample note."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tidings.models import Follow, InteractionKind, TargetKind
from tidings.rank.feed import feed_for_user
from tidings.store import entities as entity_store
from tidings.store import library, reading
from tidings.store import stories as story_store
from tidings.store import users as user_store
from tidings.web.api import feedback
from tidings.web.api.shapes import Id
from tidings.web.deps import Conn, Reader, uid, writes
from tidings.web.guards import SafeText
from tidings.web.ui.briefing import brief
from tidings.web.ui.render import SAMPLE_COOKIE, THEME_COOKIE, THEMES, follow_index, local, page

router = APIRouter()
PER_PAGE = 30
MAX_PAGES = 20
Back = Annotated[SafeText, Form(max_length=300)]
FEEDBACK = {"more": InteractionKind.LIKE, "less": InteractionKind.DISLIKE,
            "hide": InteractionKind.HIDE}
YEAR_S = 365 * 24 * 3600


def _after(back: str, default: str, done: str = "", story: int = 0) -> Response:
    target, _, item = local(back, default).partition("#")  # the item keyboard users were on
    if done:
        target += f"{'&' if '?' in target else '?'}done={done}&story={story}"
    return RedirectResponse(target + (f"#{item}" if item else ""), status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, conn: Conn, user: Reader, p: int = 1) -> HTMLResponse:
    page_no = min(max(p, 1), MAX_PAGES)
    ranked = feed_for_user(conn, uid(user), limit=PER_PAGE * page_no + 1)
    items = ranked[PER_PAGE * (page_no - 1): PER_PAGE * page_no]
    marks = library.states(conn, uid(user), [i.lead.id or 0 for i in items])
    starred = {aid: m.starred for aid, m in marks.items()}
    prev = ("/" if page_no == 2 else f"/?p={page_no - 1}") if page_no > 1 else ""
    more = f"/?p={page_no + 1}" if page_no < MAX_PAGES and len(ranked) > PER_PAGE * page_no else ""
    return page(request, conn, "feed.html", user, items=items, starred=starred,
                page_no=page_no, per_page=PER_PAGE, prev=prev, next=more)


@router.post("/stories/{story_id}/hide")
def hide_story(story_id: Id, conn: Conn, user: Reader, back: Back = "/") -> Response:
    reading.visible_story_articles(conn, uid(user), story_id)
    feedback.give(conn, uid(user), InteractionKind.HIDE, story_id=story_id)
    return _after(back, "/", "hide", story_id)


@router.post("/stories/{story_id}/feedback")
def story_feedback(story_id: Id, conn: Conn, user: Reader, *,
                   kind: Annotated[Literal["more", "less"], Form()],
                   back: Back = "/") -> Response:
    """More or fewer stories like this one (a like or dislike the ranker learns from)."""
    reading.visible_story_articles(conn, uid(user), story_id)
    feedback.give(conn, uid(user), FEEDBACK[kind], story_id=story_id)
    return _after(back, "/", kind, story_id)


@router.post("/stories/{story_id}/undo")
def undo_story(story_id: Id, conn: Conn, user: Reader, *,
               kind: Annotated[Literal["hide", "more", "less"], Form()],
               back: Back = "/") -> Response:
    reading.visible_story_articles(conn, uid(user), story_id)
    feedback.take_back_story(conn, uid(user), FEEDBACK[kind], story_id)
    return _after(back, "/")


@router.post("/stories/{story_id}/state")
def story_state(story_id: Id, conn: Conn, user: Reader, *,
                read: Annotated[bool, Form()], back: Back = "/") -> Response:
    """Mark every article of the story read (or unread again)."""
    arts = reading.visible_story_articles(conn, uid(user), story_id)
    library.set_state(conn, uid(user), [a.id or 0 for a in arts], read=read)
    return _after(back, "/")


@router.get("/stories/{story_id}", response_class=HTMLResponse)
@writes  # opening a story marks it read
def story_page(story_id: Id, request: Request, conn: Conn, user: Reader) -> HTMLResponse:
    """The story as a briefing; opening it marks its articles read, and what joined since
    the reader last read it is marked new and listed first."""
    arts = reading.visible_story_articles(conn, uid(user), story_id)
    story = story_store.get_story(conn, story_id)
    new = reading.new_since_read(conn, uid(user), story_id)
    ids = [a.id or 0 for a in arts]
    library.set_state(conn, uid(user), ids, read=True)
    feedback.give(conn, uid(user), InteractionKind.OPEN, story_id=story_id)
    outlets = library.source_names(conn, uid(user))
    briefing = brief(arts, entity_store.entities_of(conn, ids),
                     {i: entity_store.quotes_of(conn, i) for i in ids}, outlets)
    return page(request, conn, "story.html", user, story=story, briefing=briefing,
                outlets=outlets, new=new, follows=follow_index(conn, uid(user)),
                fresh=[a for a in reversed(briefing.timeline) if a.id in new])


@router.get("/articles/{article_id}", response_class=HTMLResponse)
@writes  # opening an article marks it read
def article_page(article_id: Id, request: Request, conn: Conn, user: Reader) -> HTMLResponse:
    article = reading.visible_article(conn, uid(user), article_id)
    entities = entity_store.entities_of(conn, [article_id])[article_id]
    quotes = entity_store.quotes_of(conn, article_id)
    outlet = library.source_names(conn, uid(user)).get(article.source_id or 0, "")
    library.set_state(conn, uid(user), [article_id], read=True)
    mark = library.states(conn, uid(user), [article_id])[article_id]
    # Extractive key points are sentences of the body: above it they would only repeat it.
    points = [p for p in article.key_points if p not in article.text]
    return page(request, conn, "article.html", user, article=article, entities=entities,
                quotes=quotes, outlet=outlet, points=points, mark=mark,
                follows=follow_index(conn, uid(user)))


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(entity_id: Id, request: Request, conn: Conn, user: Reader) -> HTMLResponse:
    ids = reading.stories_visible_with(conn, uid(user), entity_id)
    if not ids:
        raise entity_store.UnknownEntity(f"no entity with id {entity_id}")
    entity = entity_store.get_entity(conn, entity_id)
    return page(request, conn, "entity.html", user, entity=entity,
                stories=story_store.stories_by_id(conn, ids),
                follows=follow_index(conn, uid(user)))


@router.get("/follows", response_class=HTMLResponse)
def follows_page(request: Request, conn: Conn, user: Reader) -> HTMLResponse:
    return page(request, conn, "follows.html", user,
                follows=user_store.list_follows(conn, uid(user)),
                kinds=[str(k) for k in TargetKind])


@router.post("/follows")
def add_follow(conn: Conn, user: Reader, *,
               kind: Annotated[TargetKind, Form()],
               target: Annotated[SafeText, Form(min_length=1, max_length=200)],
               muted: Annotated[bool, Form()] = False,
               back: Back = "/follows") -> Response:
    try:
        target = user_store.follow_target(target)
    except user_store.BlankTarget as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    user_store.set_follow(conn, Follow(uid(user), kind, target, muted=muted))
    return _after(back, "/follows")


@router.post("/follows/{follow_id}/delete")
def remove_follow(follow_id: Id, conn: Conn, user: Reader, back: Back = "/follows") -> Response:
    user_store.delete_follow(conn, uid(user), follow_id)
    return _after(back, "/follows")


@router.post("/theme")
def choose_theme(theme: Annotated[str, Form(max_length=10)], back: Back = "/") -> Response:
    """Light, dark, or the system's choice (`prefers-color-scheme`); kept in a cookie."""
    answer = _after(back, "/")
    answer.set_cookie(THEME_COOKIE, theme if theme in THEMES else "auto", max_age=YEAR_S,
                      httponly=True, samesite="lax")
    return answer


@router.post("/sample-banner")
def dismiss_sample_banner(back: Back = "/") -> Response:
    answer = _after(back, "/")
    answer.set_cookie(SAMPLE_COOKIE, "hidden", max_age=YEAR_S, httponly=True, samesite="lax")
    return answer
