"""The one allow-list: what may reach a reader's browser from someone else's page."""

from __future__ import annotations

from tidings.extract import sanitize_html, text_to_html

BASE = "https://news.example/world/2024/story.html"


def test_scripts_styles_frames_and_handlers_are_removed() -> None:
    dirty = (
        '<p onclick="steal()" style="color:red">Hello<script>alert(1)</script></p>'
        "<style>p{display:none}</style><iframe src='https://evil.example'>x</iframe>"
        '<img src="a.png" onerror="steal()"><form><input name=q></form>'
        '<svg><script>alert(2)</script></svg>'
    )
    clean = sanitize_html(dirty, base_url=BASE)
    for banned in ("script", "alert", "style", "iframe", "onclick", "onerror", "form",
                   "input", "svg", "evil.example"):
        assert banned not in clean
    assert "<p>Hello</p>" in clean
    image = clean.split("<img", 1)[1].split(">", 1)[0]  # attribute order is nh3's
    assert sorted(image.split()) == ['decoding="async"', 'loading="lazy"',
                                     'referrerpolicy="no-referrer"',
                                     'src="https://news.example/world/2024/a.png"']


def test_links_are_absolute_and_get_rel() -> None:
    clean = sanitize_html('<a href="../other.html">x</a> <a href="//cdn.example/y">y</a>',
                          base_url=BASE)
    assert 'href="https://news.example/world/other.html"' in clean
    assert 'href="https://cdn.example/y"' in clean
    assert clean.count('rel="noopener noreferrer nofollow"') == 2


def test_dangerous_url_schemes_are_dropped() -> None:
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>",
                "vbscript:msgbox(1)"):
        clean = sanitize_html(f'<a href="{url}">x</a>', base_url=BASE)
        assert "href" not in clean, url


def test_relative_link_without_base_is_dropped_not_kept() -> None:
    assert "href" not in sanitize_html('<a href="/login">x</a>')


def test_text_to_html_escapes_and_splits_paragraphs() -> None:
    html = text_to_html("Tom & Jerry <3\nsecond line\n\nNext <b>para</b>")
    assert html == ("<p>Tom &amp; Jerry &lt;3<br>second line</p>\n"
                    "<p>Next &lt;b&gt;para&lt;/b&gt;</p>")
    assert sanitize_html(html) == html


def test_images_are_kept_lazy_and_without_referrer() -> None:
    clean = sanitize_html('<figure><img src="/img/harbour.jpg" alt="The harbour" width="800"'
                          ' height="533" loading="eager" referrerpolicy="unsafe-url">'
                          "<figcaption>The harbour at dawn</figcaption></figure>",
                          base_url=BASE)
    assert 'src="https://news.example/img/harbour.jpg"' in clean
    assert 'alt="The harbour"' in clean and 'width="800"' in clean
    assert 'loading="lazy"' in clean and 'referrerpolicy="no-referrer"' in clean
    assert "eager" not in clean and "unsafe-url" not in clean
    assert "<figcaption>The harbour at dawn</figcaption>" in clean


def test_tracking_pixels_and_non_web_images_are_dropped() -> None:
    dirty = ('<p>Text</p>'
             '<img src="https://news.example/p.gif" width="1" height="1">'
             '<img src="https://news.example/spacer.gif" height="0">'
             '<img src="https://feeds.feedburner.com/~r/news/~4/abc">'
             '<img src="https://pixel.wp.com/b.gif?host=news.example">'
             '<img src="https://news.example/track/open.gif?u=42">'
             '<img src="data:image/png;base64,iVBORw0KGgo=">'
             '<img src="javascript:alert(1)">'
             '<img src="mailto:a@news.example">'
             '<img src="https://news.example/photos/open-day.jpg" width="640">')
    clean = sanitize_html(dirty, base_url=BASE)
    assert clean.count("<img") == 1, clean
    assert 'src="https://news.example/photos/open-day.jpg"' in clean


def test_a_figure_left_without_its_image_goes_too() -> None:
    dirty = ('<figure><img src="https://news.example/p.gif" width="1" height="1">'
             '<figcaption>Counted</figcaption></figure>'
             '<figure><img src="data:image/png;base64,iVBORw0KGgo="></figure>'
             '<figure><img src="https://news.example/a.jpg" title="t"><figcaption>Kept'
             '</figcaption></figure>')
    clean = sanitize_html(dirty, base_url=BASE)
    assert clean.count("<figure>") == 1 and "Counted" not in clean, clean
    assert "<figcaption>Kept</figcaption>" in clean


def test_links_open_safely() -> None:
    clean = sanitize_html('<a href="https://other.example/x" target="_blank" rel="opener">x</a>',
                          base_url=BASE)
    assert 'href="https://other.example/x"' in clean
    rel = clean.split('rel="', 1)[1].split('"', 1)[0].split()
    assert {"noopener", "noreferrer"} <= set(rel) and "opener" not in rel
    assert "target" not in clean
