"""In-body images survive extraction and the sanitizer; pixels, data: URIs and the page's
other pictures (lead image, portraits, teaser thumbnails) do not."""

from __future__ import annotations

import re

from tidings.extract import extract_html
from tidings.extract.images import MAX_IMAGES

PARAS = [
    "The river authority opened the new flood gates on Thursday morning, two years after the "
    "spring floods that closed the lower town for most of a month.",
    "Engineers tested each of the six gates against a simulated surge before the opening, and "
    "the authority said the barrier would be checked again before every winter.",
    "Residents of the lower town said they were relieved, though several shop owners asked "
    "why the insurance premiums on their buildings had not come down yet.",
    "The authority will publish the full test results next month, together with a plan for "
    "the second barrier further upstream that is due to be built by the end of the decade.",
]


def page(middle: str = "", top: str = "", bottom: str = "") -> str:
    body = "".join(f"<p>{p}</p>{middle if i == 1 else ''}" for i, p in enumerate(PARAS))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Flood gates open</title>
<meta property="og:image" content="https://news.example/img/lead.jpg"></head><body>
<header><img src="/logo.png" alt="News" width="120" height="40"></header>
<article><h1>Flood gates open</h1>{top}
<figure><img src="https://news.example/img/lead.jpg"><figcaption>The gates.</figcaption></figure>
{body}</article>
<aside><img src="/thumbs/other-story.jpg" width="200"><a href="/b">Another story</a></aside>
{bottom}</body></html>"""


def images(html: str) -> list[str]:
    return re.findall(r'<img [^>]*src="([^"]+)"', html)


def test_inline_figures_keep_their_place_and_caption() -> None:
    middle = ('<figure><img src="/img/gate-one.jpg" alt="Gate one" width="800" height="450"'
              ' onerror="steal()" class="wide"><figcaption>Gate one rises during the test.'
              '</figcaption></figure>'
              '<p><img data-src="/img/crowd.jpg" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="'
              ' alt="The crowd"></p>')
    article = extract_html(page(middle), url="https://news.example/2024/gates")
    assert article.text.split("\n\n")[:len(PARAS)] == PARAS  # the text is untouched
    assert images(article.html) == ["https://news.example/img/gate-one.jpg",
                                    "https://news.example/img/crowd.jpg"]
    second, third = article.html.index(PARAS[1][:30]), article.html.index(PARAS[2][:30])
    assert second < article.html.index("gate-one.jpg") < third
    assert "<figcaption>Gate one rises during the test.</figcaption>" in article.html
    assert 'width="800"' in article.html and 'height="450"' in article.html
    assert 'alt="Gate one"' in article.html
    assert 'loading="lazy"' in article.html and 'referrerpolicy="no-referrer"' in article.html
    assert "onerror" not in article.html and "class=" not in article.html
    assert "data:" not in article.html


def test_pixels_data_uris_and_unsafe_schemes_are_dropped() -> None:
    middle = ('<img src="https://news.example/p.gif" width="1" height="1">'
              '<img src="https://pixel.wp.com/b.gif?host=news.example">'
              '<img src="data:image/png;base64,iVBORw0KGgo=">'
              '<img src="javascript:alert(1)">'
              '<img src="/img/kept.jpg" alt="">')
    article = extract_html(page(middle), url="https://news.example/2024/gates")
    assert images(article.html) == ["https://news.example/img/kept.jpg"]


def test_pictures_outside_the_text_stay_out() -> None:
    article = extract_html(page(bottom='<footer><img src="/badge.png"></footer>'),
                           url="https://news.example/2024/gates")
    assert images(article.html) == []  # logo, lead (shown apart), thumbnail, footer badge
    assert article.lead_image == "https://news.example/img/lead.jpg"


def test_an_image_page_of_thousands_keeps_at_most_the_cap() -> None:
    middle = "".join(f'<img src="/img/{n}.jpg" alt="">' for n in range(300))
    article = extract_html(page(middle), url="https://news.example/2024/gates")
    assert len(images(article.html)) == MAX_IMAGES
    assert article.text.split("\n\n")[:len(PARAS)] == PARAS

