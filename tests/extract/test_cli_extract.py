"""`tidings extract` on the seed page capture (acceptance 1) and on several inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tidings.cli import app


@pytest.mark.shared
def test_extract_seed_page_json(shared_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    seed = shared_dir / "fixtures" / "seed-page.txt"
    result = CliRunner().invoke(app, ["extract", str(seed), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    lines = [line.strip() for line in seed.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    assert doc["title"].startswith("Russia’s top diplomat briefs Beijing")
    assert doc["topic"] == "Ukraine war"
    assert len(doc["key_points"]) == 2
    assert len(doc["captions"]) == 2
    assert any(r.startswith("Amid Ukraine war") for r in doc["related"])
    assert any("no limits" in r for r in doc["related"])
    paragraphs = doc["text"].split("\n\n")
    assert paragraphs[0].startswith("Russia’s foreign minister had")
    assert paragraphs[-1] == lines[-2]
    for chrome in ("Advertisement", "Learn more", "Photo:", "01:45", "no limits’ in coop"):
        assert chrome not in doc["text"]


def test_extract_several_paths_one_line_each(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    prose = ("The harbour authority said on Monday that the new breakwater would be finished "
             "before the autumn storms, two months earlier than planned.")
    (tmp_path / "a.txt").write_text(f"Breakwater ahead of schedule\n\n{prose}\n", encoding="utf-8")
    (tmp_path / "b.html").write_text(f"<html><body><article><p>{prose}</p></article></body></html>",
                                     encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", "a.txt", "b.html", "--json"])
    assert result.exit_code == 0, result.output
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["text"] for d in docs] == [prose, prose]
    assert docs[0]["title"] == "Breakwater ahead of schedule"


def test_extract_binary_file_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    result = CliRunner().invoke(app, ["extract", "photo.jpg"])
    assert result.exit_code == 1
    assert "JPEG" in result.output
