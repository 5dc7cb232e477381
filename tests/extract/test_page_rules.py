"""HTML clean-up rules on pages written for these tests: comments, linked paragraphs, credits."""

from __future__ import annotations

from tidings.extract import extract_html
from tidings.extract.limits import slim_html

PROSE = [
    "The harbour board voted on Thursday to keep the night ferry running through the winter, "
    "reversing a decision it took in the spring after fuel costs rose by a third.",
    "Board members said the service was a lifeline for shift workers at the hospital and the "
    "container terminal, and that the subsidy would be reviewed again in March.",
    "The operator said it would add a second crossing on Friday and Saturday nights from "
    "December, when the timetable changes and the new berth at the terminal opens.",
    "Passenger groups welcomed the vote but said fares on the late sailings were still too "
    "high for the people who depend on them most, and asked for a cheaper night ticket.",
]


def _page(body: str, title: str = "Night ferry saved for the winter") -> str:
    return (f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<main><article><h1>{title}</h1>{body}</article></main>"
            f"<footer><p>© Harbour Courier</p></footer></body></html>")


def _react(paragraph: str) -> str:
    """The paragraph as React renders it: a comment between every text node."""
    words = paragraph.split(" ")
    return "<p>" + "<!-- --> ".join(words[:6]) + " " + "<!-- -->".join(
        f"{w} " for w in words[6:]).rstrip() + "</p>"


def test_text_after_html_comments_is_kept_without_extra_spaces() -> None:
    body = "".join(_react(p) for p in PROSE)
    body += "<p>Tickets cost £<!-- -->5<!-- -->.<!-- -->50 each way on the late sailings.</p>"
    article = extract_html(_page(body))
    assert article.text.split("\n\n")[:4] == PROSE
    assert "Tickets cost £5.50 each way" in article.text
    assert "<!--" not in article.html


def test_comments_go_without_a_trace_on_pages_slimmed_for_size() -> None:
    body = "".join(_react(p) for p in PROSE)
    body += "<p>Tickets cost £<!-- -->5<!-- -->.<!-- -->50 each way on the late sailings.</p>"
    slim = slim_html(_page(body))
    assert "Tickets cost £5.50 each way" in slim and "<!--" not in slim
    assert all(p in slim for p in PROSE)


def test_a_lone_linked_heading_and_an_anchor_heading_stay() -> None:
    body = (f"<p>{PROSE[0]}</p><h2><a href='/topics/ferries'>What the vote means for night "
            f"passengers</a></h2><p>{PROSE[1]}</p>"
            f"<p>{PROSE[2]}</p><h2><a href='#fares'>Fares on the late sailings</a></h2>"
            f"<p>{PROSE[3]}</p>")
    text = extract_html(_page(body), url="https://news.example.org/ferry").text
    assert "What the vote means for night passengers" in text
    assert "Fares on the late sailings" in text


def test_a_run_of_one_link_paragraphs_is_teasers_for_other_stories() -> None:
    teasers = ["Bridge closures leave commuters facing long detours",
               "Council backs river ferry expansion to three new stops"]
    links = "".join(f"<p><a href='/news/{i}'>{t}</a></p>" for i, t in enumerate(teasers))
    body = "".join(f"<p>{p}</p>" for p in PROSE[:2]) + links + "".join(
        f"<p>{p}</p>" for p in PROSE[2:])
    article = extract_html(_page(body))
    assert article.text.split("\n\n") == PROSE
    assert all(t in article.related for t in teasers)


def test_a_graphic_pointer_in_the_prose_is_not_a_caption() -> None:
    pointer = ("Night crossings carried 41,000 people last year, up from 29,000 the year "
               "before (Graphic: crossings by month)")
    body = f"<p>{PROSE[0]}</p><p>{pointer}</p><p>{PROSE[1]}</p><p>{PROSE[2]}</p>"
    article = extract_html(_page(body))
    assert pointer in article.text
    assert pointer not in article.captions


def test_a_photo_credit_line_in_the_body_is_still_a_caption() -> None:
    caption = "The night ferry leaves the northern berth at dusk. Photo: Ana Ruiz/AFP"
    body = f"<p>{PROSE[0]}</p><p>{caption}</p><p>{PROSE[1]}</p><p>{PROSE[2]}</p>"
    article = extract_html(_page(body))
    assert caption not in article.text
    assert caption in article.captions
