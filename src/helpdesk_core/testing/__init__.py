"""Test support shipped with the package: the storage contract suite
(:mod:`helpdesk_core.testing.contract`) that every backend — ours and
third-party ones — runs to show it keeps the promises of the Protocols.

Importing it needs pytest; the library itself never does.
"""
