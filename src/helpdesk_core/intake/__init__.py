"""Intake: how e-mail, web forms and phone calls become tickets (pure decisions; the desk stores)."""
