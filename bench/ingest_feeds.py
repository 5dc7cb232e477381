"""Feed ingestion speed: our parse_feed beside raw feedparser on the same bytes, same run.

All real-world feed files (`../shared/data/feeds/realworld/feeds`, RSS/Atom/RDF/JSON) are read
into memory once, then parsed `--repeat` times by each side. Ours does more per feed
(content sniffing, JSON Feed, plain-text titles, date checks, entry keys), so the figure to
watch is the ratio, and how many entries each side actually got out of the bytes.

Usage: python -m bench.ingest_feeds [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import feedparser

from tidings.sources import FeedError, entry_key, parse_feed

FEEDS = Path(__file__).resolve().parents[1].parent / "shared/data/feeds/realworld/feeds"
FEED_SUFFIXES = {".rss", ".atom", ".xml", ".rdf", ".json"}


def load() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(FEEDS.iterdir())
            if p.suffix in FEED_SUFFIXES]


def ours(data: bytes) -> int:
    try:
        feed = parse_feed(data)
    except FeedError:
        return 0
    for entry in feed.entries:
        entry_key(entry)
    return len(feed.entries)


def raw_feedparser(data: bytes) -> int:
    return len(feedparser.parse(io.BytesIO(data)).entries)


def measure(parse: Callable[[bytes], int], docs: list[tuple[str, bytes]], repeat: int
            ) -> tuple[float, int]:
    """Best-of-`repeat` seconds for one pass over all docs, and entries per pass."""
    best, entries = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        entries = sum(parse(data) for _, data in docs)
        best = min(best, time.perf_counter() - started)
    return best, entries


def report(label: str, docs: list[tuple[str, bytes]], repeat: int) -> None:
    megabytes = sum(len(d) for _, d in docs) / 1e6
    print(f"\n{label}: {len(docs)} feeds, {megabytes:.1f} MB, best of {repeat} passes")
    rows = []
    for name, parse in (("tidings parse_feed", ours), ("raw feedparser", raw_feedparser)):
        seconds, entries = measure(parse, docs, repeat)
        rows.append((name, seconds, entries))
        print(f"  {name:20s} {len(docs) / seconds:8.1f} feeds/s {entries / seconds:9.0f} entries/s"
              f"  ({entries} entries per pass, {seconds * 1000:.0f} ms)")
    (_, ours_s, _), (_, raw_s, _) = rows
    print(f"  ratio tidings/feedparser time: {ours_s / raw_s:.2f}x"
          f" (>1 means ours is slower)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv if argv is not None else [])
    if not FEEDS.is_dir():
        print(f"skipped: {FEEDS} not found (needs ../shared beside the checkout)")
        return 0
    docs = load()
    xml_docs = [(n, d) for n, d in docs if not n.endswith(".json")]
    report("all feed files (JSON Feed included; feedparser reads 0 entries from those)", docs,
           args.repeat)
    report("XML feeds only (both sides read them)", xml_docs, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
