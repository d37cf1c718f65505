"""The CLI under bad input (issue 12, item 10): every case — option values,
``generate``, store URLs, the configuration, the ``--audit`` file, stored text
shown on a terminal, and import files (CSV and JSON Lines) — ends as ``ok`` or
a clean error: no traceback, no hang, no store changed by a failed command, no
silent coercion, no control character reaching the terminal raw.

The script ``tests/property/cli_fuzz.py`` runs the same families for the
figures per outcome class.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_fuzz import AREAS, DEFECTS, Case, build_template, cases, run_case
from hypothesis import HealthCheck, given, settings


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="helpdesk-fuzz-template-") as folder:
        yield build_template(Path(folder))


@pytest.mark.slow
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(case=cases((*AREAS["cli"], *AREAS["imports"])))
def test_bad_input_to_the_cli_ends_in_a_clean_error_or_success(template: Path, case: Case) -> None:
    outcome = run_case(case, template)
    assert not outcome.classes & DEFECTS, outcome.describe()
