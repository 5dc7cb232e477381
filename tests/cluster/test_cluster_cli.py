"""`tidings cluster FILE.jsonl`: one line per document with its FINAL story."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cluster.stories import QUAKE_CHILE_A, QUAKE_CHILE_B, QUAKE_JAPAN, REHAB
from tidings.cluster import StreamClusterer, lead
from tidings.enrich import embeddings


def _write(path: Path, docs: list[tuple[str, str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "title": t, "text": x}) + "\n"
                            for i, t, x in docs), encoding="utf-8")
    return path


def test_cluster_prints_each_document_once_with_its_final_story(cli, tmp_path: Path) -> None:
    docs = [("a", *QUAKE_CHILE_A), ("r", *REHAB), ("j", *QUAKE_JAPAN), ("b", *QUAKE_CHILE_B),
            ("a", *QUAKE_CHILE_A)]
    code, out = cli("cluster", str(_write(tmp_path / "docs.jsonl", docs)))
    assert code == 0, out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [d["id"] for d in lines] == ["a", "r", "j", "b"]
    got = {d["id"]: d["story"] for d in lines}
    assert got["a"] == got["b"] and len({got["a"], got["r"], got["j"]}) == 3
    # The same as the clusterer's grouping once every document is in (not at arrival).
    clusterer = StreamClusterer()
    try:
        encoder: embeddings.Encoder | None = embeddings.load_encoder()
    except embeddings.EmbeddingsUnavailable:
        encoder = None
    for doc_id, title, text in docs:
        vector = tuple(encoder.encode([lead(title, text)])[0].tolist()) if encoder else ()
        clusterer.add(doc_id, title, text, embedding=vector)
    assert got == clusterer.stories


def test_cluster_refuses_a_bad_line_and_says_which(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "text": "fine"}\n{"text": "no id"}\n', encoding="utf-8")
    code, out = cli("cluster", str(path))
    assert code == 1
    assert "line 2" in " ".join(out.split())  # rich wraps long paths
