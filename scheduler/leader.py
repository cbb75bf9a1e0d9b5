"""Only one scheduler does the work at a time, however many are started: the one holding a lock for
its process's life. On PostgreSQL that is a session-level advisory lock on a connection of its own; on
SQLite an exclusive `flock` on a file beside the database. The lock goes with the process (or its
connection), so when the leader dies a standby, retrying every few seconds, takes over."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger("inventory.scheduler")

# pg_try_advisory_lock's key: any bigint no other part of the app uses ("inventory scheduler").
LOCK_KEY = 0x696E765F73636864
STANDBY_RETRY_SECONDS = 5.0


class Leadership:
    """`try_acquire()` once; `held()` to check it still is; `release()`; or `wait()` as a standby."""

    def __init__(self, url: sa.URL | str, instance_path: str | os.PathLike):
        self.url = sa.make_url(url)
        self.instance_path = Path(instance_path)
        self._engine: sa.Engine | None = None
        self._connection: sa.Connection | None = None
        self._file: IO | None = None
        self._leading = False

    @property
    def lock_file(self) -> Path:
        database = self.url.database
        if database and database != ":memory:":
            return Path(database).with_name(Path(database).name + ".scheduler-lock")
        return self.instance_path / "scheduler.lock"

    def try_acquire(self) -> bool:
        if self.url.get_backend_name() == "postgresql":
            return self._try_advisory_lock()
        return self._try_flock()

    def held(self) -> bool:
        """Still ours? On PostgreSQL the lock lives as long as its connection: ask that it answers."""
        if self._file is not None:
            return True
        if not self._leading or self._connection is None:
            return False
        try:
            self._connection.execute(sa.text("SELECT 1"))
        except SQLAlchemyError:
            self._forget_connection()
            return False
        return True

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._leading and self._connection is not None:
            try:
                self._connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            except SQLAlchemyError:
                pass  # the connection is gone, and the lock with it
        self._forget_connection()

    def wait(self, stop: threading.Event, retry_every: float = STANDBY_RETRY_SECONDS) -> bool:
        """Take the lead, waiting as a standby for as long as another holds it; False if `stop` came first."""
        standby = False
        while not stop.is_set():
            if self.try_acquire():
                log.info("took the lead (pid %d)", os.getpid())
                return True
            if not standby:
                log.info("waiting as standby: another scheduler has the lead (retrying every %g s)", retry_every)
                standby = True
            stop.wait(retry_every)
        return False

    def _try_flock(self) -> bool:
        if self._file is not None:
            return True
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        file = open(self.lock_file, "a+")  # noqa: SIM115 - held open for the process's life
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    def _try_advisory_lock(self) -> bool:
        if self._leading:
            return True  # the lock counts re-entries: never take it twice
        try:
            if self._connection is None:
                # A connection of its own, outside the app's pool, which might recycle or drop it.
                self._engine = self._engine or sa.create_engine(self.url, poolclass=NullPool)
                self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = self._connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar()
        except SQLAlchemyError as exc:
            log.warning("could not reach the database to take the lead: %s", type(exc).__name__)
            self._forget_connection()
            return False
        self._leading = bool(got)
        return self._leading

    def _forget_connection(self) -> None:
        self._leading = False
        if self._connection is not None:
            try:
                self._connection.close()
            except SQLAlchemyError:
                pass
            self._connection = None
