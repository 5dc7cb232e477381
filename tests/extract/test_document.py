"""extract_document on real bytes: detection, decoding and bad input."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime

import pytest
from lxml import html as lxml_html

from tidings.extract import ExtractError, extract_document, extract_html
from tidings.extract.decode import MAX_DOCUMENT_BYTES
from tidings.extract.layout import linked_paragraphs

PARAS = [
    "Die Stadtverwaltung hat am Dienstag beschlossen, den Fährbetrieb auf dem Fluss um drei "
    "neue Haltestellen zu erweitern, was die Pendelzeiten für Tausende verkürzen soll.",
    "Bürgermeisterin Lena Ortiz sagte, die Erweiterung werde aus einem regionalen Zuschuss "
    "bezahlt und die Fahrpreise für die bisherigen Fahrgäste nicht erhöhen.",
    "Kritiker im Rat meinten, das Geld wäre besser in die Reparatur der Brücken investiert, "
    "von denen mehrere seit dem vergangenen Winter für Prüfungen gesperrt sind.",
]


def page(charset_meta: str = "utf-8", extra_body: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return f"""<!DOCTYPE html><html><head><meta charset="{charset_meta}">
<title>Fähren für alle | Example Zeitung</title>
<meta property="og:title" content="Fähren für alle">
<meta property="article:published_time" content="2024-03-12T09:30:00+01:00">
<meta property="article:section" content="Stadt">
<meta property="og:image" content="/img/ferry.jpg">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Fähren für alle", "author": [{{"@type": "Person", "name": "Maria Keller"}}]}}</script>
</head><body><nav><a href="/">Start</a> <a href="/sport">Sport</a></nav>
<article><h1>Fähren für alle</h1>
<ul class="key-points"><li>Drei neue Haltestellen bis nächstes Jahr</li>
<li>Regionaler Zuschuss zahlt die Erweiterung</li></ul>
<figure><img src="/img/ferry.jpg"><figcaption>Eine Fähre am Morgen. Foto: dpa</figcaption></figure>
{body}{extra_body}
<aside class="related-stories"><a href="/a">Brücken bleiben noch monatelang gesperrt</a></aside>
</article><footer>Impressum · Datenschutz</footer></body></html>"""


def test_html_page_fields() -> None:
    article = extract_document(page().encode(), url="https://zeitung.example/stadt/faehren")
    assert article.title == "Fähren für alle"
    assert article.byline == "Maria Keller"
    assert article.published_at == datetime(2024, 3, 12, 8, 30, tzinfo=UTC)
    assert article.topic_label == "Stadt"
    assert article.lead_image == "https://zeitung.example/img/ferry.jpg"
    assert article.key_points == ["Drei neue Haltestellen bis nächstes Jahr",
                                  "Regionaler Zuschuss zahlt die Erweiterung"]
    assert article.text.split("\n\n") == PARAS
    assert article.captions == ["Eine Fähre am Morgen. Foto: dpa"]
    assert article.related == ["Brücken bleiben noch monatelang gesperrt"]
    assert article.html.startswith("<p>Die Stadtverwaltung")
    assert article.warning is None
    normalized = " ".join(article.text.casefold().split())
    assert article.content_hash == hashlib.sha256(normalized.encode()).hexdigest()


def test_html_clean_up_lifts_furniture_out_of_the_body() -> None:
    extra = ("<p>Advertisement</p><p>Read more: Neue Radwege entlang des Ufers geplant</p>"
             "<p>Passagiere warten am Steg (Foto: Reuters)</p><p>1:45</p>")
    article = extract_html(page(extra_body=extra))
    assert article.text.split("\n\n") == PARAS
    assert "Neue Radwege entlang des Ufers geplant" in article.related


@pytest.mark.parametrize(
    "extra",
    [
        "<p>Lea también: Nuevas rutas de ferry para la ciudad de Hamburgo</p>",
        "<p>Lesen Sie auch: Brücken bleiben noch monatelang gesperrt</p>",
        "<h3>Weitere Artikel zum Thema</h3><ul><li>Brücken bleiben noch monatelang gesperrt</li>"
        "<li>Neue Radwege entlang des Ufers geplant</li></ul>",
        '<p><a href="/b">Brücken bleiben noch monatelang gesperrt</a></p>',
        "<p>Stand: 12.03.2024</p><p>Letzte Änderung</p>",
        "<p>Abonnieren Sie unseren Newsletter für die Stadt</p>",
    ],
)
def test_teasers_stamps_and_newsletter_lines_leave_the_body(extra: str) -> None:
    article = extract_html(page(extra_body=extra))
    assert article.text.split("\n\n") == PARAS


def test_teasers_are_link_paragraphs_but_not_spelled_out_addresses() -> None:
    teaser = "Brücken bleiben noch monatelang gesperrt"
    address = "Die Pläne stehen unter www.zeitung.example/faehren"
    tree = lxml_html.document_fromstring(page(extra_body=(
        f'<p><a href="/b">{teaser}</a></p><p><a href="/f">{address}</a></p>'
        '<p>Mehr dazu <a href="/x">hier</a> und in der gedruckten Ausgabe von morgen.</p>')))
    assert linked_paragraphs(tree) == {teaser.casefold()}


def test_gzip_by_magic_and_by_name() -> None:
    data = gzip.compress(page().encode())
    assert extract_document(data).text.split("\n\n") == PARAS
    assert extract_document(data, name="x.html.gz").title == "Fähren für alle"


@pytest.mark.parametrize("codec", ["cp1252", "iso-8859-15"])
def test_legacy_charsets_declared_in_meta(codec: str) -> None:
    article = extract_document(page(charset_meta=codec).encode(codec))
    assert article.text.split("\n\n") == PARAS


def test_mislabelled_encodings() -> None:
    # Header says latin-1 but the bytes are UTF-8; then meta says UTF-8 but bytes are cp1252.
    utf8 = extract_document(page().encode(), content_type="text/html; charset=iso-8859-1")
    assert utf8.text.split("\n\n") == PARAS
    cp = extract_document(page(charset_meta="utf-8").encode("cp1252"))
    assert cp.text.split("\n\n") == PARAS


def test_text_capture_detected() -> None:
    capture = "\n\n".join(["Fähren für alle Bürger der Stadt ab nächstem Jahr", *PARAS])
    article = extract_document(capture.encode("utf-16"), name="capture")
    assert article.title == "Fähren für alle Bürger der Stadt ab nächstem Jahr"
    assert article.text.split("\n\n") == PARAS


@pytest.mark.parametrize("data", [b"", b"   \n", b"<html></html>", b"<html><body></body></html>"])
def test_empty_inputs_give_empty_text_with_reason(data: bytes) -> None:
    article = extract_document(data, name="empty.html")
    assert article.text == ""
    assert article.warning


def test_page_without_article() -> None:
    nav = "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(40))
    article = extract_document(f"<html><body><ul>{nav}</ul></body></html>".encode())
    assert article.text == ""
    assert article.warning == "no article text found"


@pytest.mark.parametrize(
    ("data", "what"),
    [(b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"), (b"%PDF-1.7\n" + bytes(50), "PDF"),
     (bytes(range(256)) * 8, "binary"), (b"\x1f\x8b\x08\x00garbage", "gzip")],
)
def test_binary_input_is_a_clear_error(data: bytes, what: str) -> None:
    with pytest.raises(ExtractError, match=what):
        extract_document(data, name="upload.bin")


def test_over_the_size_cap_is_a_clear_error() -> None:
    with pytest.raises(ExtractError, match="limit"):
        extract_document(b" " * (MAX_DOCUMENT_BYTES + 1), name="huge.html")


def test_twenty_megabyte_page_is_handled() -> None:
    bloat = "<script>var x = '" + "a" * 19_000_000 + "';</script>"
    article = extract_document(page(extra_body=bloat).encode(), name="big.html")
    assert article.text.split("\n\n") == PARAS


def test_garbage_html_does_not_crash() -> None:
    junk = b"<html><<<>>><p <p>>" + bytes(range(128, 256)) * 40 + b"</p></div></span>"
    article = extract_document(junk)
    assert isinstance(article.text, str)
