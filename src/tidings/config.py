"""One typed Settings object, built once (env `TIDINGS_*`, optional TOML) and passed down.

Every field is documented in its metadata; the README's configuration table is checked
against `SETTINGS_DOC` by a test so that the two cannot drift.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting had a value we cannot use; the message names the setting."""


def _doc(default: Any, text: str) -> Any:
    return field(default=default, metadata={"doc": text})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _doc(Path("data"), "Directory for the SQLite database and other state.")
    database_url: str = _doc(
        "", "SQLAlchemy URL. Empty: SQLite file `tidings.db` in the data dir."
    )
    host: str = _doc("127.0.0.1", "Address `tidings serve` listens on.")
    port: int = _doc(8000, "Port `tidings serve` listens on.")
    starter_feeds: bool = _doc(
        True, "`tidings demo` also subscribes the starter OPML of real feeds when online."
    )
    user_agent: str = _doc(
        "Tidings/0.1 (self-hosted news reader; feed fetcher)",
        "User-Agent sent with every request.",
    )
    fetch_timeout_s: float = _doc(15.0, "Connect/read timeout per request, in seconds.")
    max_body_bytes: int = _doc(10_000_000, "Largest response body accepted (after decoding).")
    max_redirects: int = _doc(5, "Most redirects followed per request.")
    max_request_bytes: int = _doc(
        1_000_000, "Largest request body the web server accepts, in bytes (larger: HTTP 413)."
    )
    image_proxy: bool = _doc(
        False, "Show article images through this server (fetched via the egress guard), so "
        "that publishers never see a reader's address.")
    allow_hosts: tuple[str, ...] = _doc(
        (), "Hosts/networks the egress guard admits even if private (comma-separated)."
    )
    refresh_interval_s: int = _doc(1800, "Default time between two checks of a source.")
    job_lease_s: int = _doc(
        300, "How long a worker holds a job before another worker may take it over."
    )
    worker_poll_s: float = _doc(5.0, "How often an idle worker looks for due work, in seconds.")
    user: str = _doc("demo", "Account `tidings demo` loads the sample newsroom for.")
    base_url: str = _doc(
        "", "Public URL of the server (absolute links, Atom ids, Host check). Empty: loopback."
    )
    host_aliases: tuple[str, ...] = _doc(
        (), "Other host names the server answers to besides the base URL's (comma-separated)."
    )
    session_idle_s: int = _doc(14 * 86400, "A session unused this long (seconds) ends.")
    session_max_s: int = _doc(60 * 86400, "A session ends this long (seconds) after sign-in.")
    signin_max_failures: int = _doc(
        10, "Failed sign-ins per account or client address in 15 minutes before 429."
    )
    retention_days: int = _doc(
        90, "Read, unstarred articles older than this many days are pruned (starred: never)."
    )
    rank_threads: int = _doc(
        2, "Feed rankings (`/api/v1/feed`) one server process works on at once; more wait "
        "their turn. Ranking is CPU work: more threads only take turns at the interpreter."
    )
    sync_fold_stories: bool = _doc(
        True, "Sync apps (Google Reader API, Fever): marking an article read also marks the "
        "other articles of its story read.",
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tidings.db').resolve()}"

    @property
    def public_url(self) -> str:
        """The base URL links are made from: the configured one, else the loopback address."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")


# Values outside these bounds are configuration mistakes (a busy loop, a disabled limit).
LIMITS: dict[str, tuple[float, float]] = {
    "port": (1, 65535),
    "fetch_timeout_s": (0.1, 600),
    "max_body_bytes": (1024, 1_000_000_000),
    "max_redirects": (0, 20),
    "max_request_bytes": (1024, 1_000_000_000),
    "refresh_interval_s": (60, 7 * 86400),
    "job_lease_s": (1, 86400),
    "worker_poll_s": (0.05, 3600),
    "session_idle_s": (60, 366 * 86400),
    "session_max_s": (60, 3660 * 86400),
    "signin_max_failures": (1, 10_000),
    "retention_days": (1, 36_500),
    "rank_threads": (1, 256),
}

SETTINGS_DOC: dict[str, str] = {
    f"TIDINGS_{f.name.upper()}": f.metadata["doc"] for f in fields(Settings)
}


def _coerce(name: str, raw: Any, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(text)
        if isinstance(default, Path):
            return Path(raw).expanduser()
        if isinstance(default, tuple):
            items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
            return tuple(s.strip() for s in items if str(s).strip())
        return type(default)(raw)
    except (TypeError, ValueError) as exc:
        kind = type(default).__name__
        raise SettingsError(f"TIDINGS_{name.upper()}={raw!r} is not a valid {kind}") from exc


def load_settings(
    env: Mapping[str, str] | None = None, toml_path: Path | None = None, **overrides: Any
) -> Settings:
    """Build Settings from defaults < TOML file (`TIDINGS_CONFIG`) < environment < overrides."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    toml_path = toml_path or (Path(env["TIDINGS_CONFIG"]) if env.get("TIDINGS_CONFIG") else None)
    if toml_path is not None:
        try:
            values.update(tomllib.loads(toml_path.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"cannot read config file {toml_path}: {exc}") from exc
    for f in fields(Settings):
        key = f"TIDINGS_{f.name.upper()}"
        if key in env:
            values[f.name] = env[key]
    values.update(overrides)
    known = {f.name: f.default for f in fields(Settings)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
    coerced = {k: _coerce(k, v, known[k]) for k, v in values.items()}
    for name, value in coerced.items():
        if name not in LIMITS:
            continue
        low, high = LIMITS[name]
        if not low <= value <= high:
            raise SettingsError(f"TIDINGS_{name.upper()}={value!r} is out of range "
                                f"({low:g} to {high:g})")
    return replace(Settings(), **coerced)
