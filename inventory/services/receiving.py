"""Receiving stock: one asset, or a whole delivery manifest, all or nothing.

A manifest is read, checked and stored a batch of rows at a time, so an import holds one batch and
the identifiers seen so far, never the whole file: memory stays flat in the file's size. Each batch
is checked (its own rows, against earlier rows of the file and against the store) and, while every
row so far is good, stored at once with a few statements (its tags, its assets, their events). All
batches go into one savepoint: the first bad row stops the storing, the checking goes on to the end of
the file to list every error, and the savepoint is rolled back, so nothing of a refused file is left
whoever called. Rows written this way bypass the ORM, so they are counted explicitly
(models/tallying.count_inserted), in the same transaction, as the flush hook would have counted them.

Two imports at once: each checks against what is committed, and the unique constraints catch an
identifier the other stored in between (a unique index makes the second wait for the first to commit).
The refused one rechecks the batch, now seeing the other's rows, and names the row and column (422).
"""

from __future__ import annotations

import contextlib
import gc
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import IO, Any, cast

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import SessionTransaction

from .. import clock
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import DATA_BEARING, Actor, Asset, AssetStatus, Delivery, Event, Location, Programme, allocate_tags
from ..models.bulk import among, insert_rows, lost_to_another
from ..models.tallying import count_inserted
from . import asset_fields
from . import manifest as manifest_reader
from .manifest import RowError

MAX_REPORTED_ERRORS = 1000
BATCH_ROWS = 1000  # rows checked and stored together: a few statements each, a bounded amount of memory
_CHUNK = 500  # keeps IN (...) lists well inside every database's parameter limit
_RACED = (
    "Another import stored one of these serials, IMEIs or ICCIDs at the same moment; "
    "nothing was imported: check the file again"
)


@dataclass
class ReceiveResult:
    created: int = 0
    tags: list[str] = field(default_factory=list)
    batch: str | None = None
    dry_run: bool = False
    checked: int = 0


class ManifestRejected(InvalidInput):
    """Some rows are wrong; nothing was stored. `errors` lists every bad row."""

    def __init__(self, errors: list[RowError], total_rows: int | None = None):
        shown = errors[:MAX_REPORTED_ERRORS]
        bad_rows = len({e.row for e in errors})
        message = f"{bad_rows} row{'s' if bad_rows != 1 else ''} with errors; nothing was imported"
        if len(errors) > len(shown):
            message += f" (the first {len(shown)} of {len(errors)} errors are listed)"
        super().__init__(message, [e.as_dict() for e in shown])
        self.row_errors = errors


Rows = list[tuple[int, dict]]  # (row number, cleaned values)


def receive_one(raw: dict, actor: Actor) -> Asset:
    """POST /assets: the same checks as an import row; errors come back per field."""
    errors: Sequence[tuple[str | None, str]]  # a store check may not name a field
    values, errors = asset_fields.clean(raw)
    checker = _Checker()
    if not errors:
        errors = [(e.column, e.message) for e in checker.check([(0, values)])]
    if errors:
        field_errors: dict[str, list[str]] = {}
        for name, message in errors:
            field_errors.setdefault(name or "_schema", []).append(message)
        raise InvalidInput("The asset is not valid: see errors for each field", {"json": field_errors})
    store = _Store(actor, checker, batch=None)
    raced = store.add([(0, values)])
    if raced:  # stored by someone else between our check and our insert
        raise Conflict(_RACED if raced[0].column is None else f"{_RACED} ({raced[0].message})")
    store.finish()
    return db.session.scalars(sa.select(Asset).where(Asset.tag == store.tags[0])).one()  # just stored


