"""The streamed reader: UTF-8 with or without BOM, nothing else; delimiter sniffed; quotes
checked; a file too large refused before a byte of it is read."""

from __future__ import annotations

import codecs
import io

import pytest

from clientcenter.services.imports.reader import CsvFile, FileRefused


def _read(data: bytes, **kwargs) -> CsvFile:
    return CsvFile(io.BytesIO(data), "accounts.csv", size=len(data), max_bytes=10**6, **kwargs)


def test_utf8_with_and_without_bom_read_alike():
    plain = "Customer ID,Name\nC1,José Núñez\n".encode()
    for data in (plain, codecs.BOM_UTF8 + plain):
        f = _read(data)
        assert f.headers == ["Customer ID", "Name"]
        assert [r.cells for r in f.rows()] == [["C1", "José Núñez"]]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_and_utf32_refused_by_name(encoding):
    with pytest.raises(FileRefused, match=encoding.upper().replace("-", "-")):
        _read("Customer ID,Name\n".encode(encoding))


def test_windows_1252_refused_with_its_line():
    data = ("Customer ID,Name\n" + "C1,Ann\n" * 3 + "C2,Jos\xe9\n").encode("cp1252")
    with pytest.raises(FileRefused) as refused:
        list(_read(data).rows())
    assert "not UTF-8" in str(refused.value) and "accounts.csv" in str(refused.value)


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters_are_sniffed(delimiter):
    f = _read(f"Customer ID{delimiter}Name\nC1{delimiter}Ann, Jr\n".encode())
    assert f.delimiter == delimiter
    assert [r.cells for r in f.rows()] == [["C1", "Ann, Jr"]]


def test_unbalanced_quote_names_the_line_it_opened_on():
    data = b'Customer ID,Name\nC1,Ann\nC2,"Bob\nC3,Cy\n'
    with pytest.raises(FileRefused, match="line 3") as refused:
        list(_read(data).rows())
    assert "quote" in refused.value.reason


def test_quoted_cells_may_span_lines_and_keep_the_first_line():
    rows = list(_read(b'Customer ID,Name\n"C1","Ann\nSmith"\nC2,Bo\n').rows())
    assert [(r.line, r.cells) for r in rows] == [(2, ["C1", "Ann\nSmith"]), (4, ["C2", "Bo"])]


class _Unreadable(io.RawIOBase):
    def readable(self):
        return True

    def readinto(self, _buffer):
        raise AssertionError("a file over the limit must not be read")


def test_a_file_over_the_limit_is_refused_unread():
    with pytest.raises(FileRefused, match="2,048.0 MB; the limit is 512 MB"):
        CsvFile(_Unreadable(), "policies.csv", size=2 * 2**30, max_bytes=512 * 2**20)


def test_an_empty_file_is_refused():
    with pytest.raises(FileRefused, match="empty"):
        _read(b"")
