"""A click ``Choice`` whose refusal suggests the closest choice, so a typo in
``--state breachd`` or ``--group-by compnay`` says what was meant (exit code 2)."""

from __future__ import annotations

from typing import Any

import click

from helpdesk_core.suggestions import did_you_mean


class Choice(click.Choice[str]):
    """``click.Choice`` with a did-you-mean in its error message."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        message = super().get_invalid_choice_message(value, ctx).rstrip(".")
        return f"{message}{did_you_mean(str(value), map(str, self.choices))}."


__all__ = ["Choice"]
