"""File storage for the documents we keep (handover records), behind one small interface, so a folder
today can be an object store tomorrow. Files never go in the database.

Keys are our own names (`loans/<random key>/handover.pdf`): they hold no personal data, and a key
that tries to climb out of the folder is refused."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app

_KEY = re.compile(r"^[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-.]*)*$")


class FileStorage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def put_file(self, key: str, source: Path) -> None:
        """Keep a file written elsewhere (a big export), without reading it into memory."""

    def get(self, key: str) -> bytes | None:
        """The file's bytes, or None when there is none."""

    def open(self, key: str) -> BinaryIO | None:
        """The file to read as a stream (a download of any size), or None when there is none."""

    def delete(self, key: str) -> None:
        """Remove the file; nothing happens when there is none."""


class FolderStorage:
    """Files in a folder on this machine (or a volume several instances share)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key) or ".." in key:
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Written beside it and renamed: a reader sees the old file or the whole new one, never half.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def put_file(self, key: str, source: Path) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as data:
                shutil.copyfileobj(data, out, 1 << 20)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def open(self, key: str) -> BinaryIO | None:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def init_app(app: Flask) -> None:
    folder = app.config["FILE_STORAGE_DIR"] or os.path.join(app.instance_path, "files")
    app.extensions["file_storage"] = FolderStorage(folder)


def storage() -> FileStorage:
    return current_app.extensions["file_storage"]
