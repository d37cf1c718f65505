"""The ``helpdesk`` command: a thin click shell over helpdesk_core."""
