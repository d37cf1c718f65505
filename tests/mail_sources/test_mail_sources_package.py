"""helpdesk_core.mail_sources stays light: each public name is imported on
first use, and reading a file or a Maildir does not load imaplib."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import helpdesk_core.mail_sources as mail_sources


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(*sorted(m for m in sys.modules if m.startswith(('helpdesk_core.mail_sources', 'imaplib'))))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60, env=dict(os.environ)
    )
    return set(done.stdout.split())


def test_every_public_name_resolves_to_its_module() -> None:
    assert sorted(mail_sources.__all__) == sorted(mail_sources._EXPORTS)
    for name, module in mail_sources._EXPORTS.items():
        assert getattr(mail_sources, name) is getattr(
            importlib.import_module(f"helpdesk_core.mail_sources.{module}"), name
        )


def test_importing_the_package_loads_none_of_its_modules() -> None:
    assert _modules_after("import helpdesk_core.mail_sources") == {"helpdesk_core.mail_sources"}


def test_files_and_maildirs_do_not_load_imaplib() -> None:
    loaded = _modules_after("from helpdesk_core.mail_sources import FileSource, MaildirSource")
    assert "imaplib" not in loaded and "helpdesk_core.mail_sources.imap" not in loaded
