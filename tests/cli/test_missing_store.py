"""Commands that only read a store refuse an SQLite file that is not there,
instead of creating an empty store and reporting that it holds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpdesk_cli.context import AppContext, sqlite_file
from helpdesk_cli.main import cli
from helpdesk_core.sample import DEMO_CONFIGURATION

AS_OF = "2026-04-08T12:00:00+02:00"


@pytest.mark.parametrize(
    "args",
    [
        ("sla", "report", "--as-of", AS_OF),
        ("sla", "explain", "T-1", "--as-of", AS_OF),
        ("sla", "whatif", "--config", "{config}", "--as-of", AS_OF),
        ("report", "dashboard", "--as-of", AS_OF),
        ("export", "companies"),
        ("ticket", "list"),
        ("ticket", "show", "T-1"),
        ("privacy", "forget", "P-1", "--yes"),
        ("privacy", "export", "P-1"),
        ("privacy", "audit"),
    ],
    ids=lambda args: " ".join(args[:2]),
)
@pytest.mark.parametrize("url", ["{folder}/typo.sqlite3", "sqlite:///{folder}/typo.sqlite3"])
def test_a_reading_command_refuses_a_store_file_that_is_not_there(
    tmp_path: Path, args: tuple[str, ...], url: str
) -> None:
    config = tmp_path / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    app = AppContext(db_url=url.format(folder=tmp_path), config_path=config)
    result = CliRunner().invoke(cli, [a.format(config=config) for a in args], obj=app)
    assert result.exit_code == 3, result.output
    assert result.output == (
        f"Error: no store at '{tmp_path}/typo.sqlite3': check --db (or HELPDESK_DB); "
        "helpdesk import, generate or demo create one\n"
    )
    assert not (tmp_path / "typo.sqlite3").exists(), "nothing was created"


def test_commands_that_write_still_create_the_store(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    app = AppContext(db_url=str(db), config_path=None)
    result = CliRunner().invoke(cli, ["generate", "--tickets", "5", "--seed", "1"], obj=app)
    assert result.exit_code == 0, result.output
    assert db.exists()


def test_only_sqlite_urls_name_a_file() -> None:
    assert sqlite_file("desk.sqlite3") == Path("desk.sqlite3")
    assert sqlite_file("sqlite:////srv/desk.sqlite3") == Path("/srv/desk.sqlite3")
    assert sqlite_file("memory://") is None
    assert sqlite_file("postgresql://helpdesk@127.0.0.1:5432/desk") is None
