"""Headline-only streams for the clustering bench: ours beside tuned batch TF-IDF.

Streams (all real text from ../shared; nothing here is tuned on one of them alone):
- `uci sample`: the UCI News Aggregator sample, 499 business headlines in 12 stories, in
  time order (its TIMESTAMP), the headline as title and no text.
- `ecb+ lead`: every ECB+ document cut to a headline-and-a-sentence item (its first line as
  title, the next line as text), 772 items in 66 events, in a fixed shuffled order (ECB+ has
  no dates, so time helps neither side).
- `ecb+ first line`: the same documents cut to their first line alone.

The short-text blend (`SHORT_SCALE`, `SHORT_EMBED_SHARE`, `SHORT_MEMBER_SHARE` in
tidings.cluster.assign) ships at the setting best summed over the three streams; the report
adds each stream scored with the setting best on the other two (left one stream out) and
with the setting best on itself. The baseline's threshold is tuned on each stream itself
(flattering it: its best threshold goes from 0.01 on UCI to 0.12 on ECB+, as ours, in batch
average linkage, goes from 0.16 to 0.46-0.56) and, like for like with ours, set at the one
threshold best summed over the three streams and left one stream out. The grid is 24
settings over three streams: several minutes.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from bench import constants
from tidings.cluster import StreamClusterer, lead
from tidings.cluster import assign as assign_module
from tidings.enrich.embeddings import Encoder

UCI = Path("data/clustering/uci-headlines-sample/uci-news-aggregator-first499.csv")
SCALES = (1.0, 1.5, 2.0, 2.5)
EMBED_SHARES = (0.3, 0.5)
MEMBER_SHARES = (0.0, 0.5, 1.0)
Doc = dict[str, Any]


def uci_stream(shared: Path) -> list[Doc]:
    with (shared / UCI).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows.sort(key=lambda r: (int(r["TIMESTAMP"]), int(r["ID"])))
    return [{"doc_id": r["ID"], "title": r["TITLE"], "text": "", "gold_cluster": r["STORY"],
             "published": datetime.fromtimestamp(int(r["TIMESTAMP"]) / 1000, tz=UTC)}
            for r in rows]


def lead_stream(ecb_docs: Sequence[Doc], lines: int) -> list[Doc]:
    out = []
    for d in ecb_docs:
        parts = [line for line in d["text"].splitlines() if line.strip()]
        out.append({"doc_id": d["doc_id"], "title": parts[0],
                    "text": "\n".join(parts[1:lines]), "gold_cluster": d["gold_cluster"],
                    "published": None})
    return out


def streams(shared: Path, shuffled_ecb: Sequence[Doc]) -> dict[str, list[Doc]]:
    return {"uci sample": uci_stream(shared), "ecb+ lead": lead_stream(shuffled_ecb, 2),
            "ecb+ first line": lead_stream(shuffled_ecb, 1)}


def short_blend(scale: float, share: float, member: float) -> AbstractContextManager[None]:
    """Bench-only: try one short-text blend (the shipped constants are restored after)."""
    return constants(assign_module, SHORT_SCALE=scale, SHORT_EMBED_SHARE=share,
                     SHORT_MEMBER_SHARE=member)


def embed(encoder: Encoder | None, docs: Sequence[Doc]) -> dict[str, tuple[float, ...]]:
    if encoder is None:
        return {}
    vectors = encoder.encode([lead(d["title"], d["text"]) for d in docs])
    return {d["doc_id"]: tuple(v.tolist()) for d, v in zip(docs, vectors, strict=True)}


def run_ours(docs: Sequence[Doc], vectors: dict[str, tuple[float, ...]]) -> dict[str, int]:
    clusterer = StreamClusterer()
    for d in docs:
        clusterer.add(d["doc_id"], d["title"], d["text"], d["published"],
                      embedding=vectors.get(d["doc_id"], ()))
    return dict(clusterer.stories)


def evaluate(scorer: ModuleType, shared: Path, shuffled_ecb: Sequence[Doc],
             encoder: Encoder | None, baseline: Any, thresholds: Sequence[float]
             ) -> list[dict[str, Any]]:
    """One row per stream: baseline tuned on it, ours in-sample best and left-one-out."""
    found = streams(shared, shuffled_ecb)
    grid = list(itertools.product(SCALES, EMBED_SHARES if encoder else (0.0,), MEMBER_SHARES))
    f1: dict[str, dict[tuple[float, float, float], dict[str, float]]] = {}
    base_runs: dict[str, dict[float, dict[str, float]]] = {}
    for name, docs in found.items():
        gold = {d["doc_id"]: d["gold_cluster"] for d in docs}
        vectors = embed(encoder, docs)
        f1[name] = {}
        for scale, share, member in grid:
            with short_blend(scale, share, member):
                f1[name][(scale, share, member)] = _scores(scorer, gold, run_ours(docs, vectors))
        texts = [{"text": f"{d['title']}\n{d['text']}", "doc_id": d["doc_id"]} for d in docs]
        runs = {t: _scores(scorer, gold, labels)
                for t, labels in baseline(texts, thresholds).items()}
        base_runs[name] = runs
    shipped = (assign_module.SHORT_SCALE, assign_module.SHORT_EMBED_SHARE if encoder else 0.0,
               assign_module.SHORT_MEMBER_SHARE)
    common = _threshold(base_runs, list(found))
    rows = []
    for name in found:
        others = [n for n in found if n != name]
        chosen = max(grid, key=lambda g: sum(f1[n][g]["b_f1"] for n in others))
        base_cv = _threshold(base_runs, others)
        best = max(grid, key=lambda g: f1[name][g]["b_f1"])
        base_own = _threshold(base_runs, [name])
        rows.append({"stream": name, "docs": len(found[name]),
                     "stories": len({d["gold_cluster"] for d in found[name]}),
                     "cv": {**f1[name][chosen], "setting": chosen},
                     "in-sample": {**f1[name][best], "setting": best},
                     "shipped": f1[name].get(shipped),
                     "baseline": {**base_runs[name][base_own], "threshold": base_own},
                     "baseline one threshold": {**base_runs[name][common], "threshold": common},
                     "baseline cross-validated": {**base_runs[name][base_cv],
                                                  "threshold": base_cv}})
    return rows


def _threshold(runs: dict[str, dict[float, dict[str, float]]], names: Sequence[str]) -> float:
    """The baseline threshold with the best B³ F1 summed over `names`' streams."""
    return max(runs[names[0]], key=lambda t: sum(runs[n][t]["b_f1"] for n in names))