def import_manifest(
    data: bytes | str | IO[bytes] | manifest_reader.ManifestStream,
    actor: Actor | None,
    *,
    dry_run: bool = False,
    max_rows: int = 50_000,
    batch: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReceiveResult:
    """Check every row of a manifest; store them all, or nothing and every row's errors. `data` is the
    file (bytes, text, or a binary file that can be read twice: see manifest.ManifestStream), or a
    stream of it not yet read (the delivery preview keeps the first rows it shows)."""
    if isinstance(data, manifest_reader.ManifestStream):
        stream = data
    else:
        stream = manifest_reader.ManifestStream(data, max_rows=max_rows)
    file_errors = stream.errors  # grows as the stream is read
    checker = _Checker()
    store = None if dry_run else _Store(actor, checker, batch=batch or secrets.token_hex(6))
    errors: list[RowError] = []
    checked = 0
    try:
        with _long_lived_set_aside():
            for chunk in _batches(iter(stream), BATCH_ROWS):
                cleaned: Rows = []
                for row_number, raw in chunk:
                    values, row_errors = asset_fields.clean(raw)
                    errors.extend(RowError(row_number, f, m) for f, m in row_errors)
                    cleaned.append((row_number, values))
                errors.extend(checker.check(cleaned))
                checked += len(cleaned)
                if store is not None and not errors and not file_errors:
                    errors.extend(store.add(cleaned))
                if progress:
                    progress(checked, max(stream.lines - 1, checked))
    except BaseException:
        if store is not None:
            with contextlib.suppress(Exception):  # the error says more than a failed rollback would
                store.abandon()
        raise
    errors = file_errors + errors
    if errors:
        if store is not None:
            store.abandon()  # the batches stored before the first bad row
        errors.sort(
            key=lambda e: (e.row, asset_fields.FIELDS.index(e.column) if e.column in asset_fields.FIELDS else -1)
        )
        raise ManifestRejected(errors)
    if store is None:
        return ReceiveResult(dry_run=True, checked=checked)
    store.finish()
    return ReceiveResult(created=len(store.tags), tags=store.tags, batch=store.batch, checked=checked)


@contextlib.contextmanager
def _long_lived_set_aside() -> Iterator[None]:
    """The objects alive before the import (the app's modules, SQLAlchemy's and Flask's state: some
    hundreds of thousands) left out of Python's cyclic garbage collection while it runs. The rows an
    import makes would otherwise set off a full collection, which walks all of them: 0.14 s of a
    10,000-row import, a tenth of it. Refcounting still frees everything as usual; objects in cycles
    are collected as usual afterwards. Process-wide, so a second import at once in another thread may
    put them back early: that only costs it the time saved, nothing else."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Checker:
    """References that must exist, and identifiers that must be unique in the file and in the store,
    checked a batch at a time. Between batches it keeps only what the next needs: each identifier's
    first row, and the codes already looked up."""

    def __init__(self) -> None:
        self.first: dict[str, dict] = {"imei": {}, "iccid": {}, "serial": {}}
        self.codes: dict[str, dict[str, int | None]] = {"programme": {}, "location": {}}
        self.deactivated: dict[str, set[str]] = {"programme": set(), "location": set()}

    def check(self, rows: Rows) -> list[RowError]:
        errors = self._check_codes(rows, "programme", Programme) + self._check_codes(rows, "location", Location)
        for name, column in (("imei", Asset.imei), ("iccid", Asset.iccid)):
            new = self._first_rows(rows, name, lambda values, name=name: values[name], errors)
            stored = _stored(sa.select(column), column, list(new))
            errors += [RowError(new[v], name, f"{name} {v} is already stored") for v in new if v in stored]

        # Serial numbers are unique per maker (makers' names compared without regard to case).
        new = self._first_rows(
            rows,
            "serial",
            lambda v: (v["make"].lower(), v["serial"]) if v["serial"] else None,
            errors,
            describe=lambda key: f"{key[1]} (make {key[0]})",
        )
        stored = _stored(sa.select(sa.func.lower(Asset.make), Asset.serial), Asset.serial, [s for _, s in new])
        errors += [
            RowError(row, "serial", f"serial {serial} (make {make}) is already stored")
            for (make, serial), row in new.items()
            if (make, serial) in stored
        ]
        return errors

    def ids(self, name: str, code: str) -> int:
        found = self.codes[name][code]
        assert found is not None  # checked
        return found

    def _check_codes(self, rows: Rows, name: str, model) -> list[RowError]:
        known = self.codes[name]
        wanted = sorted({v[name] for _, v in rows if v[name]} - known.keys())
        for chunk in _chunks(wanted):
            query = sa.select(model.code, model.id, model.active).where(among(db.session(), model.code, chunk))
            for code, id_, active in db.session.execute(query):
                known[code] = id_
                if not active:
                    self.deactivated[name].add(code)
        known.update((code, None) for code in wanted if code not in known)
        # A code that names nothing, or a deactivated programme or location (which takes no deliveries).
        return [
            RowError(n, name, f"unknown {name} '{v[name]}'")
            if known[v[name]] is None
            else RowError(n, name, f"{name} '{v[name]}' is deactivated: it takes no new assets")
            for n, v in rows
            if v[name] and (known[v[name]] is None or v[name] in self.deactivated[name])
        ]

    def _first_rows(self, rows: Rows, name: str, key_of, errors: list[RowError], describe=str) -> dict:
        """Keys first seen in these rows, with their row; a key seen on an earlier row is an error."""
        first = self.first[name]
        new: dict = {}
        for row_number, values in rows:
            key = key_of(values)
            if key is None:
                continue
            if key in first:
                errors.append(RowError(row_number, name, f"{name} {describe(key)} is also on row {first[key]}"))
            else:
                first[key] = new[key] = row_number
        return new


def _stored(query: sa.Select, indexed_column, values: list) -> set:
    """What `query` returns for rows whose indexed column is one of `values`, as a set."""
    found: set = set()
    for chunk in _chunks(sorted(set(values))):
        for row in db.session.execute(query.where(among(db.session(), indexed_column, chunk))):
            found.add(tuple(row) if len(row) > 1 else row[0])
    return found


class _Store:
    """Stores checked rows a batch at a time: tags drawn from the counter in one statement, the assets
    in one COPY or executemany, their "receive" events in one INSERT ... SELECT, their stock counted;
    at the end the delivery's row. All inside one savepoint, so that whatever refuses the import later
    (a bad row in a later batch, a unique constraint) takes every stored row back out, whoever called."""

    def __init__(self, actor: Actor | None, codes: _Checker, *, batch: str | None):
        self.actor_id = actor.id if actor else None
        self.batch = batch
        self.now: datetime = clock.now()
        self.tags: list[str] = []
        self.codes = codes  # the checker that checked the rows: it knows their programmes' and locations' ids
        self._assets = cast(sa.Table, Asset.__table__)
        self._events = cast(sa.Table, Event.__table__)
        self._savepoint: SessionTransaction | None = None

    def add(self, rows: Rows) -> list[RowError]:
        """Store the rows; or, if a unique constraint refuses them (another import stored one of their
        identifiers after we checked), take back everything stored and say which rows and why."""
        if self._savepoint is None:
            self._savepoint = db.session.begin_nested()
        tags = allocate_tags(db.session, len(rows))
        assets = [self._asset(tag, values) for tag, (_, values) in zip(tags, rows, strict=True)]
        try:
            insert_rows(db.session(), self._assets, assets)
            db.session.execute(self._receive_events(tags))
        except (sa.exc.DBAPIError, psycopg.Error) as error:
            if not lost_to_another(error):
                raise
            self.abandon()
            # The other import has committed (a unique index waits for that), so its rows can be seen now;
            # after a deadlock it may not have yet, and the refusal says so without naming a field.
            raced = _Checker().check(rows)
            return raced or [RowError(rows[0][0], None, f"{_RACED} (rows {rows[0][0]} to {rows[-1][0]})")]
        count_inserted(db.session(), Asset, assets)
        self.tags.extend(tags)
        return []

    def abandon(self) -> None:
        """Take back everything stored so far (and its counts): the import is refused."""
        if self._savepoint is not None and self._savepoint.is_active:
            self._savepoint.rollback()
        self._savepoint = None
        self.tags = []

    def _asset(self, tag: str, values: dict) -> dict[str, Any]:
        # A data-bearing device goes on the shelf only with proof its last owner's data is gone.
        ready = values["type"] not in DATA_BEARING or values["wipe_certificate"]
        row = dict(values)
        del row["programme"], row["location"]
        row.update(
            tag=tag,
            batch=self.batch,
            programme_id=self.codes.ids("programme", values["programme"]) if values["programme"] else None,
            location_id=self.codes.ids("location", values["location"]),
            status=AssetStatus.IN_STOCK if ready else AssetStatus.RECEIVED,
            received_at=self.now,
            label_printed_at=None,
        )
        return row

    def _receive_events(self, tags: list[str]) -> sa.Insert:
        """Each asset's "receive" event, written from the asset rows just inserted (one statement, and
        the ids need not come back to Python)."""
        a, events = self._assets, self._events
        details = sa.literal({"batch": self.batch}, sa.JSON) if self.batch else sa.null()
        columns = ("at", "actor_id", "asset_id", "action", "to_status", "to_location_id", "details")
        return sa.insert(events).from_select(
            columns,
            sa.select(
                sa.literal(self.now, events.c.at.type),
                sa.literal(self.actor_id, events.c.actor_id.type),
                a.c.id,
                sa.literal("receive", events.c.action.type),
                a.c.status,
                a.c.location_id,
                details,
            )
            .where(among(db.session(), a.c.tag, tags))
            .order_by(a.c.id),
        )

    def finish(self) -> None:
        """Keep what was stored, with the delivery's row (the deliveries page lists these, not the assets
        grouped by batch)."""
        if self.batch is not None and self.tags:
            self._delivery()
        if self._savepoint is not None:
            self._savepoint.commit()  # released into the caller's transaction, which commits or not
            self._savepoint = None

    def _delivery(self) -> None:
        deliveries = cast(sa.Table, Delivery.__table__)
        existing = db.session.execute(
            sa.select(deliveries.c.id).where(deliveries.c.batch == self.batch).with_for_update()
        ).scalar()
        if existing is None:
            db.session.execute(
                sa.insert(deliveries).values(batch=self.batch, assets=len(self.tags), received_at=self.now, labelled=0)
            )
        else:  # a named batch imported in parts
            db.session.execute(
                sa.update(deliveries)
                .where(deliveries.c.id == existing)
                .values(assets=deliveries.c.assets + len(self.tags))
            )
