"""Store URLs as people see them, and as :func:`helpdesk_core.storage.open_store` takes them.

A URL may carry a password (``postgresql://desk:s3cret@db/helpdesk`` or
``…?password=s3cret``). Every message, log line or output that shows a store
URL shows :func:`redacted` instead, so a password never reaches a terminal,
a cron mail or a CI log. :func:`redacted` works on any text, even one that is
not a valid URL (an error about a malformed URL still names it).
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import SplitResult, urlsplit

from helpdesk_core.errors import ValidationError

HIDDEN: Final = "***"
"""What a password is shown as."""
_QUERY_SECRET: Final = re.compile(r"(?i)([?&](?:password|passwd|pass|pwd|sslpassword)=)[^&#]*")


def redacted(url: str) -> str:
    """``url`` with the password of its authority (``user:PASSWORD@host``) and
    of any ``password=`` query parameter replaced by ``***``; a URL without
    one is returned unchanged."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if found != -1:
            end = min(end, found)
    authority, tail = rest[:end], rest[end:]
    userinfo, at, host = authority.rpartition("@")
    if at and ":" in userinfo:
        user = userinfo.split(":", 1)[0]
        authority = f"{user}:{HIDDEN}@{host}"
    tail = _QUERY_SECRET.sub(lambda found: found.group(1) + HIDDEN, tail)
    return f"{scheme}://{authority}{tail}"


def split_server_url(url: str) -> SplitResult:
    """The parts of a database server's URL (``postgresql://…``), checked
    so far as a URL can be without connecting: a malformed host (``[::1``) or
    a port that is not a number from 0 to 65535 is refused, naming the URL
    (redacted) and the reason."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsed on access; a bad port raises here
    except ValueError as error:
        raise ValidationError(f"store URL {redacted(url)!r} is malformed: {error}") from None
    return parts


__all__ = ["HIDDEN", "redacted", "split_server_url"]
