"""Every fuzz seed and every crash the fuzzers ever found, replayed through its target.

The targets (fuzz/targets.py) raise only on a Tidings bug: an exception other than the
boundary's own error type, or a guard answer that must not happen. `make fuzz` finds new
inputs; a crash kept in fuzz/regressions/ stays fixed because this test runs in `make test`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"


def _targets():
    spec = importlib.util.spec_from_file_location("fuzz_targets", FUZZ / "targets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TARGETS


TARGETS = _targets()
CASES = sorted((kind, p) for kind in ("corpus", "regressions") for p in (FUZZ / kind).glob("*/*")
               if p.is_file() and not p.name.startswith("."))


def test_every_target_has_seeds_and_the_campaign_crashes_are_kept():
    for name in TARGETS:
        assert list((FUZZ / "corpus" / name).iterdir()), f"no seeds for {name}"
    for name in ("feed", "opml", "url", "html"):
        assert list((FUZZ / "regressions" / name).iterdir()), f"no regressions for {name}"


@pytest.mark.parametrize(("kind", "path"), CASES,
                         ids=[f"{k}/{p.parent.name}/{p.name}" for k, p in CASES])
def test_replay(kind: str, path: Path) -> None:
    TARGETS[path.parent.name](path.read_bytes())
