"""Writing many rows of one table at once, as fast as each database allows."""

from __future__ import annotations

import enum
import sqlite3
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session


def lost_to_another(error: BaseException) -> bool:
    """Whether a bulk write failed because another transaction wrote the same unique values at the same
    moment: a unique violation (the other committed first: the unique tag, IMEI and ICCID, and the serial
    per maker whatever the case of its name, uq_assets_serial_make), or a deadlock (each waited on a value
    the other wrote first, and PostgreSQL ended one). Raised as SQLAlchemy's wrapper (an executemany, an
    INSERT ... SELECT) or as psycopg's own error (a COPY, which goes to the driver directly). Any other
    refusal (a foreign key, a check) is a fault of ours, not a race, and is not taken for one."""
    cause = getattr(error, "orig", None) or error
    if isinstance(cause, psycopg.errors.UniqueViolation | psycopg.errors.DeadlockDetected):
        return True
    return isinstance(cause, sqlite3.IntegrityError) and str(cause).startswith("UNIQUE constraint failed")


def insert_rows(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` in the session's transaction.

    PostgreSQL: one COPY, several times faster than an executemany (which psycopg sends as one INSERT
    per row). Elsewhere (SQLite): one executemany. Python-side column defaults are not applied: give
    every value. Rows written this way are unseen by the ORM's flush hooks (the kept counts): count
    them with models.tallying.count_inserted."""
    if not rows:
        return
    columns = list(rows[0])
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(table), rows)
        return
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # Enums are stored by value (models.columns.enum_type); psycopg would write their names. Only the
    # enum columns are looked at, not every value of every row.
    enums = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, sa.Enum)]
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in columns]
            for i in enums:
                if isinstance(values[i], enum.Enum):
                    values[i] = values[i].value
            copy.write_row(values)


def among(session: Session, column: sa.ColumnElement, values: list) -> sa.ColumnElement[bool]:
    """`column IN values`: on PostgreSQL as `= ANY(array)` with one parameter, because psycopg parses a
    statement of a thousand placeholders afresh each time (slower than the query); elsewhere IN (...)
    (keep `values` within the database's parameter limit there)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.literal(values, postgresql.ARRAY(column.type)))
    return column.in_(values)
