"""Flask extensions, created unbound and bound to an app in create_app()."""

from __future__ import annotations

import contextlib
import contextvars
import sqlite3

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

# Constraint names are fixed before the first migration so later migrations can address them on
# every database (SQLite's batch mode needs names to drop or alter a constraint).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()
login_manager = LoginManager()  # sessions for the web pages; the API uses bearer tokens
csrf = CSRFProtect()            # every form of the web pages; the API (no cookies) is exempt


# --- SQLite: make concurrent writers queue instead of failing -------------------------------------
#
# pysqlite starts transactions lazily and as DEFERRED. Two requests that both read and then write
# can then fail with "database is locked" without waiting, and a snapshot taken before another
# writer committed cannot be upgraded at all. So for work that will write, we open the transaction
# with BEGIN IMMEDIATE: the writer takes the lock first and the other waits (busy timeout), then
# sees the committed state. Read-only work keeps plain BEGIN so readers never block each other.
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


@contextlib.contextmanager
def write_intent():
    """Mark the transactions opened inside this block as writers (BEGIN IMMEDIATE on SQLite)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def set_write_intent(value: bool) -> None:
    _write_intent.set(value)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # We issue BEGIN ourselves (below); pysqlite must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


@event.listens_for(Session, "after_commit")
def _writing_done(session):
    # Our services commit once, at the end. What follows (reading the result back to answer the
    # request) must not hold SQLite's write lock until the request ends.
    _write_intent.set(False)
