"""Entity quality and enrichment speed: our canonical entities beside raw spaCy, in one run.

Quality: GUM news dev (12 Wikinews articles, every mention typed) scored with the shared
scorer `../shared/tools/entity_score.py` (document-level entities; a prediction is right when
its name occurs inside a gold mention of the same kind; a gold entity is recalled when a
prediction of its kind names it). "raw spaCy" is every distinct entity string spaCy tags,
with its label mapped to our kind; "ours" is `enrich_many`'s canonical entities with aliases.

The whole-set figure is in-sample: the mechanisms were written while reading these articles
and are chosen on them. The bench therefore also reports the leave-one-article-out figure
(`bench.entity_folds`): each article scored with the mechanisms chosen on the other eleven,
beside raw spaCy on the same articles. Two fixed halves (documents at even and at odd
positions in the file) are scored too.

Speed: `enrich_many` (entities, quotes, topics, key points, language) over the GUM texts and
the seed page, beside spaCy's full default pipeline and our NER-only pipeline on the same
texts, so the ratio holds on any machine.

Usage: python -m bench.entities [--rounds N] [--shared PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import spacy

from bench import load_shared_tool
from bench.entity_folds import cross_validate
from bench.entity_folds import report as folds_report
from tidings.enrich import enrich_many, load_nlp
from tidings.enrich.loader import MODEL
from tidings.extract import clean_capture
from tidings.models import Article, EntityKind

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GUM = Path("data/entities/gum-news-dev.jsonl")
SCORER = Path("tools/entity_score.py")
SEED = Path("fixtures/seed-page.txt")
SCORED_KINDS = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place",
                "FAC": "place"}
OUR_KINDS = {EntityKind.PERSON: "person", EntityKind.ORG: "organization",
             EntityKind.PLACE: "place"}
Predictions = dict[str, list[dict[str, Any]]]
REPEAT = 4  # corpus copies per timed pass (52 articles)
SPEED_ROWS = ("enrich_many", "enrich_many per CPU-second", "enrich_many workers=2",
              "spaCy NER only", "spaCy full pipeline")


def load_scorer(shared: Path) -> ModuleType:
    return load_shared_tool(shared / SCORER)


def load_gum(shared: Path) -> list[dict[str, Any]]:
    with (shared / GUM).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def raw_predictions(docs: list[dict[str, Any]]) -> Predictions:
    """Each distinct string spaCy tags as a person, organisation or place, as it stands."""
    nlp = load_nlp()
    out: Predictions = {}
    for gold, doc in zip(docs, nlp.pipe(d["text"] for d in docs), strict=True):
        seen = {(SCORED_KINDS[e.label_], e.text) for e in doc.ents if e.label_ in SCORED_KINDS}
        out[gold["id"]] = [{"name": name, "kind": kind, "aliases": []}
                           for kind, name in sorted(seen)]
    return out


def our_predictions(docs: list[dict[str, Any]]) -> Predictions:
    """Our canonical entities, each with the aliases it was written as."""
    articles = enrich_many(Article(text=d["text"]) for d in docs)
    return {
        gold["id"]: [{"name": e.name, "kind": OUR_KINDS[e.kind], "aliases": e.aliases}
                     for e in article.entities if e.kind in OUR_KINDS]
        for gold, article in zip(docs, articles, strict=True)
    }


HALVES = ("even", "odd")  # documents at even / odd positions (0-based) in the GUM file


def half(docs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """One fixed half of the documents, by position parity: the same split on every run."""
    return docs[HALVES.index(name)::2]


def evaluate(shared: Path) -> dict[str, dict[str, Any]]:
    """Strict and coarse scores for raw spaCy and for ours on GUM news dev.

    `out[system]["strict"|"coarse"]` scores all documents; `out[system]["halves"][h]` holds
    the strict scores of half `h` ("even" or "odd"), from the same predictions.
    """
    scorer, docs = load_scorer(shared), load_gum(shared)
    out = {}
    for system, predict in (("raw spaCy", raw_predictions), ("ours", our_predictions)):
        predictions = predict(docs)
        out[system] = {"strict": scorer.score(docs, predictions),
                       "coarse": scorer.score(docs, predictions, coarse=True),
                       "halves": {h: scorer.score(half(docs, h), predictions) for h in HALVES}}
    return out


def corpus(shared: Path) -> list[Article]:
    """News-length English articles: the GUM texts and the seed page as users get it."""
    articles = [Article(title=d["title"], text=d["text"]) for d in load_gum(shared)]
    seed = shared / SEED
    if seed.is_file():
        articles.append(clean_capture(seed.read_text(encoding="utf-8")))
    return articles


def rate(run: Callable[[], object], n_articles: int, rounds: int,
         clock: Callable[[], float] = time.perf_counter) -> float:
    """Articles per second over `rounds` passes (after one warm-up pass)."""
    run()
    start = clock()
    for _ in range(rounds):
        run()
    return n_articles * rounds / (clock() - start)


def throughput(shared: Path, rounds: int) -> dict[str, float]:
    """Articles per second; the corpus is repeated so a batch is a realistic refresh's size."""
    articles = corpus(shared) * REPEAT
    texts = [a.text for a in articles]
    full = spacy.load(MODEL)
    ner_only = load_nlp()
    n = len(articles)
    return {
        "articles": n,
        "words/article": sum(len(t.split()) for t in texts) / n,
        "enrich_many": rate(lambda: enrich_many(articles), n, rounds),
        # CPU seconds of this process: what one core does, however busy the machine is.
        "enrich_many per CPU-second": rate(lambda: enrich_many(articles), n, rounds,
                                           clock=time.process_time),
        "enrich_many workers=2": rate(lambda: enrich_many(articles, workers=2), n, rounds),
        "spaCy NER only": rate(lambda: list(ner_only.pipe(texts)), n, rounds),
        "spaCy full pipeline": rate(lambda: list(full.pipe(texts)), n, rounds),
    }


