"""The ranker on a MIND-format folder: AUC, MRR, nDCG@5 and nDCG@10 as in the MIND paper.

MIND (Wu et al., ACL 2020) is not redistributable, so bring your own copy: a folder with
`news.tsv` (id, category, subcategory, title, abstract, url, title entities, abstract entities)
and `behaviors.tsv` (impression id, user, time, history, impressions "N1-1 N2-0 …").
For each impression the reader's profile is learned from their history (each clicked story
an `open`) and the impression's candidates are scored by `tidings.rank.model`; the metrics are
computed per impression and averaged, beside a popularity baseline (how often each story
appears in all histories) from the same files. MIND has no outlets or publication times, so
source, freshness and coverage are constant here: this measures the learned affinities.
Published figures for comparison: ../shared/data/anchors/mind-anchors (MIND-large test).

Usage: python -m bench.mind_eval FOLDER [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tidings.rank import model
from tidings.rank.candidate import Candidate, Reader
from tidings.rank.learn import Profile, learn_into, snapshot

EPOCH = datetime(2019, 11, 15, tzinfo=UTC)
METRICS = ("auc", "mrr", "ndcg5", "ndcg10")


@dataclass(frozen=True)
class Impression:
    user: str
    history: tuple[str, ...]
    shown: tuple[tuple[str, int], ...]  # (news id, clicked)


def _entity_id(wikidata: str) -> int:
    digits = "".join(ch for ch in wikidata if ch.isdigit())
    return int(digits) if digits else zlib.crc32(wikidata.encode())


def load_news(path: Path) -> dict[str, Candidate]:
    news = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        cols = line.split("\t")
        if len(cols) < 4:
            continue
        ents: dict[int, tuple[int, str, float]] = {}
        for raw in cols[6:8]:
            try:
                found = json.loads(raw) if raw.strip() else []
            except json.JSONDecodeError:
                found = []
            for e in found if isinstance(found, list) else []:
                if isinstance(e, dict) and e.get("WikidataId"):
                    eid = _entity_id(str(e["WikidataId"]))
                    weight = float(e.get("Confidence", 1.0)) + ents.get(eid, (0, "", 0.0))[2]
                    ents[eid] = (eid, str(e.get("Label", "")), weight)
        topics = tuple(t.lower() for t in cols[1:3] if t)
        news[cols[0]] = Candidate(
            story_id=n, headline=cols[3], lead_article_id=n, first_seen=EPOCH, last_seen=EPOCH,
            article_count=1, source_ids=(), outlet_count=1, velocity=0.0, topics=topics,
            entities=tuple(sorted(ents.values(), key=lambda e: -e[2])),
            entity_ids=frozenset(ents), about=cols[3].lower())
    return news


def load_behaviors(path: Path, limit: int | None = None) -> list[Impression]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) < 5:
            continue
        shown = tuple((item.rsplit("-", 1)[0], int(item.rsplit("-", 1)[1]))
                      for item in cols[4].split() if "-" in item)
        out.append(Impression(cols[1], tuple(cols[3].split()), shown))
        if limit and len(out) >= limit:
            break
    return out


# --- the MIND metrics (per impression) -----------------------------------------------------


def auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Probability that a clicked story scores above a skipped one (ties count half)."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _order(labels: Sequence[int], scores: Sequence[float]) -> list[int]:
    return [y for _, y in sorted(zip(scores, labels, strict=True), key=lambda t: -t[0])]


def mrr(labels: Sequence[int], scores: Sequence[float]) -> float:
    ranked = _order(labels, scores)
    return sum(y / (i + 1) for i, y in enumerate(ranked)) / sum(labels)


def ndcg(labels: Sequence[int], scores: Sequence[float], k: int) -> float:
    def dcg(ys: Sequence[int]) -> float:
        return sum((2 ** y - 1) / math.log2(i + 2) for i, y in enumerate(ys[:k]))
    return dcg(_order(labels, scores)) / dcg(sorted(labels, reverse=True))


def metrics(labels: Sequence[int], scores: Sequence[float]) -> dict[str, float]:
    return {"auc": auc(labels, scores), "mrr": mrr(labels, scores),
            "ndcg5": ndcg(labels, scores, 5), "ndcg10": ndcg(labels, scores, 10)}


# --- evaluation ----------------------------------------------------------------------------


def profile_from_history(history: Sequence[str], news: dict[str, Candidate]) -> Profile:
    profile = Profile()
    for nid in history:
        if nid in news:
            learn_into(profile, "open", snapshot(news[nid], age_h=0.0))
    return profile


def evaluate(folder: Path, limit: int | None = None) -> dict[str, object]:
    news = load_news(folder / "news.tsv")
    imps = load_behaviors(folder / "behaviors.tsv", limit)
    popular = Counter(nid for imp in imps for nid in imp.history)
    sums = {"learned": Counter[str](), "popularity": Counter[str]()}
    counted, profiles = 0, dict[tuple[str, tuple[str, ...]], Profile]()
    for imp in imps:
        shown = [(nid, y) for nid, y in imp.shown if nid in news]
        labels = [y for _, y in shown]
        if not shown or all(labels) or not any(labels):
            continue  # AUC needs a click and a skip
        key = (imp.user, imp.history)
        if key not in profiles:
            profiles[key] = profile_from_history(imp.history, news)
        reader = Reader(user_id=0, profile=profiles[key])
        learned = [model.score(news[nid], reader, EPOCH).score for nid, _ in shown]
        pop = [float(popular[nid]) for nid, _ in shown]
        sums["learned"].update(metrics(labels, learned))
        sums["popularity"].update(metrics(labels, pop))
        counted += 1
    result: dict[str, object] = {
        name: {m: round(100 * s[m] / counted, 2) if counted else 0.0 for m in METRICS}
        for name, s in sums.items()}
    result["impressions"] = counted
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("folder", type=Path, nargs="?")
    ap.add_argument("--limit", type=int, default=None, help="first N impressions only")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.folder is None or not (args.folder / "behaviors.tsv").is_file():
        print("mind_eval: give a MIND-format folder (news.tsv, behaviors.tsv); skipped")
        return 0
    result = evaluate(args.folder, args.limit)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['impressions']} impressions (metrics × 100, mean per impression)")
    for name in ("learned", "popularity"):
        row = result[name]
        assert isinstance(row, dict)
        print(f"{name:>11} " + "  ".join(f"{m} {row[m]:6.2f}" for m in METRICS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
