"""Extraction cost of huge and hostile pages, beside a normal article page in the same run.

Each case runs in a fresh process so that its peak memory is its own: a page is generated in
memory (paragraphs, tiny nested tags, table rows, unclosed scripts, open divs) at 10 and 30 MB
and extracted with `extract_document`. The baseline is a normal-sized article page (the same
generator at 100 kB). Since the pre-trim (`extract/limits.py`) the cost is bounded whatever
the size; the figures to watch are seconds and peak RSS against the baseline's.

Usage: python -m bench.extract_limits [--sizes 10,30]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

UNITS = {
    "paragraphs": "<p>The council met on Tuesday to discuss the harbour budget, and members"
                  " asked about ferries, bridges and tides.</p>\n",
    "tiny-tags": '<div><span><a href="/x">link</a></span><b>b</b><i>i</i></div>',
    "table-rows": "<tr><td>cell one</td><td>cell two</td><td>3</td></tr>",
    "open-scripts": "<script>var a=1;",
    "open-divs": "<div>",
}
HEAD = ('<!doctype html><html><head><meta charset="utf-8"><title>Big page</title></head>'
        "<body><article><h1>Big page</h1>")


def page(shape: str, megabytes: float) -> bytes:
    unit = UNITS[shape]
    count = max(1, int(megabytes * 1_000_000 - len(HEAD)) // len(unit))
    return (HEAD + unit * count + "</article></body></html>").encode()


def _child(shape: str, megabytes: float) -> None:
    from tidings.extract import extract_document  # noqa: PLC0415 - timed in the child only

    data = page(shape, megabytes)
    start = time.perf_counter()
    article = extract_document(data, url="https://bench.example/a", content_type="text/html")
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "trimmed": bool(article.warning
                      and "very large" in article.warning)}))


def measure(shape: str, megabytes: float) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "bench.extract_limits", "--child", shape,
                          str(megabytes)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,30")
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args(argv if argv is not None else [])
    if args.child:
        _child(args.child[0], float(args.child[1]))
        return 0
    base = measure("paragraphs", 0.1)
    print(f"baseline, 0.1 MB article page: {base['seconds']:.2f} s, peak {base['peak_mb']:.0f} MB")
    print(f"{'shape':<14}{'MB':>5}{'seconds':>9}{'× base':>8}{'peak MB':>9}{'× base':>8}  trimmed")
    for megabytes in (float(s) for s in args.sizes.split(",")):
        for shape in UNITS:
            r = measure(shape, megabytes)
            print(f"{shape:<14}{megabytes:>5.0f}{r['seconds']:>9.2f}"
                  f"{r['seconds'] / base['seconds']:>8.1f}{r['peak_mb']:>9.0f}"
                  f"{r['peak_mb'] / base['peak_mb']:>8.1f}  {r['trimmed']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
