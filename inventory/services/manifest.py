"""Read a delivery manifest (CSV) as spreadsheet programs export it.

Accepts a byte-order mark, CRLF or LF line ends, Windows-1252 text from older Excel, commas or
semicolons, header names in any case and with spaces, and stray spaces around values. Row numbers
are the ones a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

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


def read(data: bytes | str, *, max_rows: int) -> Manifest:
    text = decode(data) if isinstance(data, bytes) else data.lstrip("\ufeff")
    manifest = Manifest()
    if "\x00" in text:
        manifest.errors.append(RowError(1, None, "this is not a CSV text file (it holds binary data)"))
        return manifest
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            manifest.errors.append(RowError(1, None, "the file is empty: expected a header row naming the columns"))
            return manifest
        columns = [_header_name(h) for h in header]
        _check_header(columns, manifest)
        if manifest.errors:
            return manifest
        for index, values in enumerate(reader):
            row_number = index + 2
            if not any(v.strip() for v in values):
                continue  # blank lines, often at the end of a file
            if len(manifest.rows) >= max_rows:
                manifest.errors.append(
                    RowError(row_number, None, f"the file has more than {max_rows} rows; split it into smaller files")
                )
                return manifest
            if len(values) > len(columns):
                manifest.errors.append(
                    RowError(
                        row_number,
                        None,
                        f"this row has {len(values)} values but the header names {len(columns)} columns "
                        "(a value with a comma needs double quotes)",
                    )
                )
                continue
            row = {name: value for name, value in zip(columns, values) if name}
            manifest.rows.append((row_number, row))
    except csv.Error as exc:
        manifest.errors.append(RowError(reader.line_num, None, f"the CSV cannot be read here: {exc}"))
    if not manifest.rows and not manifest.errors:
        manifest.errors.append(RowError(2, None, "the file has a header but no rows"))
    return manifest


def _check_header(columns: list[str], manifest: Manifest) -> None:
    seen: set[str] = set()
    for name in columns:
        if not name:
            continue
        if name not in FIELDS:
            manifest.errors.append(RowError(1, name, f"unknown column '{name}'; the columns are {', '.join(FIELDS)}"))
        elif name in seen:
            manifest.errors.append(RowError(1, name, f"the column '{name}' appears twice"))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            manifest.errors.append(RowError(1, name, f"the required column '{name}' is missing"))
