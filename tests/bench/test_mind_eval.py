"""bench/mind_eval.py on a tiny MIND-format sample written here: the metrics as the MIND paper
computes them, and a reader whose history is about one thing gets it ranked first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import mind_eval


def test_metrics_match_hand_computed_values() -> None:
    labels, scores = [1, 0, 0, 1], [0.9, 0.8, 0.1, 0.5]
    m = mind_eval.metrics(labels, scores)
    assert m["auc"] == 0.75  # 3 of the 4 click/skip pairs in order
    assert m["mrr"] == pytest.approx((1 / 1 + 1 / 3) / 2)
    ideal = 1 + 1 / 1.584962500721156
    assert m["ndcg5"] == pytest.approx((1 + 1 / 2) / ideal)
    assert mind_eval.auc([1, 0], [0.2, 0.2]) == 0.5


def _entities(qid: str, label: str) -> str:
    return json.dumps([{"Label": label, "Type": "P", "WikidataId": qid, "Confidence": 1.0,
                        "OccurrenceOffsets": [0], "SurfaceForms": [label]}])


def write_sample(folder: Path) -> None:
    news = []
    for i in range(1, 7):
        cat, qid, label = ("sports", "Q101", "Harbour Rovers") if i <= 3 else (
            "finance", "Q202", "Quay Bank")
        news.append("\t".join([f"N{i}", cat, f"{cat}-sub", f"Title {i}", "abstract",
                               f"https://example.org/{i}", _entities(qid, label), "[]"]))
    news.append("\t".join(["N9", "weather", "", "No entities", "", "", "", ""]))
    (folder / "news.tsv").write_text("\n".join(news) + "\n", encoding="utf-8")
    behaviors = [
        "1\tU1\t11/15/2019 8:55:22 AM\tN1 N2\tN3-1 N4-0 N5-0",
        "2\tU2\t11/15/2019 9:05:22 AM\tN4 N5\tN6-1 N3-0 N9-0",
        "3\tU3\t11/15/2019 9:15:22 AM\tN4\tN1-0 N6-1 N2-0 N9-0",
        "4\tU1\t11/15/2019 9:25:22 AM\tN1 N2\tN3-1",  # no skip: not scored
        "5\tU4\t11/15/2019 9:35:22 AM\t\tN1-1 N4-0 N77-0",  # no history; N77 unknown
    ]
    (folder / "behaviors.tsv").write_text("\n".join(behaviors) + "\n", encoding="utf-8")


def test_a_history_about_one_thing_ranks_it_first(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    write_sample(tmp_path)
    result = mind_eval.evaluate(tmp_path)
    assert result["impressions"] == 4
    learned = result["learned"]
    assert isinstance(learned, dict)
    # three readers with a history get their click first; the one without ties (AUC 0.5)
    assert learned["auc"] == pytest.approx(100 * (3 + 0.5) / 4)
    assert learned["mrr"] >= 100 * (3 + 1 / 3) / 4  # a tie keeps the order it was shown in
    assert mind_eval.main([str(tmp_path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"learned", "popularity", "impressions"}
    assert set(printed["popularity"]) == {"auc", "mrr", "ndcg5", "ndcg10"}


def test_without_a_folder_it_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert mind_eval.main([str(tmp_path)]) == 0
    assert "give a MIND-format folder" in capsys.readouterr().out
