"""Threading: which ticket an incoming message belongs to — verified, not guessed.

1. **Reply tokens** (:mod:`helpdesk_core.reply_tokens`) in ``In-Reply-To``,
   ``References`` and the addresses the message was sent to, newest first:
   a genuine token of an existing ticket threads the message there when it was
   issued to the sender or the sender is a participant of the ticket; a
   genuine token issued to somebody else, from a non-participant, is a
   forwarded thread and is **held** for a person. A token that is not genuine
   (a wrong signature) is never trusted.
2. **The subject tag** ``[T-1001]`` carries no signature: it threads the
   message only when the sender is a **participant** of that ticket (its
   contact or the contact's copy address, an observer, an address of the
   company's domains, an employee of the desk). A tag from anybody else is
   held with the reason — a stranger who writes ``[T-401]`` never lands in
   somebody else's ticket.
3. Nothing of ours (no token, no tag of an existing ticket): a new ticket.

Pure: the shell reads the tickets the message names (:func:`named_tickets`)
and their :class:`Participants`, then :func:`decide_thread` decides.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

import attrs

from helpdesk_core.reply_tokens import ReplyToken, tags_in_subject, tokens_in


class ThreadAction(enum.StrEnum):
    """What intake does with a message, as far as threading decides."""

    COMMENT = "comment"
    NEW_TICKET = "new_ticket"
    HELD = "held"


@attrs.frozen(kw_only=True)
class Participants:
    """Who may write to a ticket by its subject tag: ``addresses`` (the
    contact's, its copy address, the observers', every employee's) and
    ``domains`` (the company's), all lower-case; ``who`` names each address's
    person for the reason (``"its contact P-1"``)."""

    ticket: str
    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    who: Mapping[str, str] = attrs.field(factory=dict, hash=False)

    def role_of(self, sender: str) -> str | None:
        """Who ``sender`` is to the ticket, in words, or None for a stranger."""
        address = sender.lower()
        if address in self.addresses:
            return self.who.get(address, "a participant")
        domain = address.rpartition("@")[2]
        if domain and domain in self.domains:
            return f"an address of the company's domain {domain}"
        return None


@attrs.frozen(kw_only=True)
class ThreadDecision:
    """Where the message goes: ``action``, the ``ticket`` (for a comment, or
    the ticket a held message names), ``via`` (``token`` | ``tag`` | None)
    and the ``reason`` in words."""

    action: ThreadAction
    ticket: str | None
    reason: str
    via: str | None = None


@attrs.frozen(kw_only=True)
class NamedTickets:
    """What a message names: the reply ``tokens`` found (newest reference
    first, not yet verified) and the ticket ids ``tagged`` in the subject."""

    tokens: tuple[ReplyToken, ...]
    tagged: tuple[str, ...]

    @property
    def tickets(self) -> tuple[str, ...]:
        """Every ticket id named, tokens first, each once."""
        return tuple(dict.fromkeys([*(t.ticket for t in self.tokens), *self.tagged]))


def named_tickets(
    *,
    in_reply_to: Iterable[str] = (),
    references: Iterable[str] = (),
    recipients: Iterable[str] = (),
    subject: str = "",
    ticket_ids: str = "T-{n}",
) -> NamedTickets:
    """The tokens of ``In-Reply-To``, then of ``References`` from the newest
    (the last) back, then of the addresses the message was sent to (a plus
    address), and the tags of ``subject`` for ids of the pattern ``ticket_ids``."""
    texts = [*in_reply_to, *reversed(tuple(references)), *recipients]
    return NamedTickets(tokens=tokens_in(texts), tagged=tags_in_subject(subject, ticket_ids))


def decide_thread(
    named: NamedTickets,
    *,
    sender: str | None,
    key: bytes,
    participants: Mapping[str, Participants],
) -> ThreadDecision:
    """Where a message from ``sender`` naming ``named`` goes; ``participants``
    holds each named ticket that exists (a ticket absent from it does not)."""
    address = (sender or "").lower()
    held: ThreadDecision | None = None
    forged = 0
    for token in named.tokens:
        if not token.genuine(key):
            forged += 1
            continue
        ticket = participants.get(token.ticket)
        if ticket is None:
            continue
        role = ticket.role_of(address) if address else None
        if address and token.issued_to(address):
            return ThreadDecision(
                action=ThreadAction.COMMENT,
                ticket=token.ticket,
                via="token",
                reason=f"reply token of {token.ticket} issued to this sender"
                + (f" ({role})" if role else ""),
            )
        if role is not None:
            return ThreadDecision(
                action=ThreadAction.COMMENT,
                ticket=token.ticket,
                via="token",
                reason=f"reply token of {token.ticket} from {role}",
            )
        held = held or ThreadDecision(
            action=ThreadAction.HELD,
            ticket=token.ticket,
            via="token",
            reason=(
                f"reply token of {token.ticket} was issued to another address and "
                f"{address or 'the sender (no From)'} is not a participant: a forwarded thread"
            ),
        )
    for ticket_id in named.tagged:
        ticket = participants.get(ticket_id)
        if ticket is None:
            continue
        role = ticket.role_of(address) if address else None
        if role is not None:
            return ThreadDecision(
                action=ThreadAction.COMMENT,
                ticket=ticket_id,
                via="tag",
                reason=f"subject tag [{ticket_id}] from {role}",
            )
        held = held or ThreadDecision(
            action=ThreadAction.HELD,
            ticket=ticket_id,
            via="tag",
            reason=(
                f"subject tag [{ticket_id}] from {address or 'a sender without From'}, "
                "who is not a participant of that ticket"
            ),
        )
    if held is not None:
        return held
    why = "no reply token and no subject tag of an existing ticket"
    if forged:
        why += f" ({forged} reply token{'s' if forged > 1 else ''} with a wrong signature ignored)"
    unknown = [t for t in named.tagged if t not in participants]
    if unknown:
        why += f"; the subject names {', '.join(unknown)}, which does not exist"
    return ThreadDecision(action=ThreadAction.NEW_TICKET, ticket=None, reason=why)


__all__ = [
    "NamedTickets",
    "Participants",
    "ThreadAction",
    "ThreadDecision",
    "decide_thread",
    "named_tickets",
]
