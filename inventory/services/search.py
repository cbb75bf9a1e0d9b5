"""Searching text columns with ILIKE, in any case: what a person types is matched literally (their % and _ are
not wildcards). On PostgreSQL the columns searched have trigram indexes (pg_trgm), which answer both."""

from __future__ import annotations

ESCAPE = "\\"


def escaped(term: str) -> str:
    return term.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def starts_with(column, term: str):
    return column.ilike(f"{escaped(term)}%", escape=ESCAPE)


def contains(column, term: str):
    # ILIKE on the column itself, not lower(column) LIKE: PostgreSQL's trigram index on the column answers it.
    return column.ilike(f"%{escaped(term)}%", escape=ESCAPE)