def report(scores: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'GUM news dev':<28}{'P':>8}{'R':>8}{'F1':>8}"]
    for mode in ("strict", "coarse"):
        for system, by_mode in scores.items():
            result = by_mode[mode]
            rows = [("all", result), *result["by_kind"].items()]
            for kind, s in rows:
                label = f"{system} {mode} {kind}"
                lines.append(f"{label:<28}{s['p']:>8.4f}{s['r']:>8.4f}{s['f1']:>8.4f}")
    return "\n".join(lines)


def half_report(scores: dict[str, dict[str, Any]]) -> str:
    """Strict F1 per kind on each half, ours beside raw spaCy."""
    lines = [f"\n{'strict F1 by half':<28}{'ours':>8}{'raw':>8}{'gain':>8}"]
    for h in HALVES:
        for kind in ("person", "organization", "place"):
            ours, raw = (scores[s]["halves"][h]["by_kind"][kind]["f1"]
                         for s in ("ours", "raw spaCy"))
            lines.append(f"{h + ' ' + kind:<28}{ours:>8.4f}{raw:>8.4f}{ours - raw:>+8.4f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="timed passes over the corpus")
    parser.add_argument("--shared", type=Path, default=SHARED, help="path to ../shared")
    args = parser.parse_args(argv if argv is not None else [])
    if not (args.shared / GUM).is_file():
        print(f"entities bench skipped: {args.shared / GUM} not found")
        return 0
    scores = evaluate(args.shared)
    print(report(scores))
    for kind in ("person", "organization", "place"):
        ours, raw = (scores[s]["strict"]["by_kind"][kind]["f1"] for s in ("ours", "raw spaCy"))
        print(f"F1 {kind}: ours {ours:.4f} vs raw spaCy {raw:.4f} ({ours - raw:+.4f})")
    print(half_report(scores))
    docs = load_gum(args.shared)
    print(folds_report(cross_validate(load_scorer(args.shared), docs, raw_predictions(docs))))
    speed = throughput(args.shared, args.rounds)
    print(f"\nspeed on {speed['articles']:.0f} articles, "
          f"{speed['words/article']:.0f} words/article ({args.rounds} rounds):")
    for name in SPEED_ROWS:
        print(f"  {name:<28}{speed[name]:>7.1f} articles/s")
    print(f"  enrich_many / spaCy full pipeline: "
          f"{speed['enrich_many'] / speed['spaCy full pipeline']:.2f}x")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other work on the machine lowers the wall-clock rows, not the CPU-second row)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
