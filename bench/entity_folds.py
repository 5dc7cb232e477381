"""Leave-one-article-out cross-validation of the entity mechanisms on GUM news dev.

Each fold holds one article out and chooses `EntityRules` on the other eleven by backward
elimination: starting from every mechanism on, drop the one whose removal raises the
training coarse F1 most, until no removal raises it (a mechanism that makes no difference
stays; the merges in `MERGES` are not chosen, see `tidings.enrich.rules`). The held-out
article is then scored with the rules its fold chose. Pooling the held-out counts gives the
cross-validated figure; raw spaCy is scored on the same held-out articles (it has nothing to
choose, so its figure is its whole-set one). The in-sample figure is the same selection run
on all twelve articles and scored on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from spacy.tokens import Doc

from tidings.enrich import load_nlp
from tidings.enrich.entities import extract_entities
from tidings.enrich.rules import ALL_RULES, MERGES, EntityRules
from tidings.models import EntityKind

OUR_KINDS = {EntityKind.PERSON: "person", EntityKind.ORG: "organization",
             EntityKind.PLACE: "place"}
Counts = tuple[int, int, int, int]  # recalled gold, gold, correct predictions, predictions
Gold = dict[str, Any]


def f1(counts: Counts) -> float:
    recalled, gold, correct, predicted = counts
    r = recalled / gold if gold else 0.0
    p = correct / predicted if predicted else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def add(a: Counts, b: Counts) -> Counts:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3])


def doc_counts(scorer: ModuleType, gold: Gold, predictions: list[dict[str, Any]]) -> Counts:
    """The shared scorer's coarse counts for one article (recovered from its rounded P/R)."""
    s = scorer.score([gold], {gold["id"]: predictions}, coarse=True)
    predicted = len(predictions)
    return (round(s["r"] * s["gold_entities"]), s["gold_entities"],
            round(s["p"] * predicted), predicted)


@dataclass
class Folds:
    """Per-article coarse counts for any `EntityRules`, computed once per rule set."""

    scorer: ModuleType
    docs: list[Gold]
    processed: list[Doc]

    def __post_init__(self) -> None:
        self._cache: dict[EntityRules, list[Counts]] = {}

    def counts(self, rules: EntityRules) -> list[Counts]:
        if rules not in self._cache:
            self._cache[rules] = [doc_counts(self.scorer, gold, _ours(doc, rules))
                                  for gold, doc in zip(self.docs, self.processed, strict=True)]
        return self._cache[rules]

    def pooled(self, rules: EntityRules, ids: list[int]) -> Counts:
        total: Counts = (0, 0, 0, 0)
        for i in ids:
            total = add(total, self.counts(rules)[i])
        return total


def _ours(doc: Doc, rules: EntityRules) -> list[dict[str, Any]]:
    found = extract_entities(doc, rules=rules)
    return [{"name": e.name, "kind": OUR_KINDS[e.kind], "aliases": e.aliases}
            for e in found.entities if e.kind in OUR_KINDS]


def choose(score: Callable[[EntityRules], float]) -> EntityRules:
    """Backward elimination from every mechanism on; a removal must raise the score."""
    rules, best = ALL_RULES, score(ALL_RULES)
    while True:
        trials = [(score(rules.without(name)), name) for name in rules.enabled()
                  if name not in MERGES]
        top, name = max(trials, default=(best, ""))
        if top <= best:
            return rules
        rules, best = rules.without(name), top


def _scored_on(folds: Folds, ids: list[int]) -> Callable[[EntityRules], float]:
    def score(rules: EntityRules) -> float:
        return f1(folds.pooled(rules, ids))
    return score


def cross_validate(scorer: ModuleType, docs: list[Gold],
                   raw: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """In-sample and leave-one-article-out coarse F1, ours and raw spaCy, same articles."""
    folds = Folds(scorer, docs, list(load_nlp().pipe(d["text"] for d in docs)))
    everyone = list(range(len(docs)))
    held_out: Counts = (0, 0, 0, 0)
    chosen = []
    for i in everyone:
        rules = choose(_scored_on(folds, [j for j in everyone if j != i]))
        chosen.append(rules)
        held_out = add(held_out, folds.counts(rules)[i])
    in_sample_rules = choose(_scored_on(folds, everyone))
    raw_counts: Counts = (0, 0, 0, 0)
    for gold in docs:
        raw_counts = add(raw_counts, doc_counts(scorer, gold, raw[gold["id"]]))
    return {"cv": f1(held_out), "in_sample": f1(folds.pooled(in_sample_rules, everyone)),
            "all_on": f1(folds.pooled(ALL_RULES, everyone)), "raw": f1(raw_counts),
            "rules": in_sample_rules, "fold_rules": chosen, "ids": [d["id"] for d in docs]}


def report(result: dict[str, Any]) -> str:
    """The figures and which mechanisms each fold dropped."""
    lines = [f"\n{'GUM coarse F1, leave-one-article-out':<40}{'ours':>8}{'raw':>8}{'gain':>8}",
             *(f"{label:<40}{result[key]:>8.4f}{result['raw']:>8.4f}"
               f"{result[key] - result['raw']:>+8.4f}"
               for label, key in (("in-sample (rules chosen on all 12)", "in_sample"),
                                  ("cross-validated (chosen on 11)", "cv"),
                                  ("every mechanism on", "all_on")))]
    dropped = sorted(set(ALL_RULES.enabled()) - set(result["rules"].enabled()))
    lines.append(f"chosen on all 12 drops: {', '.join(dropped) or 'nothing'}")
    for doc_id, rules in zip(result["ids"], result["fold_rules"], strict=True):
        off = sorted(set(ALL_RULES.enabled()) - set(rules.enabled()))
        lines.append(f"  fold {doc_id:<28} drops: {', '.join(off) or 'nothing'}")
    return "\n".join(lines)
