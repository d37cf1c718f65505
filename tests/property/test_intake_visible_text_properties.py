"""Properties of the visible text (issue 17, item 4): it never invents text — its
lines are a sub-sequence of the body's lines (CRLF and CR read as LF) — and it is
never empty when the body says something, whatever markers the body mixes."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpdesk_core.intake.reply_text import visible_text

MARKERS = [
    "",
    "   ",
    "> quoted",
    ">",
    ">> deeper",
    "-- ",
    "--",
    "-John",
    "- a bullet",
    "Sent from my iPhone",
    "Best regards,",
    "S pozdravem",
    "С уважением,",
    "З повагою,",
    "Pozdrawiam,",
    "On Tue, 3 Dec 2026 at 10:15, Support <support@example.com> wrote:",
    "On Tue, Dec 3, 2026 at 10:15 AM Support",
    "<support@example.com> wrote:",
    "Dne 3. 12. 2026 10:15 Podpora <podpora@example.cz> napsal(a):",
    "W dniu 3.12.2026 o 10:15, Pomoc <pomoc@example.pl> pisze:",
    "3 декабря 2026 г., 10:15 пользователь Поддержка <help@example.ru> пишет:",
    "3 грудня 2026 р. о 10:15 Підтримка <help@example.ua> написав(ла):",
    "Am 03.12.2026 um 10:15 schrieb Support <support@example.de>:",
    "-----Original Message-----",
    "---------- Forwarded message ---------",
    "________________________________",
    "From: Support <support@example.com>",
    "Sent: Tuesday, December 3, 2026 10:15 AM",
    "Subject: RE: Printer",
    "Subject: FW: Printer",
    "To: c@example.com",
    "Something wrote:",
    "w=",
    "rote:",
]

lines = st.one_of(
    st.sampled_from(MARKERS),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
    st.sampled_from(MARKERS).map(lambda m: "> " + m),
)
bodies = st.builds(
    lambda parts, newline: newline.join(parts),
    st.lists(lines, max_size=30),
    st.sampled_from(["\n", "\r\n", "\r"]),
)


def _body_lines(body: str) -> list[str]:
    return body.replace("\r\n", "\n").replace("\r", "\n").split("\n")


@settings(max_examples=400, deadline=None)
@given(body=bodies, cut_signature=st.booleans())
@example(body="   ", cut_signature=False)  # an empty visible text has no lines at all
def test_the_visible_text_is_a_sub_sequence_of_the_body_lines(body: str, cut_signature: bool) -> None:
    result = visible_text(body, cut_signature=cut_signature)
    remaining = iter(_body_lines(body))
    for line in result.text.split("\n") if result.text else []:
        assert line in remaining, f"{line!r} is not one of the body's lines, in order"


@settings(max_examples=400, deadline=None)
@given(body=bodies, cut_signature=st.booleans())
def test_the_visible_text_is_never_empty_when_the_body_says_something(body: str, cut_signature: bool) -> None:
    result = visible_text(body, cut_signature=cut_signature)
    assert bool(result.text.strip()) == bool(body.strip())
    if result.kept_whole:
        assert not (result.quote_cut or result.signature_cut)
    if not (result.quote_cut or result.signature_cut):
        assert result.text.strip() == body.replace("\r\n", "\n").replace("\r", "\n").strip()
