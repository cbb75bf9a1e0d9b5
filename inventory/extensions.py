"""Flask extensions, created unbound and bound to an app in create_app()."""

from __future__ import annotations

import contextlib
import contextvars
import sqlite3
from typing import TYPE_CHECKING

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

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

# The models' base class. At run time it is db.Model, which Flask-SQLAlchemy builds from Base's body
# (same registry and metadata) plus its own mixins, but which is not a subclass of Base; mypy cannot
# see that dynamic class, so to it the models are plain typed subclasses of Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
api = Api()
login_manager = LoginManager()  # sessions for the web pages; the API uses bearer tokens
csrf = CSRFProtect()  # every form of the web pages; the API (no cookies) is exempt


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


@contextlib.contextmanager
def read_intent():
    """Mark the transactions opened inside this block as readers (plain BEGIN on SQLite), inside a unit of
    work that writes: a background job reads for seconds while its progress is written beside it."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


# --- The unit of work ------------------------------------------------------------------------------
#
# Services only add and flush; the entry point decides. A request (see init_unit_of_work), a CLI
# command and a scheduler job each run in one transaction that is committed when they succeed and
# rolled back when anything is refused or fails, so a refused request changes nothing however deep
# the refusal came from. Work that will write says so when it starts, which on SQLite takes the write
# lock at BEGIN (a reader that later writes could not wait for it, and would fail "database is locked").


@contextlib.contextmanager
def unit_of_work(*, write: bool = True):
    """One transaction around a CLI command, a job or a test's set-up: commit on success, else roll back."""
    token = _write_intent.set(write)
    kept = _kept.set([])
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        rollback_quietly()
        _write_kept()
        raise
    finally:
        _write_intent.reset(token)
        _kept.reset(kept)


# Writes that must survive the refusal they are part of: a wrong password is refused (401) and the
# request's transaction rolled back, yet the failure has to be counted. A service registers such a
# write with keep_despite_refusal(); the entry point runs it after the rollback, in a transaction of
# its own.
_kept: contextvars.ContextVar[list | None] = contextvars.ContextVar("kept_writes", default=None)


def rollback_quietly() -> bool:
    """Roll the session back. On a connection that has died (the database restarted or ended it) a
    rollback has nothing left to undo and would only raise: throw the connection away instead, so the
    pool never hands it out again. True when that happened."""
    from .errors import is_database_down

    try:
        db.session.rollback()
        return False
    except Exception as error:
        if not is_database_down(error):
            raise
    db.session().invalidate()
    return True


def keep_despite_refusal(write) -> None:
    """Run `write()` (it adds rows to db.session) even if this unit of work ends in a refusal."""
    kept = _kept.get()
    if kept is None:
        raise RuntimeError("keep_despite_refusal() outside a unit of work")
    kept.append(write)


def _write_kept() -> None:
    kept = _kept.get() or []
    if not kept:
        return
    token = _write_intent.set(True)
    try:
        for write in kept:
            write()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        kept.clear()
        _write_intent.reset(token)


def add_or_conflict(things, message: str) -> None:
    """Add and flush new rows in a savepoint; if a unique constraint refuses them (someone stored the
    same code at the same moment), only they are undone, and the caller is told with a 409."""
    from sqlalchemy.exc import IntegrityError

    from .errors import Conflict

    try:
        with db.session.begin_nested():
            db.session.add_all(things if isinstance(things, list) else [things])
    except IntegrityError:
        raise Conflict(message) from None


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def writes(view):
    """Mark a view that writes even when it is read with GET (it records the access log): its
    transaction starts as a writer too."""
    view.writes = True
    return view


def keep_if_refused(statement, rows: list[dict]) -> None:
    """Rows that stand even if the request ends refused (4xx) and its unit of work is rolled back: a
    page re-shown with its errors still showed what it showed. Written again after the rollback."""
    from flask import has_request_context

    if has_request_context():  # elsewhere (a command, a job) a failure shows nothing
        keep_despite_refusal(lambda: db.session.execute(statement, rows))


def init_unit_of_work(app) -> None:
    """Each request is one unit of work. Registered before any other hook, so that everything a
    request reads, from the signed-in user on, is already in its (writer's) transaction."""
    from flask import request

    @app.before_request
    def _begin():
        view = app.view_functions.get(request.endpoint or "")
        _write_intent.set(request.method in UNSAFE_METHODS or getattr(view, "writes", False))
        _kept.set([])

    @app.after_request
    def _end(response):
        # Registered first, so it runs after every other after_request hook: a failed commit turns
        # the finished answer (with its headers) into the 503.
        from .errors import is_database_down, turn_into_database_down

        try:
            if response.status_code < 400:
                db.session.commit()
            else:
                rollback_quietly()
                _write_kept()
        except Exception as error:
            if not is_database_down(error):
                raise
            rollback_quietly()
            return turn_into_database_down(response)
        return response

    @app.teardown_request
    def _discard(exc):
        # Never raises for a dead connection: an exception here would reach the WSGI server, whose
        # answer is a bare HTML 500.
        from .errors import is_database_down

        try:
            if exc is not None:
                rollback_quietly()
                _write_kept()
        except Exception as error:
            if not is_database_down(error):
                raise
            rollback_quietly()
        finally:
            _write_intent.set(False)
            _kept.set(None)


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
