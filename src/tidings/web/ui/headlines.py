"""/headlines: the reader's stories by coverage (how many outlets, how fast), not by what the
reader likes; what they hid, muted or blocked with a rule stays out. The same ranking as
`GET /api/v1/feed?view=headlines`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tidings.rank.feed import feed_for_user
from tidings.web.deps import Conn, uid
from tidings.web.deps import Reader as Signed
from tidings.web.ui.render import page

router = APIRouter()
LIMIT = 30


@router.get("/headlines", response_class=HTMLResponse)
def headlines_page(request: Request, conn: Conn, user: Signed) -> HTMLResponse:
    """Not personalised: the most widely covered of your stories first."""
    return page(request, conn, "headlines.html", user,
                items=feed_for_user(conn, uid(user), limit=LIMIT, view="headlines"))
