"""``python -m helpdesk_cli`` runs the ``helpdesk`` command."""

from helpdesk_cli.main import main

main()
