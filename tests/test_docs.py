"""The README cannot drift from the code: every setting and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command

from tidings.cli import app
from tidings.config import SETTINGS_DOC, SettingsError, load_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(SETTINGS_DOC))
def test_every_setting_is_in_the_readme_table(name: str) -> None:
    row = re.search(rf"^\| `{name}` \|.*\| (.+) \|$", README, re.MULTILINE)
    assert row, f"{name} missing from the README configuration table"
    assert row.group(1) == SETTINGS_DOC[name]


def test_every_cli_command_is_in_the_readme() -> None:
    commands = get_command(app).commands  # type: ignore[attr-defined]
    missing = [c for c in commands if f"`{c}`" not in README]
    assert not missing


def test_readme_shows_the_two_commands_first() -> None:
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_bad_setting_values_are_named_in_the_error() -> None:
    with pytest.raises(SettingsError, match="TIDINGS_PORT='eighty'"):
        load_settings(env={"TIDINGS_PORT": "eighty"})
    with pytest.raises(SettingsError, match="TIDINGS_STARTER_FEEDS"):
        load_settings(env={"TIDINGS_STARTER_FEEDS": "maybe"})
    with pytest.raises(SettingsError, match=r"TIDINGS_WORKER_POLL_S=0\.0 is out of range"):
        load_settings(env={"TIDINGS_WORKER_POLL_S": "0"})
    with pytest.raises(SettingsError, match="TIDINGS_MAX_REDIRECTS=-1"):
        load_settings(env={"TIDINGS_MAX_REDIRECTS": "-1"})


def test_settings_from_toml_then_environment(tmp_path: Path) -> None:
    toml = tmp_path / "tidings.toml"
    toml.write_text('port = 9001\nallow_hosts = ["127.0.0.1", "10.0.0.0/8"]\nhost = "0.0.0.0"\n')
    s = load_settings(env={"TIDINGS_CONFIG": str(toml), "TIDINGS_HOST": "::1"})
    assert (s.port, s.host, s.allow_hosts) == (9001, "::1", ("127.0.0.1", "10.0.0.0/8"))
    with pytest.raises(SettingsError, match="unknown setting"):
        load_settings(env={}, toml_path=toml, colour="blue")
