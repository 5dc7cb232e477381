"""Worker tests run again and again beside a CPU hog: leases must hold on a loaded machine.

Starts one busy-looping process per CPU core, then runs the chosen worker tests `--runs`
times in a row (each in a fresh pytest process) and reports how many passed. The default
tests are the kill-a-worker test and the 2 s lease / 5 s job test, on PostgreSQL.

Not run by `make bench` (it takes many minutes). Usage:
  TIDINGS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
    python -m bench.worker_soak [--runs 20] [--hogs 2] [TEST ...]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time

DEFAULT_TESTS = [
    "tests/test_worker.py::test_killing_a_worker_mid_run_loses_nothing[postgresql]",
    "tests/test_concurrency.py::test_a_job_longer_than_its_lease_runs_once[postgresql]",
]


def _hog(stop: multiprocessing.synchronize.Event) -> None:
    n = 0
    while not stop.is_set():
        for _ in range(100_000):
            n = (n * 31 + 7) % 1_000_003


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--hogs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("tests", nargs="*", default=DEFAULT_TESTS)
    args = parser.parse_args(argv)
    stop = multiprocessing.Event()
    hogs = [multiprocessing.Process(target=_hog, args=(stop,), daemon=True)
            for _ in range(args.hogs)]
    for h in hogs:
        h.start()
    passed = 0
    try:
        for n in range(args.runs):
            start = time.monotonic()
            result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                     *args.tests], capture_output=True, text=True, check=False)
            ok = result.returncode == 0
            passed += ok
            summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
            print(f"run {n + 1}: {'pass' if ok else 'FAIL'} in {time.monotonic() - start:.0f} s"
                  f" ({summary})", flush=True)
            if not ok:
                print(result.stdout[-4000:])
    finally:
        stop.set()
        for h in hogs:
            h.join(5)
    print(f"{passed} of {args.runs} runs passed beside {args.hogs} CPU hogs")
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
