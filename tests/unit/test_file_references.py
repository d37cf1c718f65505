"""Every file a help text, a document or a docstring names is in the
repository: a reader sent to ``FORMATS.md`` or ``DOMAIN.md`` — files of the
project's making that were never shipped — finds nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click

from helpdesk_cli.main import cli

ROOT = Path(__file__).resolve().parents[2]

NAMED = re.compile(
    r"(?<![\w/.-])(?:(?:docs|examples|src|tests|bench)/[\w./-]*\w|[\w-]+\.md)(?![\w/-])"
)
"""A path inside the repository (``docs/…``, ``examples/…``) or a Markdown
file named alone (``FORMATS.md``)."""

SHIPPED = {p.name for p in ROOT.rglob("*.md") if ".venv" not in p.parts}


def help_texts(command: click.Command, path: str) -> Iterator[tuple[str, str]]:
    ctx = click.Context(command, info_name=path)
    yield f"helpdesk help: {path}", command.get_help(ctx)
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None
            yield from help_texts(sub, f"{path} {name}")


def documents() -> Iterator[tuple[str, str]]:
    paths = [ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml"]
    paths += sorted((ROOT / "docs").glob("*.md"))
    paths += sorted(p for p in (ROOT / "examples").rglob("*") if p.is_file())
    paths += sorted((ROOT / "src").rglob("*.py"))
    paths += sorted((ROOT / "bench").rglob("*.py"))
    for path in paths:
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def missing(text: str) -> list[str]:
    gone = []
    for name in NAMED.findall(text):
        exists = (ROOT / name).exists() if "/" in name else name in SHIPPED
        if not exists:
            gone.append(name)
    return gone


def test_the_check_finds_a_file_that_is_not_shipped() -> None:
    assert missing("the columns of FORMATS.md, see docs/formats.md and DOMAIN.md") == [
        "FORMATS.md", "DOMAIN.md"
    ]
    assert missing("helpdesk sla whatif --config examples/proposed.toml; docs/nowhere.md") == [
        "docs/nowhere.md"
    ]
    assert missing("import bad.jsonl and contacts.csv, or `t.jsonl line 3`") == []


def test_every_help_text_names_only_files_in_the_repository() -> None:
    problems = {where: gone for where, text in help_texts(cli, "helpdesk") if (gone := missing(text))}
    assert problems == {}


def test_every_document_and_docstring_names_only_files_in_the_repository() -> None:
    problems = {where: gone for where, text in documents() if (gone := missing(text))}
    assert problems == {}
