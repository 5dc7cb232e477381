"""Acceptance on the real seed page, imported with `tidings import-page` and searched with
`tidings search` (extract → enrich → cluster → index, as users get it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.accounts import PASSWORD
from tests.conftest import SHARED

SEED = SHARED / "fixtures" / "seed-page.txt"
# Written for this test: a quote about sanctions, and no John Kirby anywhere.
OTHER = """Ministers agree wider shipping sanctions

Trade ministers meeting in Lisbon on Tuesday agreed to widen the measures on shipping.

"We will widen the sanctions on shipping companies next month," said Maria Oliveira, the \
trade commissioner, after the meeting.

The new rules take effect in May, officials said.
"""


@pytest.fixture
def searcher(cli, tmp_path: Path):
    if not SEED.is_file():
        pytest.skip(f"needs the seed page at {SEED} (real article text stays in ../shared)")
    assert cli("user", "add", "ann", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    other = tmp_path / "lisbon-capture.txt"
    other.write_text(OTHER, encoding="utf-8")
    code, out = cli("import-page", str(SEED), str(other), "--user", "ann")
    assert code == 0, out
    assert out.count("stored as article") == 2

    def search(query: str) -> list[dict]:
        code, out = cli("search", query, "--user", "ann", "--json")
        assert code == 0, out
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    return search


SEED_TITLE = "Russia’s top diplomat briefs Beijing"


def test_the_seed_page_answers_who_said_what(searcher) -> None:
    found = searcher('speaker:"Wang Wenbin"')
    assert [r["title"][:len(SEED_TITLE)] for r in found] == [SEED_TITLE]
    assert found[0]["snippet"].startswith("Wang Wenbin: “")
    assert "no upper limit" in found[0]["snippet"]

    assert [r["title"][:len(SEED_TITLE)] for r in searcher("entity:Lavrov")] == [SEED_TITLE]
    assert [r["id"] for r in searcher('entity:"Sergey Lavrov"')] == [found[0]["id"]]

    both = {r["title"][:20] for r in searcher("said:sanctions")}
    assert both == {SEED_TITLE[:20], "Ministers agree wide"}
    # The seed page mentions John Kirby, so -entity:Kirby leaves only the other page.
    assert [r["title"] for r in searcher("said:sanctions -entity:Kirby")] == [
        "Ministers agree wider shipping sanctions"]
    assert searcher("speaker:Wenbin said:sanctions") == []  # he did not say that word


def test_saved_pages_are_the_readers_own(searcher, cli) -> None:
    assert cli("user", "add", "bob", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    code, out = cli("search", "entity:Lavrov", "--user", "bob")
    assert code == 0 and out.strip() == ""
    assert len(searcher("entity:Lavrov")) == 1
    code, out = cli("search", 'NEAR("a" b', "--user", "ann")
    assert code == 2 and "never closed" in out and "at character" in out
