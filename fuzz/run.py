"""`python fuzz/run.py TARGET [libFuzzer options]`: coverage-guided fuzzing with atheris.

TARGET is one of fuzz/targets.py's TARGETS. `make fuzz` runs each for a bounded time on a
scratch copy of its seed corpus (fuzz/corpus/TARGET); crashes land in fuzz/findings/. Keep a
crash by copying it into fuzz/regressions/TARGET/, and `make test` replays it from then on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

with atheris.instrument_imports(include=["tidings", "feedparser", "trafilatura", "targets"]):
    import targets


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in targets.TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(targets.TARGETS)}}} [libFuzzer options]")
    target = targets.TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