def _scores(scorer: ModuleType, gold: dict[str, str], pred: dict[str, Any]) -> dict[str, float]:
    p, r, f = scorer.bcubed(gold, pred)
    return {"b_p": p, "b_r": r, "b_f1": f, "stories": len(set(pred.values()))}


def report(rows: Sequence[dict[str, Any]]) -> str:
    lines = ["headline streams (B³ P / R / F1, stories): ours shipped, ours left-one-stream-out,"
             " ours in-sample best, batch TF-IDF tuned on the stream, at one threshold for"
             " all three, left-one-stream-out"]
    for r in rows:
        lines.append(f"  {r['stream']} ({r['docs']} items, {r['stories']} stories)")
        shown = [("ours shipped", r["shipped"]), ("ours cross-validated", r["cv"]),
                 ("ours in-sample best", r["in-sample"])]
        shown += [(f"{kind} (t={r[kind]['threshold']})", r[kind]) for kind in
                  ("baseline", "baseline one threshold", "baseline cross-validated")]
        for label, s in shown:
            if s is None:
                continue
            setting = f"  scale/share/member {s['setting']}" if "setting" in s else ""
            lines.append(f"    {label:<38}{s['b_p']:.4f} {s['b_r']:.4f} {s['b_f1']:.4f} "
                         f"{s['stories']:>5}{setting}")
    return "\n".join(lines)
