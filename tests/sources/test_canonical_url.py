"""canonical_url: one spelling per article, without changing which page it names."""

from __future__ import annotations

import pytest

from tidings.extract.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
        ("https://example.com/a?id=7&fbclid=XYZ&gclid=1", "https://example.com/a?id=7"),
        ("https://example.com/a?mc_cid=1&mc_eid=2&keep=yes", "https://example.com/a?keep=yes"),
        ("HTTPS://Example.COM:443/Path/#section", "https://example.com/Path/"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),  # order kept
        ("https://example.com/a/", "https://example.com/a/"),  # trailing slash kept
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://user:pw@Example.com/a", "https://user:pw@example.com/a"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
        ("/relative/path?utm_source=x", "/relative/path?utm_source=x"),
        ("http://[::1", "http://[::1"),  # invalid: returned as given, no exception
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent():
    url = "HTTP://Example.com:80/a?x=1&utm_campaign=y#top"
    assert canonical_url(canonical_url(url)) == canonical_url(url)
