"""Story clustering quality and speed on ECB+ (772 documents, 66 events), beside a baseline.

Ours: `StreamClusterer` (the product's `fingerprint` + `assign_story`), one document at a time,
in file order and in a shuffled order (fixed seed). ECB+ carries no dates, so time plays no
part here. Baseline, measured in the same run: TF-IDF (sublinear tf, English function words
dropped: our list without the news words) with
batch average-linkage cosine clustering, which sees the whole corpus at once.

Thresholds are honest about what they saw: topics are split by parity into halves; each
half picks its threshold and is scored on the other half. The full-set rows use our shipped
thresholds (picked on the odd half) and the baseline's best threshold on the full set
(flattering the baseline, as the data README does). Scores use ../shared/tools/cluster_score.py.

Rows "no repair" use `assign_story` alone (each document's story is final when it arrives);
the others also let `split_story` regroup the story a document joined. "+entities" rows pass
the entity names our enrichment finds, the way the pipeline does (`--entities`; spaCy).
Join threshold `REPAIR_JOIN_THRESHOLD` with the repair (split threshold `SPLIT_THRESHOLD`),
`JOIN_THRESHOLD` without; held-out rows sweep the join threshold of the repaired runs.

Usage: python -m bench.clustering [--shared PATH] [--seed N] [--no-sweep] [--entities]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from bench import load_shared_tool
from tidings.cluster import StreamClusterer
from tidings.cluster.repair import merge_pair
from tidings.cluster.stopwords import FUNCTION_WORDS
from tidings.cluster.terms import WORD
from tidings.enrich import enrich_many
from tidings.models import Article

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ECB = Path("data/clustering/ecbplus-dev.jsonl")
SCORER = Path("tools/cluster_score.py")
SEED = 20240611
OUR_THRESHOLDS = tuple(round(0.20 + 0.03 * i, 2) for i in range(7))  # 0.20 … 0.38
BASE_THRESHOLDS = tuple(round(0.08 + 0.02 * i, 2) for i in range(12))  # 0.08 … 0.30
Doc = dict[str, Any]
Labels = dict[str, Any]
Scores = dict[str, float]
Entities = dict[str, list[str]]


def load_scorer(shared: Path) -> ModuleType:
    return load_shared_tool(shared / SCORER)


def load_docs(shared: Path) -> list[Doc]:
    with (shared / ECB).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def score(scorer: ModuleType, docs: Sequence[Doc], pred: Labels) -> Scores:
    gold = {d["doc_id"]: d["gold_cluster"] for d in docs}
    bp, br, bf = scorer.bcubed(gold, pred)
    pp, pr, pf = scorer.pairwise(gold, pred)
    return {"b_p": bp, "b_r": br, "b_f1": bf, "p_p": pp, "p_r": pr, "p_f1": pf,
            "stories": len(set(pred.values()))}


def stream(docs: Sequence[Doc], threshold: float | None = None, *, repair: bool = True,
           entities: Entities | None = None) -> tuple[Labels, float]:
    """Our clusterer over `docs` in the given order: final labels and documents per second.

    `entities` maps doc ids to the entity names enrichment found (as the pipeline passes them).
    """
    clusterer = StreamClusterer(threshold=threshold, repair=repair)
    names = entities or {}
    start = time.perf_counter()
    for d in docs:
        clusterer.add(d["doc_id"], "", d["text"], entities=tuple(names.get(d["doc_id"], ())))
    return dict(clusterer.stories), len(docs) / (time.perf_counter() - start)


def shuffled(docs: Sequence[Doc], seed: int) -> list[Doc]:
    out = list(docs)
    random.Random(seed).shuffle(out)
    return out


def tfidf_matrix(docs: Sequence[Doc]) -> npt.NDArray[np.float64]:
    """Rows: sublinear-tf × smooth-idf vectors, L2-normalised (scikit-learn's recipe)."""
    counts = [Counter(w for w in (m.group().lower() for m in WORD.finditer(d["text"]))
                      if len(w) > 1 and w not in FUNCTION_WORDS) for d in docs]
    vocab = {w: i for i, w in enumerate(sorted({w for c in counts for w in c}))}
    matrix = np.zeros((len(docs), len(vocab)))
    for row, c in enumerate(counts):
        for word, n in c.items():
            matrix[row, vocab[word]] = 1.0 + math.log(n)
    df = (matrix > 0).sum(axis=0)
    matrix *= np.log((1 + len(docs)) / (1 + df)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def average_linkage(sim: npt.NDArray[np.float64],
                    thresholds: Sequence[float]) -> dict[float, list[int]]:
    """Flat clusters at each threshold: merge the closest pair while mean similarity >= it."""
    sim = sim.copy()
    np.fill_diagonal(sim, -np.inf)
    size = np.ones(len(sim))
    label = np.arange(len(sim))
    pending = sorted(thresholds, reverse=True)
    out: dict[float, list[int]] = {}
    while pending:
        i, j = np.unravel_index(int(np.argmax(sim)), sim.shape)
        while pending and sim[i, j] < pending[0]:
            out[pending.pop(0)] = label.tolist()
        if not pending:
            break
        merge_pair(sim, size, label, int(i), int(j))
    return out


def baseline(docs: Sequence[Doc], thresholds: Sequence[float]) -> dict[float, Labels]:
    matrix = tfidf_matrix(docs)
    flat = average_linkage(matrix @ matrix.T, thresholds)
    return {t: {d["doc_id"]: lab for d, lab in zip(docs, flat[t], strict=True)} for t in flat}


def best(runs: dict[float, Scores]) -> float:
    return max(runs, key=lambda t: runs[t]["b_f1"])


def halves(docs: Sequence[Doc]) -> dict[str, list[Doc]]:
    return {"odd topics": [d for d in docs if d["topic"] % 2],
            "even topics": [d for d in docs if not d["topic"] % 2]}


def held_out(scorer: ModuleType, docs: Sequence[Doc]) -> list[dict[str, Any]]:
    """Per half: thresholds picked on the other half (ours and baseline), scored here."""
    parts = halves(docs)
    sweeps: dict[str, dict[str, dict[float, Scores]]] = {}
    for name, part in parts.items():
        base = baseline(part, BASE_THRESHOLDS)
        sweeps[name] = {
            "ours": {t: score(scorer, part, stream(part, t)[0]) for t in OUR_THRESHOLDS},
            "baseline": {t: score(scorer, part, base[t]) for t in BASE_THRESHOLDS}}
    rows = []
    for test, tune in (("even topics", "odd topics"), ("odd topics", "even topics")):
        for system in ("ours", "baseline"):
            threshold = best(sweeps[tune][system])
            rows.append({"half": test, "system": system, "threshold": threshold,
                         **sweeps[test][system][threshold]})
    return rows


def entity_names(docs: Sequence[Doc]) -> Entities:
    """Entity names per document from our enrichment (spaCy), as the pipeline passes them."""
    enriched = enrich_many([Article(title="", text=d["text"]) for d in docs])
    return {d["doc_id"]: [e.name for e in a.entities]
            for d, a in zip(docs, enriched, strict=True)}


def streaming_rows(scorer: ModuleType, docs: Sequence[Doc], seed: int,
                   entities: Entities | None) -> dict[str, Scores]:
    """Our runs: file and shuffled order, with the split repair and without it."""
    rows: dict[str, Scores] = {}
    suffix = " +entities" if entities is not None else ""
    for order, ordered in (("file order", list(docs)), ("shuffled", shuffled(docs, seed))):
        for repair, name in ((True, ""), (False, " no repair")):
            labels, rate = stream(ordered, repair=repair, entities=entities)
            rows[f"ours {order}{name}{suffix}"] = {**score(scorer, docs, labels), "docs/s": rate}
    return rows


def evaluate(shared: Path, *, seed: int = SEED, sweep: bool = True,
             entities: Entities | None = None) -> dict[str, Any]:
    """Every figure the report prints (and the gate test checks).

    With `entities`, the streaming runs are repeated with those names passed in.
    """
    scorer, docs = load_scorer(shared), load_docs(shared)
    runs = streaming_rows(scorer, docs, seed, None)
    if entities is not None:
        runs |= streaming_rows(scorer, docs, seed, entities)
    start = time.perf_counter()
    base = {t: score(scorer, docs, labels) for t, labels in baseline(docs, BASE_THRESHOLDS).items()}
    base_rate = len(docs) / (time.perf_counter() - start)
    threshold = best(base)
    return {
        "docs": len(docs), "events": len({d["gold_cluster"] for d in docs}), "seed": seed,
        "runs": list(runs), **runs,
        "baseline": {**base[threshold], "threshold": threshold, "docs/s": base_rate},
        "held out": held_out(scorer, docs) if sweep else [],
    }


def _row(name: str, s: Scores, extra: str = "") -> str:
    return (f"  {name:<34}{s['b_p']:>7.4f}{s['b_r']:>7.4f}{s['b_f1']:>7.4f}"
            f"{s['p_p']:>9.4f}{s['p_r']:>7.4f}{s['p_f1']:>7.4f}{s['stories']:>6}  {extra}")


def report(r: dict[str, Any]) -> str:
    head = (f"  {'':<34}{'B³ P':>7}{'B³ R':>7}{'B³ F1':>7}{'pair P':>9}{'pair R':>7}"
            f"{'pair F1':>7}{'stor.':>6}")
    lines = [f"ECB+ dev: {r['docs']} documents, {r['events']} events", head]
    base = r["baseline"]
    for name in r["runs"]:
        s = r[name]
        lines.append(_row(name, s, f"{s['docs/s']:.0f} docs/s"))
    lines.append(_row(f"baseline best (t={base['threshold']})", base,
                      f"{base['docs/s']:.0f} docs/s (batch)"))
    if r["held out"]:
        lines.append("held out (threshold picked on the other half):")
        lines += [_row(f"{h['half']}: {h['system']} (t={h['threshold']})", h)
                  for h in r["held out"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="path to ../shared")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the shuffled order")
    parser.add_argument("--no-sweep", action="store_true", help="skip the held-out halves")
    parser.add_argument("--entities", action="store_true",
                        help="also run with entity names from enrichment (spaCy; a few minutes)")
    args = parser.parse_args(argv if argv is not None else [])
    if not (args.shared / ECB).is_file():
        print(f"clustering bench skipped: {args.shared / ECB} not found")
        return 0
    entities = entity_names(load_docs(args.shared)) if args.entities else None
    results = evaluate(args.shared, seed=args.seed, sweep=not args.no_sweep, entities=entities)
    print(report(results))
    ours, base = results["ours file order"], results["baseline"]
    for key, name in (("b_f1", "BCubed F1"), ("p_f1", "pairwise F1")):
        print(f"{name}: ours {ours[key]:.4f} vs baseline {base[key]:.4f} "
              f"({ours[key] - base[key]:+.4f})")
    print(f"speed: ours {ours['docs/s']:.0f} docs/s streaming, "
          f"{ours['docs/s'] / base['docs/s']:.2f}x the batch baseline's rate")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
