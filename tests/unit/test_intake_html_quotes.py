"""Blockquoted content of an HTML-only message keeps its quote marks, with
html-text and with the standard-library reader alike."""

from __future__ import annotations

import html
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.intake import parse_message, visible_text
from helpdesk_core.intake.html_body import html_to_text

QUOTED_REPLY = (
    "<html><body><p>Thanks, the boiler works again.</p>"
    "<blockquote type='cite'><p>Did you   reset the boiler?</p>"
    "<blockquote><div>It does not heat.</div><div>Second line.</div></blockquote>"
    "<p>Regards, Desk</p></blockquote></body></html>"
)

INLINE_REPLY = (
    "<p>See my answers below.</p>"
    "<blockquote><p>Which model?</p></blockquote><p>The K-20.</p>"
    "<blockquote><p>Since when?</p></blockquote><p>Since Monday.</p>"
)


def html_only(markup: str) -> bytes:
    head = "From: zdenka@example.com\r\nSubject: Re: boiler\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    return (head + markup).encode("utf-8")


@pytest.fixture(params=["html-text", "standard library"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "standard library":
        monkeypatch.setitem(sys.modules, "html_text", None)  # import html_text now raises ImportError
    return str(request.param)


def quoted_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(">")]


def test_blockquote_lines_get_quote_marks_nested_ones_two(reader: str) -> None:
    text, _ = html_to_text(QUOTED_REPLY)
    assert quoted_lines(text) == [
        "> Did you reset the boiler?",
        "> > It does not heat.",
        "> > Second line.",
        "> Regards, Desk",
    ]
    assert text.splitlines()[0] == "Thanks, the boiler works again."


def test_text_outside_quotes_is_unchanged(reader: str) -> None:
    text, _ = html_to_text("<p>Dobrý den,</p><div>kotel <i>nefunguje</i>.</div><p>Zdenka</p>")
    assert text == "Dobrý den,\n\nkotel nefunguje.\n\nZdenka"


def test_an_html_only_reply_loses_its_quote_without_a_quote_header(reader: str) -> None:
    message = parse_message(html_only(QUOTED_REPLY))
    assert message.text is None
    assert visible_text(message.body).text == "Thanks, the boiler works again."


def test_an_inline_html_reply_keeps_its_quotes(reader: str) -> None:
    message = parse_message(html_only(INLINE_REPLY))
    seen = visible_text(message.body).text
    assert "> Which model?" in seen and "The K-20." in seen
    assert "> Since when?" in seen and "Since Monday." in seen


def test_the_private_marks_in_the_markup_itself_are_not_read_as_quotes(reader: str) -> None:
    text, _ = html_to_text("<p>a\ue000b</p><p>c\ue001d</p>")
    assert text == "ab\n\ncd"


_WORDS = st.lists(st.from_regex(r"[A-Za-zÀ-ž0-9,.!?]{1,12}", fullmatch=True), min_size=1, max_size=6)
_BLOCKS = st.lists(st.tuples(st.sampled_from(["p", "div", "li", "h2"]), _WORDS), min_size=1, max_size=5)


@settings(max_examples=80, deadline=None)
@given(_BLOCKS, st.integers(min_value=1, max_value=3))
def test_a_blockquote_only_adds_its_marks(blocks: list[tuple[str, list[str]]], depth: int) -> None:
    inner = "".join(f"<{tag}>{html.escape(' '.join(words))}</{tag}>" for tag, words in blocks)
    plain, _ = html_to_text(inner)
    quoted, _ = html_to_text("<blockquote>" * depth + inner + "</blockquote>" * depth)
    marks = "> " * depth
    assert quoted.splitlines() == [marks + line if line else line for line in plain.splitlines()]
