"""What a schema downgrade would destroy: the tables (and columns) the undone migrations drop, with
the rows they hold, so `inventory db downgrade` can refuse to throw data away unless told to."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy.engine import Connection

from .backups import SCHEMA_TABLES


class DowngradeError(Exception):
    """The downgrade's target cannot be followed from the database's revision."""


@dataclass(frozen=True)
class Loss:
    table: str
    column: str | None  # None: the whole table goes
    rows: int

    def __str__(self) -> str:
        if self.column is None:
            return f"table {self.table}: {self.rows} row(s)"
        return f"column {self.table}.{self.column}: {self.rows} row(s) with a value"


def revisions_undone(script: ScriptDirectory, current: str | None, target: str) -> list[Script]:
    """The migrations a downgrade from `current` to `target` runs, newest first. `target` is what
    `db downgrade` takes: a revision (or a unique prefix of one), `base`, or `-N` steps back."""
    if current is None:
        return []
    undone: list[Script] = []
    revision: Script | None = script.get_revision(current)
    if target.startswith("-") and target[1:].isdigit():
        steps: int | None = int(target[1:])
        stop = None
    else:
        steps = None
        stop = None if target == "base" else _resolve(script, target)
    while revision is not None and revision.revision != stop and (steps is None or len(undone) < steps):
        undone.append(revision)
        down = revision.down_revision
        if isinstance(down, tuple | list):
            raise DowngradeError(f"{revision.revision} merges branches: downgrade one branch at a time")
        revision = script.get_revision(down) if down else None
    if stop is not None and revision is None:
        raise DowngradeError(f"{target} is not below the database's revision {current}")
    return undone


def _resolve(script: ScriptDirectory, target: str) -> str:
    found = script.get_revision(target)
    if found is None:
        raise DowngradeError(f"no revision {target}")
    return found.revision


def dropped_by(revision: Script) -> list[tuple[str, str | None]]:
    """(table, None) for each op.drop_table() in the revision's downgrade(), (table, column) for each
    drop_column(): read from the script itself, without running it."""
    tree = ast.parse(Path(revision.path).read_text(encoding="utf-8"))
    downgrade = next(
        (node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "downgrade"), None
    )
    if downgrade is None:
        return []
    drops: list[tuple[str, str | None]] = []
    for node in ast.walk(downgrade):
        if isinstance(node, ast.Call) and _called(node) == "drop_table" and _text(node, 0):
            drops.append((_text(node, 0) or "", None))
        elif isinstance(node, ast.Call) and _called(node) == "drop_column" and _text(node, 0) and _text(node, 1):
            drops.append((_text(node, 0) or "", _text(node, 1)))  # op.drop_column(table, column)
        elif isinstance(node, ast.With):
            # with op.batch_alter_table("table") as batch_op: batch_op.drop_column("column")
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and _called(call) == "batch_alter_table" and _text(call, 0):
                    for inner in ast.walk(ast.Module(body=node.body, type_ignores=[])):
                        if isinstance(inner, ast.Call) and _called(inner) == "drop_column" and _text(inner, 0):
                            if len(inner.args) == 1:
                                drops.append((_text(call, 0) or "", _text(inner, 0)))
    return drops


def _called(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _text(call: ast.Call, index: int) -> str | None:
    arg = call.args[index] if len(call.args) > index else None
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def losses(conn: Connection, script: ScriptDirectory, target: str) -> list[Loss]:
    """What downgrading the database on `conn` to `target` would delete: only what holds rows."""
    heads = MigrationContext.configure(conn).get_current_heads()
    if len(heads) > 1:
        raise DowngradeError(f"the database is at several heads ({', '.join(heads)})")
    undone = revisions_undone(script, heads[0] if heads else None, target)
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    found: list[Loss] = []
    seen: set[tuple[str, str | None]] = set()
    for revision in undone:
        for table, column in dropped_by(revision):
            if (table, column) in seen or table not in tables or table in SCHEMA_TABLES:
                continue
            seen.add((table, column))
            query = sa.select(sa.func.count()).select_from(sa.table(table))
            if column is not None:
                if column not in {c["name"] for c in inspector.get_columns(table)}:
                    continue
                query = query.where(sa.column(column).is_not(None))
            rows = conn.execute(query).scalar_one()
            if rows:
                found.append(Loss(table, column, rows))
    # A table dropped outright says all there is to say about its columns.
    whole = {loss.table for loss in found if loss.column is None}
    return [loss for loss in found if loss.column is None or loss.table not in whole]
