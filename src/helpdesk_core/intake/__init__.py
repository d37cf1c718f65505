"""E-mail, web-form and phone intake: pure decisions, no I/O."""
