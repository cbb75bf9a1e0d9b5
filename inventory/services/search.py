"""Searching text columns with LIKE: what a person types is matched literally (their % and _ are not wildcards)."""

from __future__ import annotations

import sqlalchemy as sa

ESCAPE = "\\"


def escaped(term: str) -> str:
    return term.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def starts_with(column, term: str):
    return column.ilike(f"{escaped(term)}%", escape=ESCAPE)


def contains(column, term: str):
    return sa.func.lower(column).like(f"%{escaped(term.lower())}%", escape=ESCAPE)
