"""helpdesk_core.intake stays light: each public name is imported on first
use, and lxml (for HTML bodies) only when an HTML body is read."""

from __future__ import annotations

import importlib
import subprocess
import sys

import helpdesk_core.intake as intake


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(*sorted(m for m in sys.modules if m.startswith(('helpdesk_core.intake', 'lxml'))))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


def test_every_public_name_resolves_to_its_module() -> None:
    assert sorted(intake.__all__) == sorted(intake._EXPORTS)
    for name, module in intake._EXPORTS.items():
        assert getattr(intake, name) is getattr(
            importlib.import_module(f"helpdesk_core.intake.{module}"), name
        )


def test_importing_the_package_loads_none_of_its_modules() -> None:
    assert _modules_after("import helpdesk_core.intake") == {"helpdesk_core.intake"}


def test_lxml_is_loaded_only_for_an_html_body() -> None:
    plain = _modules_after(
        "from helpdesk_core.intake import parse_message, classify\n"
        "classify(parse_message(b'Subject: x\\r\\n\\r\\nplain words'))"
    )
    assert not any(module.startswith("lxml") for module in plain)
