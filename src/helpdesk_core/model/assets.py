"""What the service desk looks after at a customer: service objects (a café,
a shop, a point of sale) and pieces of equipment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import (
    identifier,
    instance_or_none,
    non_blank,
    required_identifier,
    text,
)
from helpdesk_core.model.ticket import Assignee

_assignee = instance_or_none(Assignee, "an Assignee (an employee or a group)")


def _attribute_map(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else value


def _attribute_names(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected a mapping of attribute "
            f"names to values, got {value!r}"
        )
    for name in value:
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(
                f"{type(instance).__name__}.{attribute.name}: {name!r} is not an attribute name"
            )


@attrs.frozen(kw_only=True)
class ServiceObject:
    """A place the desk serves, belonging to one company."""

    id: str = attrs.field(validator=required_identifier)
    name: str = attrs.field(validator=non_blank)
    company: str = attrs.field(validator=required_identifier)
    address: str = attrs.field(default="", validator=text)
    responsible: Assignee | None = attrs.field(default=None, validator=_assignee)
    external_id: str | None = attrs.field(default=None, validator=identifier)


@attrs.frozen(kw_only=True)
class Equipment:
    """A piece of equipment of a company, optionally installed at one of its
    service objects. ``type`` is an equipment-type id; ``attributes`` hold the
    extra fields of that type (a copy of the mapping given)."""

    id: str = attrs.field(validator=required_identifier)
    type: str = attrs.field(validator=required_identifier)
    company: str = attrs.field(validator=required_identifier)
    manufacturer: str = attrs.field(default="", validator=text)
    model: str = attrs.field(default="", validator=text)
    serial: str = attrs.field(default="", validator=text)
    service_object: str | None = attrs.field(default=None, validator=identifier)
    attributes: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_attribute_map, validator=_attribute_names
    )
    external_id: str | None = attrs.field(default=None, validator=identifier)

    def placed_at(self, service_object: ServiceObject | None) -> Equipment:
        """This equipment moved to ``service_object`` (None: not installed
        anywhere). An object of another company is refused."""
        if service_object is None:
            return attrs.evolve(self, service_object=None)
        if service_object.company != self.company:
            raise ValidationError(
                f"Equipment.service_object: equipment {self.id} belongs to company "
                f"{self.company}, service object {service_object.id} to {service_object.company}"
            )
        return attrs.evolve(self, service_object=service_object.id)


__all__ = ["Equipment", "ServiceObject"]
