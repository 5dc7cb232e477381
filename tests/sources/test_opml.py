"""OPML that attacks the parser or is not OPML at all gets a clear error."""

from __future__ import annotations

import pytest

from tidings.sources import FeedError, parse_opml


def test_entity_declarations_are_refused_in_any_encoding() -> None:
    doc = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
           '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><opml version="2.0"><body>'
           '<outline text="&b;" xmlUrl="https://x.example/feed"/></body></opml>')
    utf8 = doc.replace("UTF-16", "UTF-8").encode()
    for data in (doc.encode("utf-16"), doc.encode("utf-16-be"), utf8):
        with pytest.raises(FeedError, match="entities"):
            parse_opml(data)


def test_broken_xml_with_no_outlines_is_an_error_not_an_empty_list() -> None:
    with pytest.raises(FeedError, match="not valid XML"):
        parse_opml(b"<opml><body><<<< this is not OPML &&&")
