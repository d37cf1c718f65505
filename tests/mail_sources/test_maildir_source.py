"""MaildirSource on a temporary Maildir: atomic moves, quarantine with its
reason, crash safety, vanished files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from helpdesk_core.errors import ValidationError
from helpdesk_core.mail_sources import MaildirSource, MailSource


def maildir(tmp_path: Path) -> Path:
    root = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True)
    return root


def deliver(root: Path, name: str, body: bytes, folder: str = "new") -> Path:
    path = root / folder / name
    path.write_bytes(body)
    return path


def test_pending_yields_new_and_unseen_cur_messages_in_arrival_order(tmp_path: Path) -> None:
    root = maildir(tmp_path)
    deliver(root, "1700000002.M2.host", b"Subject: two\n\nb")
    deliver(root, "1700000001.M1.host", b"Subject: one\n\na")
    deliver(root, "1700000003.M3.host:2,F", b"Subject: flagged, unread\n\nc", "cur")
    deliver(root, "1700000000.M0.host:2,S", b"Subject: already done\n\nd", "cur")
    deliver(root, ".hidden", b"not mail")
    source = MaildirSource(root)
    assert isinstance(source, MailSource)
    found = list(source.pending())
    assert [item.key for item in found] == ["1700000001.M1.host", "1700000002.M2.host", "1700000003.M3.host"]
    assert found[0].raw == b"Subject: one\n\na"
    assert found[0].where == str(root / "new" / "1700000001.M1.host")


def test_done_moves_the_message_to_cur_with_the_seen_flag(tmp_path: Path) -> None:
    root = maildir(tmp_path)
    deliver(root, "1.M1.host", b"Subject: one\n\na")
    deliver(root, "2.M2.host:2,F", b"Subject: two\n\nb", "cur")
    source = MaildirSource(root)
    source.done("1.M1.host")
    source.done("2.M2.host")
    source.done("2.M2.host")  # idempotent: already done, nothing to move
    assert sorted(path.name for path in (root / "cur").iterdir()) == ["1.M1.host:2,S", "2.M2.host:2,FS"]
    assert (root / "cur" / "1.M1.host:2,S").read_bytes() == b"Subject: one\n\na"
    assert list((root / "new").iterdir()) == []
    assert list(source.pending()) == []
    assert list(MaildirSource(root).pending()) == []


def test_quarantine_keeps_the_message_unchanged_with_its_reason(tmp_path: Path) -> None:
    root = maildir(tmp_path)
    deliver(root, "1.M1.host", b"\xff\xfe broken mail")
    deliver(root, "2.M2.host", b"Subject: fine\n\nok")
    source = MaildirSource(root)
    source.quarantine("1.M1.host", "cannot parse: no header")
    assert [item.key for item in source.pending()] == ["2.M2.host"]
    kept = root / ".quarantine" / "new" / "1.M1.host"
    assert kept.read_bytes() == b"\xff\xfe broken mail"
    assert source.reason("1.M1.host") == "cannot parse: no header"
    note = (root / ".quarantine" / "reasons" / "1.M1.host.reason").read_text(encoding="utf-8")
    assert note == f"{root / 'new' / '1.M1.host'}\ncannot parse: no header\n"
    for sub in ("new", "cur", "tmp"):  # the quarantine is a Maildir a mail reader opens
        assert (root / ".quarantine" / sub).is_dir()


def test_quarantine_into_another_folder(tmp_path: Path) -> None:
    root = maildir(tmp_path)
    deliver(root, "1.M1.host", b"x")
    aside = tmp_path / "held"
    source = MaildirSource(root, quarantine_dir=aside)
    source.quarantine("1.M1.host", "too large")
    assert (aside / "new" / "1.M1.host").read_bytes() == b"x"
    assert source.reason("1.M1.host") == "too large"


def test_a_crash_before_done_yields_the_message_again(tmp_path: Path) -> None:
    root = maildir(tmp_path)
    deliver(root, "1.M1.host", b"Subject: one\n\na")
    taken = next(iter(MaildirSource(root).pending()))
    # The process dies after its commit, before done: the next run sees it again.
    again = list(MaildirSource(root).pending())
    assert again == [taken]


def test_a_message_that_vanishes_meanwhile_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = maildir(tmp_path)
    first = deliver(root, "1.M1.host", b"a")
    deliver(root, "2.M2.host", b"b")
    source = MaildirSource(root)
    caplog.set_level(logging.WARNING, logger="helpdesk_core.mail_sources.maildir")
    pending = source.pending()
    seen = [next(pending).key]
    (root / "new" / "2.M2.host").unlink()  # another process took it between listing and reading
    seen += [item.key for item in pending]
    assert seen == ["1.M1.host"]
    assert "2.M2.host vanished before it was read" in caplog.text
    first.unlink()
    source.done("1.M1.host")  # gone: a warning, no exception
    source.quarantine("1.M1.host", "x")
    assert "1.M1.host is no longer pending" in caplog.text


def test_a_folder_that_is_not_a_maildir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"Maildir .*: no new/ folder \(not a Maildir\)"):
        MaildirSource(tmp_path / "nowhere")


def test_a_key_that_names_another_file_is_refused(tmp_path: Path) -> None:
    source = MaildirSource(maildir(tmp_path))
    with pytest.raises(ValidationError, match="is not a message name"):
        source.done("../cur/x")


def test_quarantine_on_another_file_system_copies_then_removes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    root = maildir(tmp_path)
    deliver(root, "1.M1.host", b"Subject: big\n\nbody")
    real_rename = os.rename

    def cross_device(source: object, target: object) -> None:
        if str(source).startswith(str(root / "new")):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", cross_device)
    aside = tmp_path / "other-disk"
    MaildirSource(root, quarantine_dir=aside).quarantine("1.M1.host", "too large")
    assert (aside / "new" / "1.M1.host").read_bytes() == b"Subject: big\n\nbody"
    assert list((root / "new").iterdir()) == []
    assert list((aside / "tmp").iterdir()) == []
