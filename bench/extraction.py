"""Extraction quality and speed: our extractor beside plain trafilatura, in the same run.

- trafilatura-eval (990 pages): trafilatura's own segment metric (micro P/R/F1 over
  "with"/"without" snippets), plus title and date accuracy against the gold metadata.
- CleanPortalEval (71 news-portal pages): CleanEval-style word overlap with the gold text.
- Capture cleaner: each page rendered to plain text with html-text (what select-all-and-copy
  gives), cleaned, and scored against the same gold beside the whole-page text.

trafilatura-eval is also scored by halves: our clean-up rules were chosen looking at the
even-indexed pages only, so the odd half is the held-out check.

Usage: python -m bench.extraction [--sample N]   (every N-th document; default all)
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import html
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import html_text
import trafilatura

from tidings.extract import clean_capture, extract_document
from tidings.extract.decode import decode_bytes

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)
_GOLD_TAG = re.compile(r"^\s*<(?:p|h|l)>\s*", re.I | re.M)


@dataclass
class Page:
    name: str
    url: str
    raw: bytes
    gold: dict[str, object] = field(default_factory=dict)
    index: int = -1  # place in the sorted corpus; the rules were chosen on even places only


@dataclass
class Output:
    text: str
    title: str = ""
    published: datetime | None = None
    published_day: str = ""  # the date as the page states it (YYYY-MM-DD), when known


@dataclass
class Score:
    """Counts for one system on one corpus; `seconds` is extraction CPU time only.

    CPU time of this process, not wall time: the machine is shared, and other people's jobs
    would otherwise decide which system looks faster.
    """

    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0
    tn: float = 0.0
    seconds: float = 0.0
    pages: int = 0
    title_hits: int = 0
    title_total: int = 0
    date_hits: int = 0
    date_total: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


Extractor = Callable[[Page], Output]


# --- systems ------------------------------------------------------------------------------

def ours(page: Page) -> Output:
    article = extract_document(page.raw, url=page.url, name=page.name)
    return Output(article.text, article.title, article.published_at)


def plain_trafilatura(page: Page) -> Output:
    """trafilatura as a user would call it on the same bytes (standard settings, metadata on)."""
    document = trafilatura.bare_extraction(page.raw, url=page.url, with_metadata=True,
                                           include_comments=False, include_tables=True)
    if document is None or isinstance(document, dict):
        return Output("")
    return Output(document.text or "", document.title or "", None, document.date or "")


def rendered_text(page: Page) -> str:
    """The page as select-all-and-copy would give it (decoded the way we decode pages)."""
    return html_text.extract_text(decode_bytes(page.raw), guess_layout=True)


def whole_page_text(page: Page) -> Output:
    return Output(rendered_text(page))


def capture_cleaner(page: Page) -> Output:
    article = clean_capture(rendered_text(page))
    return Output(article.text, article.title, article.published_at)


# --- corpora ------------------------------------------------------------------------------

def trafilatura_eval_pages(shared: Path, sample: int = 1) -> Iterator[Page]:
    folder = shared / "data" / "extraction" / "trafilatura-eval"
    gold = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    for i, (url, entry) in enumerate(sorted(gold.items())):
        if i % sample:
            continue
        raw = gzip.decompress((folder / "html" / f"{entry['file']}.gz").read_bytes())
        yield Page(entry["file"], url, raw, entry, i)


def cleanportal_pages(shared: Path, sample: int = 1) -> Iterator[Page]:
    folder = shared / "data" / "extraction" / "cleanportaleval"
    for i, path in enumerate(sorted((folder / "input").glob("*.html"))):
        if i % sample:
            continue
        gold_path = folder / "GoldStandard" / f"{path.stem}.txt"
        gold_text = gold_path.read_text(encoding="utf-8", errors="replace")
        first, _, rest = gold_text.partition("\n")
        url = first.removeprefix("URL:").strip()
        yield Page(path.name, url, path.read_bytes(), {"text": _GOLD_TAG.sub("", rest)})


# --- metrics ------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return _WS.sub(" ", text or "").strip()


def score_segments(score: Score, page: Page, out: Output) -> None:
    """trafilatura's metric: 'with' snippets found are TP, 'without' snippets found are FP."""
    text = _norm(out.text)
    for snippet in page.gold["with"]:  # type: ignore[attr-defined]
        if _norm(snippet) in text:
            score.tp += 1
        else:
            score.fn += 1
    for snippet in page.gold["without"]:  # type: ignore[attr-defined]
        if _norm(snippet) in text:
            score.fp += 1
        else:
            score.tn += 1
    _score_metadata(score, page, out)


def _score_metadata(score: Score, page: Page, out: Output) -> None:
    gold_title = _norm(str(page.gold.get("title") or ""))
    if gold_title:
        score.title_total += 1
        score.title_hits += _norm(out.title).casefold() == gold_title.casefold()
    gold_date = str(page.gold.get("date") or "")
    if _day(gold_date):
        score.date_total += 1
        score.date_hits += _same_day(out, gold_date)


