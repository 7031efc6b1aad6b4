"""P6 XER files with hostile encodings and numbers: read, or refused naming the place."""

from __future__ import annotations

import pytest

from scheduler.errors import UnreadableFileError
from scheduler.importers.xer import read_xer
from tests.scheduler.io.hostile import fixture

BASE = "hostile_base.xer"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_export_is_read_like_the_utf8_one(encoding: str) -> None:
    # P6 "Unicode" exports: with a byte order mark, or without one (-le / -be)
    text = fixture(BASE).decode("utf-8").replace("Clear site", "부지 정리")
    wide = read_xer(text.encode(encoding), "wide.xer")
    narrow = read_xer(text.encode("utf-8"), "narrow.xer")
    assert [(a.id, a.name, a.duration) for a in wide.activities] == [
        (a.id, a.name, a.duration) for a in narrow.activities
    ]
    assert wide.activities[0].name == "부지 정리"
    assert len(wide.dependencies) == 2


def test_broken_utf16_names_the_encoding() -> None:
    data = fixture(BASE).decode("utf-8").encode("utf-16")[:-1] + b"\x00\xd8"
    with pytest.raises(UnreadableFileError) as err:
        read_xer(data, "wide.xer")
    assert err.value.reason.startswith("wide.xer looks like UTF-16 text but is not")


def test_not_an_xer_says_how_it_was_read() -> None:
    with pytest.raises(UnreadableFileError) as err:
        read_xer("%T\tPROJECT\r\n".encode("utf-16"), "odd.xer")
    assert err.value.reason == (
        "odd.xer does not start with ERMHDR (read as utf-16 text): not a P6 XER export"
    )
