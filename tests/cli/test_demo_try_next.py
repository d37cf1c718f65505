"""After ``make demo`` the ``helpdesk`` that ran is ``.venv/bin/helpdesk``, not
on the PATH: the "Try next" commands the demo prints must run as printed,
pasted into a shell in the same folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk_cli.invocation import invoked_as, shown_path

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PATH = "/usr/bin:/bin"


def console_script(folder: Path) -> Path:
    """A ``helpdesk`` console script as pip writes one into a venv's bin."""
    script = folder / ".venv" / "bin" / "helpdesk"
    script.parent.mkdir(parents=True)
    script.write_text(
        f"#!{sys.executable}\nimport sys\nfrom helpdesk_cli.main import main\nsys.exit(main())\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def shell(command: str, cwd: Path, path: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")}
    env.update(PATH=path, PYTHONPATH=str(ROOT / "src"), COLUMNS="120")
    return subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=180)


def try_next(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = lines.index("Try next:")
    return [line.strip() for line in lines[start + 1:] if line.startswith("  ")]


@pytest.mark.slow
def test_the_suggested_commands_run_as_printed_after_make_demo(tmp_path: Path) -> None:
    console_script(tmp_path)
    assert shell("command -v helpdesk", tmp_path, SYSTEM_PATH).returncode != 0, "no helpdesk on the PATH"
    demo = shell(".venv/bin/helpdesk demo --tickets 60", tmp_path, SYSTEM_PATH)
    assert demo.returncode == 0, demo.stderr
    commands = try_next(demo.stdout)
    assert len(commands) == 3
    assert all(c.startswith(".venv/bin/helpdesk --db demo.sqlite3 --config demo.toml ") for c in commands)
    for command in commands:
        ran = shell(command, tmp_path, SYSTEM_PATH)
        assert ran.returncode == 0, (command, ran.stderr)
    assert (tmp_path / "demo-dashboard.png").is_file() and (tmp_path / "sla.xlsx").is_file()


def test_with_the_venv_on_the_path_the_commands_say_helpdesk(tmp_path: Path) -> None:
    script = console_script(tmp_path)
    elsewhere = tmp_path / "desks"
    elsewhere.mkdir()
    demo = shell(f"helpdesk demo --tickets 20 --path {elsewhere}/my\\ demo.sqlite3", tmp_path,
                 f"{script.parent}:{SYSTEM_PATH}")
    assert demo.returncode == 0, demo.stderr
    commands = try_next(demo.stdout)
    assert commands[0].startswith(
        "helpdesk --db 'desks/my demo.sqlite3' --config 'desks/my demo.toml' sla report "
    )
    ran = shell(commands[1], tmp_path, f"{script.parent}:{SYSTEM_PATH}")
    assert ran.returncode == 0, ran.stderr


def nowhere(program: str) -> None:
    return None


def test_invoked_as_names_the_program_as_it_must_be_typed(tmp_path: Path) -> None:
    script = console_script(tmp_path)
    assert invoked_as(str(script), which=nowhere, cwd=tmp_path) == ".venv/bin/helpdesk"
    assert invoked_as(".venv/bin/helpdesk", which=nowhere, cwd=tmp_path) == ".venv/bin/helpdesk"
    assert invoked_as(str(script), which=lambda _: str(script), cwd=tmp_path) == "helpdesk"
    assert invoked_as(str(script), which=lambda _: "/usr/local/bin/helpdesk", cwd=tmp_path) == ".venv/bin/helpdesk"
    assert invoked_as(str(script), which=nowhere, cwd=tmp_path / "sub") == str(script)
    assert invoked_as("helpdesk", which=nowhere, cwd=tmp_path) == "helpdesk"
    module = invoked_as(str(ROOT / "src" / "helpdesk_cli" / "__main__.py"), cwd=tmp_path)
    assert module.endswith(" -m helpdesk_cli")
    assert shown_path(Path("/data/my desk.sqlite3"), tmp_path) == "'/data/my desk.sqlite3'"
    assert shown_path(Path("a/../demo.sqlite3"), tmp_path) == "demo.sqlite3"
