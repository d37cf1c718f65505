"""Where the tests find ``../shared/intake-corpus`` (200 real messages with
their expectations, read in place, never copied in), and the mark of the
tests that read it: skipped on a developer's machine without the shared
folder, but never under ``CI``, where a corpus that is not found must fail
the run instead of silently testing nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "intake-corpus"
"""The corpus beside the repository (the repository root's parent)."""

MESSAGES = CORPUS / "messages"

needs_corpus = pytest.mark.skipif(
    not (CORPUS / "expected.jsonl").is_file() and not os.environ.get("CI"),
    reason=f"the intake corpus is not at {CORPUS} (../shared/intake-corpus beside the repository)",
)
