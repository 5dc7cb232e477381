"""Feed entries → Article: whatever text a feed gives is kept, in HTML or plain text."""

from __future__ import annotations

import pytest

from tidings.extract.entry import article_from_entry
from tidings.models import Entry

PARAGRAPH = ("The harbour bridge in Port Elnor closed on Monday for six weeks of repairs to "
             "its steel deck, the works department said.")


@pytest.mark.parametrize(("summary", "expected"), [
    (f"<p>{PARAGRAPH}</p>", PARAGRAPH),
    ("<p>Short teaser.</p>", "Short teaser."),
    (f"<p>{PARAGRAPH}</p><p>Tolls are waived.</p>", f"{PARAGRAPH}\n\nTolls are waived."),
    ("a < b and c > d, said the maths teacher.", "a < b and c > d, said the maths teacher."),
    (f"<div><b>Update:</b> {PARAGRAPH}</div>", f"Update: {PARAGRAPH}"),
])
def test_short_entries_keep_their_text(summary: str, expected: str) -> None:
    article = article_from_entry(Entry(title="Bridge closes", summary=summary))
    assert article.text == expected
    assert article.warning is None
    assert "<script" not in article.html and article.html.startswith("<p>")


def test_entry_metadata_wins_over_what_the_cleaner_guesses() -> None:
    entry = Entry(title="Bridge closes", author="Ana Ruiz", tags=["Transport", "City"],
                  url="https://news.example/bridge", guid="g-1",
                  content_html=f"<p>{PARAGRAPH}</p>")
    article = article_from_entry(entry)
    assert (article.title, article.byline, article.topic_label, article.guid) == (
        "Bridge closes", "Ana Ruiz", "Transport", "g-1")


def test_a_plain_text_page_dump_goes_through_the_capture_cleaner() -> None:
    dump = "\n".join([
        "Advertisement", "Transport", "Subscribe to our newsletter", "Learn more",
        "Bridge closes for six weeks", "",
        PARAGRAPH, "",
        "02:10", "Bridge works explained", "Bridge works explained", "",
        "Drivers are asked to use the ring road, and buses will divert via Quay Street "
        "until the works finish in the middle of January.", "", "87",
    ])
    article = article_from_entry(Entry(title="Bridge closes", summary=dump))
    assert article.text.startswith(PARAGRAPH)
    assert article.text.endswith("middle of January.")
    for chrome in ("Advertisement", "Subscribe", "Learn more", "02:10", "87"):
        assert chrome not in article.text
