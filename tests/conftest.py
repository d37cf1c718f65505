"""Test-session settings shared by every test directory.

Under CI (the ``CI`` environment variable) hypothesis runs derandomized: the
same examples on every run, so a submission's result does not depend on luck.
Developers' runs stay random and keep exploring; a failure they find is printed
with the blob that reproduces it.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