def _same_day(out: Output, gold_day: str) -> bool:
    """Stated day equal; for a UTC datetime, equal once any real time zone is allowed for."""
    gold = _day(gold_day)
    if gold is None:
        return False
    if out.published_day:
        return _day(out.published_day) == gold
    if out.published is None:
        return False
    start = datetime(gold[0], gold[1], gold[2], tzinfo=UTC)
    # The page's day in its own zone (UTC-12 … UTC+14) maps to this UTC window.
    return start - timedelta(hours=14) <= out.published < start + timedelta(hours=36)


def _day(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a YYYY-M-D string; None when absent or not a real date."""
    match = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", text.strip())
    if not match:
        return None
    try:
        datetime(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return (int(match[1]), int(match[2]), int(match[3]))


def score_words(score: Score, page: Page, out: Output) -> None:
    """CleanEval-style: words of the output aligned with the gold words (difflib)."""
    gold = [w.casefold() for w in _WORD.findall(html.unescape(str(page.gold["text"])))]
    got = [w.casefold() for w in _WORD.findall(out.text or "")]
    matcher = difflib.SequenceMatcher(None, gold, got, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    score.tp += matched
    score.fp += len(got) - matched
    score.fn += len(gold) - matched


def run(pages: list[Page], systems: dict[str, Extractor],
        scorer: Callable[[Score, Page, Output], None]) -> dict[str, Score]:
    """Every system on every page; a crash counts as empty output (as upstream does)."""
    scores = {name: Score() for name in systems}
    for name, extractor in systems.items():
        _warm_up(extractor, pages)
        score = scores[name]
        for page in pages:
            started = time.process_time()
            try:
                out = extractor(page)
            except Exception as exc:  # the benchmark scores any crash as empty output
                print(f"  {name} crashed on {page.name}: {exc!r}", file=sys.stderr)
                out = Output("")
            score.seconds += time.process_time() - started
            score.pages += 1
            scorer(score, page, out)
            if page.index >= 0:  # the held-out half (odd) beside the half rules were chosen on
                half = f"{name} ({'odd' if page.index % 2 else 'even'})"
                scorer(scores.setdefault(half, Score()), page, out)
    return scores


def _warm_up(extractor: Extractor, pages: list[Page]) -> None:
    """Untimed first calls: lazy imports and date-parser tables load once, not per system."""
    for page in pages[:5]:
        try:
            extractor(page)
        except Exception:  # scored (and reported) in the timed run
            return


def evaluate(shared: Path, sample: int = 1) -> dict[str, dict[str, Score]]:
    """All corpora and systems; keys are corpus → system."""
    traf_pages = list(trafilatura_eval_pages(shared, sample))
    portal_pages = list(cleanportal_pages(shared, sample))
    html_systems: dict[str, Extractor] = {"tidings": ours, "trafilatura": plain_trafilatura}
    text_systems: dict[str, Extractor] = {"capture cleaner": capture_cleaner,
                                          "whole page text": whole_page_text}
    return {
        "trafilatura-eval": run(traf_pages, html_systems, score_segments),
        "cleanportaleval": run(portal_pages, html_systems, score_words),
        "trafilatura-eval as text": run(traf_pages, text_systems, score_segments),
        "cleanportaleval as text": run(portal_pages, text_systems, score_words),
    }


def _ratio(hits: int, total: int) -> str:
    return f"{hits / total:.3f} ({hits}/{total})" if total else "-"


def report(results: dict[str, dict[str, Score]]) -> str:
    lines = [f"{'corpus':26} {'system':20} {'P':>6} {'R':>6} {'F1':>6} {'pages/cpu-s':>11} "
             f"{'title acc':>16} {'date acc':>16}"]
    for corpus, systems in results.items():
        for name, s in systems.items():
            speed = f"{s.pages_per_second:.1f}" if s.seconds else "-"
            lines.append(
                f"{corpus:26} {name:20} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} "
                f"{speed:>11} {_ratio(s.title_hits, s.title_total):>16} "
                f"{_ratio(s.date_hits, s.date_total):>16}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=1, help="score every N-th page only")
    parser.add_argument("--shared", type=Path, default=SHARED, help="path to ../shared")
    args = parser.parse_args(argv if argv is not None else [])
    if not (args.shared / "data" / "extraction").is_dir():
        print(f"extraction bench skipped: {args.shared}/data/extraction not found")
        return 0
    results = evaluate(args.shared, args.sample)
    print(report(results))
    ours_s, theirs = (results["trafilatura-eval"][name] for name in ("tidings", "trafilatura"))
    speed = ours_s.pages_per_second / max(theirs.pages_per_second, 1e-9)
    portal = results["cleanportaleval"]
    print(f"\nF1 ours - trafilatura: trafilatura-eval {ours_s.f1 - theirs.f1:+.4f}, "
          f"cleanportaleval {portal['tidings'].f1 - portal['trafilatura'].f1:+.4f}; "
          f"speed ours/trafilatura {speed:.2f}x ({ours_s.pages_per_second:.1f} vs "
          f"{theirs.pages_per_second:.1f} pages per CPU-second)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
