"""The ``helpdesk sla`` group as the top-level command list loads it: ``sla
queue`` is imported alone (an agent's list must start fast: no report
machinery), every other ``sla`` command from :mod:`helpdesk_cli.sla`, where
they are defined on :data:`helpdesk_cli.sla.sla_group`."""

from __future__ import annotations

import click

_OWN = {"queue": ("helpdesk_cli.sla_queue", "queue_command")}
"""Commands of this group not defined in :mod:`helpdesk_cli.sla`."""


class SlaCommands(click.Group):
    """Looks up ``queue`` in its own module, the rest in :mod:`helpdesk_cli.sla`
    (imported only for them, and for the group's help)."""

    @staticmethod
    def _rest() -> click.Group:
        from helpdesk_cli.sla import sla_group

        return sla_group

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*_OWN, *self._rest().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _OWN:
            import importlib

            module, attribute = _OWN[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command)
            return command
        return self._rest().get_command(ctx, cmd_name)


@click.group("sla", cls=SlaCommands)
def sla_commands() -> None:
    """SLA reports, explanations, policy what-ifs, rule-table checks and work queues."""


__all__ = ["SlaCommands", "sla_commands"]
