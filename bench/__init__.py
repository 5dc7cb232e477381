"""Quality gates and speed benchmarks: each module's main() prints figures beside a baseline."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def load_shared_tool(path: Path) -> ModuleType:
    """A reference scorer from ../shared/tools, imported in place (never copied in)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"scorer not found at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
