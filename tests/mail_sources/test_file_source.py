"""FileSource: one message from a file or standard input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from helpdesk_core.errors import MailSourceUnavailable, ValidationError
from helpdesk_core.mail_sources import FileSource, MailSource


def test_a_file_yields_its_bytes_once_done_and_stays_in_place(tmp_path: Path) -> None:
    path = tmp_path / "mail.eml"
    path.write_bytes(b"Subject: hi\r\n\r\n\xe9")
    source = FileSource(path)
    assert isinstance(source, MailSource)
    [item] = source.pending()
    assert (item.key, item.raw, item.where) == (str(path), b"Subject: hi\r\n\r\n\xe9", str(path))
    source.quarantine(item.key, "cannot parse")
    assert list(source.pending()) == []
    assert path.read_bytes() == b"Subject: hi\r\n\r\n\xe9"  # a quarantined file is left in place


def test_standard_input_is_read_as_bytes() -> None:
    source = FileSource("-", stdin=io.BytesIO(b"Subject: piped\n\n\xff"))
    [item] = source.pending()
    assert (item.key, item.raw, item.where) == ("-", b"Subject: piped\n\n\xff", "standard input")
    source.done("-")
    assert list(source.pending()) == []


def test_a_missing_file_or_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"mail file .*absent\.eml: no such file"):
        list(FileSource(tmp_path / "absent.eml").pending())
    with pytest.raises(ValidationError, match="is a directory, expected a file"):
        list(FileSource(tmp_path).pending())


def test_an_unreadable_file_is_an_unavailable_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mail.eml"
    path.write_bytes(b"x")

    def failing(self: Path) -> bytes:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "read_bytes", failing)
    with pytest.raises(MailSourceUnavailable, match=r"mail\.eml: cannot be read \(Input/output error\)") as caught:
        list(FileSource(path).pending())
    assert caught.value.exit_code == 5
