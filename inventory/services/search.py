"""Searching text columns in any case: what a person types is matched literally (their % and _ are not
wildcards). On PostgreSQL the columns searched by a piece have trigram indexes (pg_trgm); those searched by
their start, b-trees on their lower-case text."""

from __future__ import annotations

import sqlalchemy as sa

ESCAPE = "\\"


def escaped(term: str) -> str:
    return term.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def starts_with(column, term: str):
    # lower(column) LIKE 'q%', not ILIKE: the b-tree on lower(column) in byte order answers it as a range
    # (models.assets' prefix indexes), where a trigram index must visit every matching row to check it.
    return sa.func.lower(column).like(f"{escaped(term.lower())}%", escape=ESCAPE)


def contains(column, term: str):
    # ILIKE on the column itself, not lower(column) LIKE: PostgreSQL's trigram index on the column answers it.
    return column.ilike(f"%{escaped(term)}%", escape=ESCAPE)
