"""`python -m bench`: run every bench/*.py module that defines main(), in turn."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    failures = 0
    for module_info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]),
                              key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        run = getattr(module, "main", None)
        if not callable(run):
            continue
        print(f"\n=== bench.{module_info.name} ===", flush=True)
        result = run()
        failures += 1 if isinstance(result, int) and result else 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
