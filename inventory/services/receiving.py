"""Receiving stock: one asset, or a whole delivery manifest, all or nothing."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..errors import InvalidInput
from ..extensions import add_or_conflict, db
from ..models import Actor, Asset, AssetStatus, Delivery, Event, Location, Programme, allocate_tags
from . import asset_fields
from . import manifest as manifest_reader
from .manifest import RowError

MAX_REPORTED_ERRORS = 1000
_CHUNK = 500  # keeps IN (...) lists well inside every database's parameter limit


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


def receive_one(raw: dict, actor: Actor) -> Asset:
    """POST /assets: the same checks as an import row; errors come back per field."""
    errors: Sequence[tuple[str | None, str]]  # a store check may not name a field
    values, errors = asset_fields.clean(raw)
    if not errors:
        errors = [(e.column, e.message) for e in _check_against_store([(0, values)])]
    if errors:
        field_errors: dict[str, list[str]] = {}
        for name, message in errors:
            field_errors.setdefault(name or "_schema", []).append(message)
        raise InvalidInput("The asset is not valid: see errors for each field", {"json": field_errors})
    result = _store([values], actor, batch=None)
    return db.session.scalars(sa.select(Asset).where(Asset.tag == result.tags[0])).one()  # just stored


def import_manifest(
    data: bytes | str | manifest_reader.Manifest,
    actor: Actor | None,
    *,
    dry_run: bool = False,
    max_rows: int = 50_000,
    batch: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReceiveResult:
    """Check every row of a manifest; store them all, or nothing and every row's errors. `data` may be
    a manifest already read (the delivery preview shows its rows, and need not read the file twice)."""
    parsed = data if isinstance(data, manifest_reader.Manifest) else manifest_reader.read(data, max_rows=max_rows)
    if parsed.errors and not parsed.rows:
        raise ManifestRejected(parsed.errors)
    errors = list(parsed.errors)
    cleaned: list[tuple[int, dict]] = []
    for done, (row_number, raw) in enumerate(parsed.rows, start=1):
        values, row_errors = asset_fields.clean(raw)
        errors.extend(RowError(row_number, f, m) for f, m in row_errors)
        cleaned.append((row_number, values))
        if progress and (done % 100 == 0 or done == len(parsed.rows)):
            progress(done, len(parsed.rows))
    errors.extend(_check_against_store(cleaned))
    if errors:
        errors.sort(
            key=lambda e: (e.row, asset_fields.FIELDS.index(e.column) if e.column in asset_fields.FIELDS else -1)
        )
        raise ManifestRejected(errors)
    if dry_run:
        return ReceiveResult(dry_run=True, checked=len(cleaned))
    result = _store([v for _, v in cleaned], actor, batch=batch or secrets.token_hex(6))
    result.checked = len(cleaned)
    return result


def _chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_against_store(rows: list[tuple[int, dict]]) -> list[RowError]:
    """References that must exist, and identifiers that must be unique in the file and in the store."""
    errors = _check_codes(rows, "programme", Programme) + _check_codes(rows, "location", Location)
    for name, column in (("imei", Asset.imei), ("iccid", Asset.iccid)):
        first = _first_rows(rows, name, lambda values, name=name: values[name], errors)
        stored = _stored(sa.select(column), column, list(first))
        errors += [RowError(first[v], name, f"{name} {v} is already stored") for v in first if v in stored]

    # Serial numbers are unique per maker (makers' names compared without regard to case).
    first = _first_rows(
        rows,
        "serial",
        lambda v: (v["make"].lower(), v["serial"]) if v["serial"] else None,
        errors,
        describe=lambda key: f"{key[1]} (make {key[0]})",
    )
    stored = _stored(sa.select(sa.func.lower(Asset.make), Asset.serial), Asset.serial, [s for _, s in first])
    errors += [
        RowError(row, "serial", f"serial {serial} (make {make}) is already stored")
        for (make, serial), row in first.items()
        if (make, serial) in stored
    ]
    return errors


def _check_codes(rows, name: str, model) -> list[RowError]:
    """Codes that name nothing, or name a deactivated programme or location (which takes no deliveries)."""
    codes = sorted({v[name] for _, v in rows if v[name]})
    known = dict(_stored(sa.select(model.code, model.active), model.code, codes))
    return [
        RowError(n, name, f"unknown {name} '{v[name]}'")
        if v[name] not in known
        else RowError(n, name, f"{name} '{v[name]}' is deactivated: it takes no new assets")
        for n, v in rows
        if v[name] and known.get(v[name]) is not True
    ]


def _first_rows(rows, name: str, key_of, errors: list[RowError], describe=str) -> dict:
    """The first row each key appears on; later rows with the same key are errors."""
    first: dict = {}
    for row_number, values in rows:
        key = key_of(values)
        if key is None:
            continue
        if key in first:
            errors.append(RowError(row_number, name, f"{name} {describe(key)} is also on row {first[key]}"))
        else:
            first[key] = row_number
    return first


def _stored(query: sa.Select, indexed_column, values: list) -> set:
    """What `query` returns for rows whose indexed column is one of `values`, as a set."""
    found: set = set()
    for chunk in _chunks(sorted(set(values))):
        for row in db.session.execute(query.where(indexed_column.in_(chunk))):
            found.add(tuple(row) if len(row) > 1 else row[0])
    return found


def _store(rows: list[dict], actor: Actor | None, *, batch: str | None) -> ReceiveResult:
    programmes = {p.code: p for p in db.session.scalars(sa.select(Programme))}
    codes = sorted({v["location"] for v in rows})
    # Shared locks: a deactivation at the same moment waits, then counts these assets and refuses.
    locations = {
        loc.code: loc
        for loc in db.session.scalars(
            sa.select(Location)
            .where(Location.code.in_(codes))
            .with_for_update(read=True, of=Location)
            .execution_options(populate_existing=True)
        )
    }
    for place in locations.values():
        place.check_receives("receive deliveries")
    tags = allocate_tags(db.session, len(rows))
    assets = []
    for tag, values in zip(tags, rows):
        fields = {k: v for k, v in values.items() if k not in ("programme", "location")}
        asset = Asset(
            tag=tag,
            batch=batch,
            programme=programmes.get(values["programme"]),
            location=locations[values["location"]],
            **fields,
        )
        # A data-bearing device goes on the shelf only with proof its last owner's data is gone.
        ready = not asset.needs_wipe_certificate or asset.wipe_certificate
        asset.status = AssetStatus.IN_STOCK if ready else AssetStatus.RECEIVED
        assets.append(asset)
    # Another delivery with the same serial, IMEI or ICCID may have been stored since we checked.
    add_or_conflict(
        assets,
        "Another import stored one of these serials, IMEIs or ICCIDs at the same moment; "
        "nothing was imported: check the file again",
    )
    db.session.add_all(
        Event(
            actor_id=actor.id if actor else None,
            asset_id=a.id,
            action="receive",
            to_status=a.status.value,
            to_location_id=a.location_id,
            details={"batch": batch} if batch else None,
        )
        for a in assets
    )
    if batch is not None:  # the deliveries page lists these rows, not the assets grouped by batch
        delivery = db.session.scalar(sa.select(Delivery).where(Delivery.batch == batch).with_for_update())
        if delivery is None:
            db.session.add(Delivery(batch=batch, assets=len(assets)))
        else:  # a named batch imported in parts
            delivery.assets += len(assets)
    db.session.flush()
    return ReceiveResult(created=len(assets), tags=tags, batch=batch)
