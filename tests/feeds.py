"""Small feeds written for these tests (synthetic text, not third-party)."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime

from tidings.models import utcnow


def rss(title: str, items: list[tuple[str, str, str]], *, start: datetime | None = None) -> bytes:
    """An RSS 2.0 feed; items are (guid, title, body paragraph)."""
    start = start or utcnow() - timedelta(hours=1)
    parts = []
    for n, (guid, item_title, body) in enumerate(items):
        when = format_datetime(start - timedelta(minutes=10 * n))
        parts.append(
            f"<item><guid>{guid}</guid><title>{item_title}</title>"
            f"<link>https://news.example.com/{guid}?utm_source=rss</link>"
            f"<pubDate>{when}</pubDate>"
            f"<description><![CDATA[<p>{body}</p><p>{body} More detail follows here.</p>]]>"
            f"</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://news.example.com/</link>"
        f"{''.join(parts)}</channel></rss>"
    ).encode()


HARBOUR = [
    ("h1", "Harbour bridge closes for repairs",
     "The old harbour bridge in Port Elnor closed on Monday for six weeks of repairs to its "
     "steel deck, the city works department said."),
    ("h2", "Library extends opening hours",
     "The central library in Port Elnor will open until 10pm on weekdays from December, "
     "after a petition signed by 4,000 residents."),
    ("h3", "Ferry fares to rise in spring",
     "Fares on the island ferry will rise by eight percent in March, the operator Blue Tern "
     "Lines announced, citing higher fuel costs."),
]
