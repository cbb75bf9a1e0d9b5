"""Backups and restores of the whole database, consistent while the service keeps writing.

SQLite: the online backup API copies a snapshot of the file page by page in one read transaction (WAL
lets writers carry on meanwhile). PostgreSQL: pg_dump's custom format, taken in one repeatable-read
snapshot, and pg_restore. The password goes to pg_dump and pg_restore through PGPASSWORD, never on a
command line that `ps` shows to everyone on the machine.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

# What a restore reports, so whoever ran it can tell it is the backup they meant.
MAIN_TABLES = (
    "assets",
    "kits",
    "participants",
    "loans",
    "loan_items",
    "data_plans",
    "events",
    "notifications",
    "users",
)
# Rows the migrations themselves write: a freshly migrated database holding only these is empty, and a
# downgrade dropping them loses nothing.
SCHEMA_TABLES = frozenset({"alembic_version", "tag_counter"})
# libpq's settings that may come in DATABASE_URL's query string, as the environment variables it reads.
_LIBPQ_QUERY_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup or restore that could not be done, or was refused; the message says why."""


@dataclass
class Restored:
    revision: str | None
    counts: dict[str, int] = field(default_factory=dict)


def backup(url: str | URL, target: Path) -> None:
    """Write a backup of the database at `url` to `target` (replaced only once the backup is complete)."""
    url = make_url(url)
    target = Path(target)
    if url.get_backend_name() == "sqlite":
        _backup_sqlite(_sqlite_path(url), target)
    elif url.get_backend_name() == "postgresql":
        _backup_postgresql(url, target)
    else:
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")


def restore(url: str | URL, source: Path, *, force: bool = False) -> Restored:
    """Replace the database at `url` with the backup in `source`. Refused (nothing changed) when the
    database holds data, unless `force`."""
    url = make_url(url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        if not force:
            holding = rows_held(engine)
            if holding:
                listed = ", ".join(f"{table} ({n})" for table, n in sorted(holding.items()))
                raise BackupError(
                    f"the database is not empty: {listed}. Restore into an empty database, "
                    "or give --force to replace everything in it with the backup"
                )
        if url.get_backend_name() == "sqlite":
            _restore_sqlite(source, _sqlite_path(url))
        elif url.get_backend_name() == "postgresql":
            _restore_postgresql(url, source, engine)
        else:
            raise BackupError(f"cannot restore a {url.get_backend_name()} database")
        return describe(engine)
    finally:
        engine.dispose()


def rows_held(engine: Engine) -> dict[str, int]:
    """Rows in each table that holds any, leaving out what the migrations themselves write."""
    with engine.connect() as conn:
        names = [t for t in sa.inspect(conn).get_table_names() if t not in SCHEMA_TABLES]
        counts = {name: _count(conn, name) for name in names}
    return {name: n for name, n in counts.items() if n}


def describe(engine: Engine) -> Restored:
    """The schema revision and the main tables' row counts."""
    with engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        revision = None
        if "alembic_version" in present:
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        counts = {name: _count(conn, name) for name in MAIN_TABLES if name in present}
    return Restored(revision, counts)


def _count(conn, table: str) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one()


# --- SQLite ----------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore")
    return Path(url.database)


def _backup_sqlite(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)[1])
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.execute("PRAGMA busy_timeout = 30000")
            # All pages in one step: one read transaction, so one consistent snapshot (in steps, a write
            # in between would restart the copy, or with another connection's writes, mix two states).
            src.backup(dst, pages=-1)
            # One self-contained file, whatever the live database's journal mode.
            dst.execute("PRAGMA journal_mode = DELETE")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _restore_sqlite(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        try:
            ok = src.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not an SQLite backup ({error})") from None
        if ok != ("ok",):
            raise BackupError(f"{source} is damaged: {ok}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(target)) as dst:
            dst.execute("PRAGMA busy_timeout = 30000")
            # The backup API into the live file: one write transaction, which other connections wait for
            # and after which they see the restored database.
            src.backup(dst, pages=-1)


# --- PostgreSQL ------------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _pg_connection(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore, and their environment (the password is only there)."""
    args = ["--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = {**os.environ}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    for key, variable in _LIBPQ_QUERY_ENV.items():
        value = url.query.get(key)
        if value:
            env[variable] = value if isinstance(value, str) else value[0]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.returncode}")
    return done


def _backup_postgresql(url: URL, target: Path) -> None:
    args, env = _pg_connection(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)[1])
    try:
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), *args], env)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _restore_postgresql(url: URL, source: Path, engine: Engine) -> None:
    args, env = _pg_connection(url)
    listing = _run([_pg_tool("pg_restore"), "--list", str(source)], env).stdout
    backed_up = {line.split()[-2] for line in listing.splitlines() if " TABLE public " in line}
    with engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
    # --clean drops and recreates what the backup holds; a table only the database has would stay
    # behind, beside an alembic_version that no longer knows it.
    extra = sorted(present - backed_up)
    if extra:
        raise BackupError(
            f"the database has tables the backup has not ({', '.join(extra)}): it is at a later schema. "
            "Restore into an empty database (then `inventory db upgrade`)"
        )
    _run(
        [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)],
        env,
    )
