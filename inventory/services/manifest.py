"""Read a delivery manifest (CSV) as spreadsheet programs export it.

Accepts a byte-order mark, CRLF or LF line ends, Windows-1252 text from older Excel, commas or
semicolons, header names in any case and with spaces, and stray spaces around values. Row numbers
are the ones a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TextIO

from .asset_fields import FIELDS, REQUIRED_COLUMNS


@dataclass
class RowError:
    row: int
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Manifest:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _header_name(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


_SCAN = 1 << 20  # the encoding scan reads a megabyte at a time
SPOOL_IN_MEMORY = 1 << 20  # an upload bigger than this waits on disk, not in the worker's memory


def spooled(stream: IO[bytes], limit: int | None = None) -> IO[bytes]:
    """A copy of a stream that cannot be read twice (a request body), kept in memory up to a megabyte
    and on disk beyond, so it can be. ValueError when it is longer than `limit` bytes."""
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    size = 0
    while chunk := stream.read(64 * 1024):
        size += len(chunk)
        if limit is not None and size > limit:
            copy.close()
            raise ValueError(f"longer than {limit} bytes")
        copy.write(chunk)
    copy.seek(0)
    return copy


@dataclass
class _Scan:
    encoding: str
    lines: int
    binary: bool


def _scan(stream: IO[bytes]) -> _Scan:
    """One pass over the bytes (then back to the start): UTF-8 or the Windows-1252 of older Excel (a file
    that is not valid UTF-8 anywhere is read as that, as decode() does), how many lines (for progress),
    and whether it holds NUL bytes (not a text file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, lines, binary = True, 0, False
    while chunk := stream.read(_SCAN):
        lines += chunk.count(b"\n")
        binary = binary or b"\x00" in chunk
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    stream.seek(0)
    return _Scan("utf-8-sig" if utf8 else "cp1252", lines + 1, binary)


class ManifestStream:
    """The rows of a manifest, read one at a time: (row number, {column: value}). Problems with the file
    itself (its header, a row too wide, too many rows, unreadable CSV) collect in `errors` as it is read;
    after a header error no rows follow. `lines` estimates the rows to come (for a progress bar).

    `data` may be bytes, text, or a binary file that can be read twice (seekable): a file on disk, an
    upload spooled to disk. Only one row is held at a time (and the first `keep`, if asked), so memory
    does not grow with the file."""

    def __init__(self, data: bytes | str | IO[bytes], *, max_rows: int, keep: int = 0):
        self.max_rows = max_rows
        self.errors: list[RowError] = []
        self.rows = 0
        self.keep = keep
        self.kept: list[tuple[int, dict[str, str]]] = []  # the first `keep` rows, for a page to show
        self._text: TextIO
        if isinstance(data, str):
            binary = "\x00" in data
            self.lines = data.count("\n") + 1
            self._text = io.StringIO(data.lstrip("\ufeff"), newline="")
        else:
            stream = io.BytesIO(data) if isinstance(data, bytes) else data
            if not stream.seekable():
                stream = spooled(stream)
            scan = _scan(stream)
            binary, self.lines = scan.binary, scan.lines
            errors = "replace" if scan.encoding == "cp1252" else "strict"
            self._text = io.TextIOWrapper(stream, encoding=scan.encoding, errors=errors, newline="")
        if binary:
            self.errors.append(RowError(1, None, "this is not a CSV text file (it holds binary data)"))

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        if self.errors:
            return
        first_line = self._text.readline()
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(itertools.chain([first_line], self._text), delimiter=delimiter)
        try:
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                self.errors.append(RowError(1, None, "the file is empty: expected a header row naming the columns"))
                return
            columns = [_header_name(h) for h in header]
            self.errors.extend(_check_header(columns))
            if self.errors:
                return
            for index, values in enumerate(reader):
                row_number = index + 2
                if not any(v.strip() for v in values):
                    continue  # blank lines, often at the end of a file
                if self.rows >= self.max_rows:
                    too_many = f"the file has more than {self.max_rows} rows; split it into smaller files"
                    self.errors.append(RowError(row_number, None, too_many))
                    return
                if len(values) > len(columns):
                    self.errors.append(
                        RowError(
                            row_number,
                            None,
                            f"this row has {len(values)} values but the header names {len(columns)} columns "
                            "(a value with a comma needs double quotes)",
                        )
                    )
                    continue
                self.rows += 1
                row = {name: value for name, value in zip(columns, values) if name}
                if len(self.kept) < self.keep:
                    self.kept.append((row_number, row))
                yield row_number, row
        except csv.Error as exc:
            self.errors.append(RowError(reader.line_num, None, f"the CSV cannot be read here: {exc}"))
        if not self.rows and not self.errors:
            self.errors.append(RowError(2, None, "the file has a header but no rows"))


def read(data: bytes | str | IO[bytes], *, max_rows: int) -> Manifest:
    """The whole manifest in memory: for a page that shows its rows (the delivery preview)."""
    stream = ManifestStream(data, max_rows=max_rows)
    manifest = Manifest(rows=list(stream))
    manifest.errors = stream.errors
    return manifest


def _check_header(columns: list[str]) -> list[RowError]:
    errors: list[RowError] = []
    seen: set[str] = set()
    for name in columns:
        if not name:
            continue
        if name not in FIELDS:
            errors.append(RowError(1, name, f"unknown column '{name}'; the columns are {', '.join(FIELDS)}"))
        elif name in seen:
            errors.append(RowError(1, name, f"the column '{name}' appears twice"))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.append(RowError(1, name, f"the required column '{name}' is missing"))
    return errors
