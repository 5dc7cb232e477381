"""Story assignment through the store, this tree against another (a baseline commit's
worktree), interleaved: the fair comparison on a machine shared with other work.

Each tree gets a long-lived process of its own (its own code, its own SQLite database filled
as `bench.cluster_scale` fills it), and the two place the same new articles in turns of
`--batch` articles, so that both see the same load. Printed per size: docs/s per CPU-second
and by the clock of `store_article` and of its story assignment alone, for each tree, and
the min / median / max of the per-turn ratios. The baseline tree needs `bench.cluster_scale`
(with `Corpus`, `fill`, `TimedAssigner`), nothing of this file.

Usage: python -m bench.cluster_against --baseline ../baseline-worktree [--sizes 1000,10000,50000]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve()
TREES = ("this", "baseline")


def serve(root: Path, size: int, total: int) -> None:
    """Worker: fill a database with `root`'s code, then place `n` articles per stdin line
    and print [clock s, CPU s, assignment clock s, assignment CPU s] for them."""
    sys.path[:0] = [str(root / "src"), str(root)]
    from bench import cluster_scale as cs  # noqa: PLC0415 (the tree's own)
    from tidings.pipeline import store_article  # noqa: PLC0415
    from tidings.store.db import transaction  # noqa: PLC0415

    with cs.sqlite_database("against") as url:
        engine = cs._engine(url)
        corpus = cs.Corpus()
        docs = cs._new_articles(corpus, cs.fill(engine, corpus, size), total)
        assigner = cs.TimedAssigner()
        getattr(cs, "as_worker", lambda: None)()  # as its worker starts (older trees: no step)
        print("ready", flush=True)
        done = 0
        for line in sys.stdin:
            spent = (assigner.spent, assigner.cpu)
            wall, cpu = time.perf_counter(), time.process_time()
            for article in docs[done:done + int(line)]:
                with transaction(engine) as conn:
                    store_article(conn, article, f"new-{done}", assigner)
                done += 1
            print(json.dumps([time.perf_counter() - wall, time.process_time() - cpu,
                              assigner.spent - spent[0], assigner.cpu - spent[1]]), flush=True)
        engine.dispose()


def compare(roots: dict[str, Path], size: int, rounds: int, batch: int) -> str:
    procs = {}
    for tree, root in roots.items():  # one start-up (fill) at a time
        procs[tree] = subprocess.Popen(
            [sys.executable, str(HERE), "--serve", str(root), str(size), str(rounds * batch)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert procs[tree].stdout and procs[tree].stdout.readline().strip() == "ready"
    turns: dict[str, list[list[float]]] = {tree: [] for tree in roots}
    for turn in range(rounds):
        for tree in (TREES if turn % 2 == 0 else TREES[::-1]):
            proc = procs[tree]
            assert proc.stdin and proc.stdout
            proc.stdin.write(f"{batch}\n")
            proc.stdin.flush()
            turns[tree].append(json.loads(proc.stdout.readline()))
    for proc in procs.values():
        assert proc.stdin
        proc.stdin.close()
        proc.wait()
    n = rounds * batch
    lines = [f"{size} stored stories, {n} articles each, turns of {batch}:"]
    for tree, rows in turns.items():
        wall, cpu, a_wall, a_cpu = (sum(r[i] for r in rows) for i in range(4))
        lines.append(f"  {tree:8s} store_article {n / cpu:6.1f} per CPU-second ({n / wall:6.1f} "
                     f"by the clock), assignment {n / a_cpu:6.1f} ({n / a_wall:6.1f})")
    for i, what in ((1, "store_article per CPU-s"), (3, "assignment per CPU-s"),
                    (0, "store_article by clock"), (2, "assignment by clock")):
        ratios = [b[i] / t[i] for t, b in zip(turns["this"], turns["baseline"], strict=True)]
        lines.append(f"  this/baseline, {what}: min {min(ratios):.3f} median "
                     f"{statistics.median(ratios):.3f} max {max(ratios):.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="root of the baseline's worktree")
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(list(argv) if argv is not None else [])
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]), int(args.serve[2]))
        return 0
    if args.baseline is None:
        parser.error("--baseline is required")
    roots = {"this": HERE.parent.parent, "baseline": args.baseline.resolve()}
    for size in [int(s) for s in args.sizes.split(",") if s]:
        print(compare(roots, size, args.rounds, args.batch), f"(load {os.getloadavg()[0]:.1f})",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
