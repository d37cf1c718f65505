"""parse_message never raises: not on arbitrary bytes, not on real messages
cut short or with bytes flipped (the corpus beside the repository, when it is
there, else a few messages written here), and classify takes whatever it
returns."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.intake import classify, parse_message
from intake_corpus import MESSAGES as CORPUS

WRITTEN = [
    b"From: =?utf-8?q?Zdenka?= <z@example.cz>\r\nSubject: =?iso-8859-2?q?Kotel_nefunguje?=\r\n"
    b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
    b"D\xc4\x9bkuji.\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
    b" filename*=UTF-8''faktura%20%C4%8D.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n",
    b"From: MAILER-DAEMON@mx.example\r\nContent-Type: multipart/report; report-type=delivery-status;"
    b' boundary="d"\r\n\r\n--d\r\n\r\nfailed\r\n--d\r\nContent-Type: message/delivery-status\r\n\r\n'
    b"Final-Recipient: rfc822; a@b.example\r\nAction: failed\r\n--d\r\nContent-Type: message/rfc822\r\n\r\n"
    b"Subject: inner\r\n\r\nx\r\n--d--\r\n",
    b"Subject: html\r\nContent-Type: text/html; charset=x-unknown\r\n\r\n<p>a<b>b</p><script>x</script>",
]


def _seeds() -> list[bytes]:
    if not CORPUS.is_dir():
        return WRITTEN
    files = sorted(CORPUS.glob("*.eml"), key=lambda path: path.stat().st_size)
    # The smallest messages of every kind keep each example quick.
    return WRITTEN + [path.read_bytes() for path in files[::8][:20]]


SEEDS = _seeds()


def _check(data: bytes) -> None:
    message = parse_message(data)
    assert message.raw == data
    assert isinstance(message.body, str)
    # The reader itself coped: the last resort (the bytes shown as text) was not needed.
    assert not any(defect.startswith("the message cannot be parsed") for defect in message.defects), (
        message.defects
    )
    classify(message, own_addresses=("support@desk.example",), own_message_id_domain="desk.example")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    _check(data)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SEEDS), st.data())
def test_real_messages_cut_short(seed: bytes, data: st.DataObject) -> None:
    _check(seed[: data.draw(st.integers(0, len(seed)))])


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=12),
)
def test_real_messages_with_bytes_flipped(seed: bytes, flips: list[tuple[float, int]]) -> None:
    mutated = bytearray(seed)
    for where, value in flips:
        if mutated:
            mutated[int(where * len(mutated))] = value
    _check(bytes(mutated))


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.sampled_from(
            [b"\r\n", b"\n\n", b"=?", b"?=", b"--", b";", b'"', b"\x00", b"\xff", b"=\r\n", b"*0*="]
        ),
        max_size=8,
    ),
    st.data(),
)
def test_real_messages_with_mime_syntax_inserted(
    seed: bytes, pieces: list[bytes], data: st.DataObject
) -> None:
    mutated = seed
    for piece in pieces:
        at = data.draw(st.integers(0, len(mutated)))
        mutated = mutated[:at] + piece + mutated[at:]
    _check(mutated)
