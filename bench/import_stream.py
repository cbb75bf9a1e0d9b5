"""A delivery manifest imported a batch at a time: time and peak memory, against the code before it
and a bare multi-row insert of the same rows, measured in the same run.

    python bench/import_stream.py [--rows 10000 50000] [--database-url URL] [--old-ref 5fa8f1e] [--repeat 1]

For each size it writes one manifest (tablets with serials, IMEIs and wipe certificates; SIMs with
ICCIDs, numbers and allowances; chairs), then imports it in a fresh subprocess on a freshly migrated
database (SQLite in a temporary folder, or the PostgreSQL database given, which is emptied) three ways:

- new:      this tree's `receiving.import_manifest` reading the open file, as `inventory assets import` does;
- old:      the same service at --old-ref (extracted with `git archive`), given the file's bytes, as its CLI did;
- baseline: no checks at all: the CSV parsed and its rows inserted with one Core executemany (assets only).

Each child reports the import's wall time (commit included), its own CPU time (the whole import on
SQLite; on PostgreSQL the server's work is not in it, so less affected by a loaded machine), the
process's peak resident memory during
the import (VmHWM, reset just before it, so the set-up does not count) and the rise of that peak above
the resident memory just before the import. The
targets (issue 18): 10,000 rows in under 1.5 s; 50,000 rows in under 300 MB peak. The machine is
shared: compare the ratios within a run, not runs (with --repeat the variants take turns).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "type,make,model,serial,imei,iccid,msisdn,network,data_allowance_gb,condition,wipe_certificate,programme,location"
)


FIGURES = ("seconds", "cpu", "peak_mb", "rise_mb")


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # doubled: the check digit will sit to the right of these
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def write_manifest(path: Path, rows: int) -> None:
    """`rows` rows, every identifier unique and valid (Luhn check digits included)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for n in range(rows):
            kind = n % 10
            if kind < 6:
                imei = f"35{n:012d}"
                out.write(
                    f'tablet,Samsung,"Galaxy Tab A8 (SM-X200, Wi-Fi)",SN{n:010d},{imei}{_luhn_digit(imei)},,,,,'
                    f"A,WIPE-{n:08d},DII,WH-MAIN\n"
                )
            elif kind < 9:
                iccid = f"894410{n:012d}"
                iccid += _luhn_digit(iccid)
                out.write(f"sim,Vodafone,Pay monthly data SIM,,,{iccid},077{n:08d},Vodafone,20,,,DII,WH-MAIN\n")
            else:
                out.write(f"chair,ReUse,Office chair,CH{n:010d},,,,,,B,,DII,WH-MAIN\n")


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise SystemExit(f"no {field} in /proc/self/status (this benchmark needs Linux)")


def _reset_peak() -> float:
    """Start the peak (VmHWM) again from now, so set-up (migrations) does not count; now's RSS in MB."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return _status_mb("VmRSS")


def child(variant: str, url: str, manifest: Path) -> dict:
    """One import in this (fresh) process: what it took."""
    import sqlalchemy as sa

    from bench.setup import fresh_database
    from inventory.extensions import db
    from inventory.services import reference, users

    with fresh_database(url):
        reference.create_location(code="WH-MAIN", name="Warehouse", kind="warehouse", area="Knowsley")
        actor, _ = users.create_user("bench@example.org", "warehouse", password="benchmark-password")
        db.session.commit()
        before = _reset_peak()
        start, cpu = time.perf_counter(), time.process_time()
        if variant == "baseline":
            created = _bare_executemany(manifest)
        else:
            from inventory.services import receiving

            if variant == "new":
                with manifest.open("rb") as stream:
                    result = receiving.import_manifest(stream, actor)
            else:
                result = receiving.import_manifest(manifest.read_bytes(), actor)
            created = result.created
        db.session.commit()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak = _status_mb("VmHWM")
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("assets")))
        events = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("events")))
        assert stored == created, (stored, created)
        if variant != "baseline":
            assert events == created, (events, created)
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak, "rise_mb": peak - before, "created": created}


def _bare_executemany(manifest: Path) -> int:
    """The floor: no checks, no events, no counts; the rows as the CSV has them, in one executemany."""
    import sqlalchemy as sa

    from inventory.extensions import db
    from inventory.models import Asset, Location, allocate_tags

    location = db.session.scalar(sa.select(Location.id).where(Location.code == "WH-MAIN"))
    with manifest.open(newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    tags = allocate_tags(db.session, len(rows))
    db.session.execute(
        sa.insert(Asset.__table__),  # type: ignore[arg-type]
        [
            {
                "tag": tag,
                "type": row["type"],
                "make": row["make"],
                "model": row["model"],
                "serial": row["serial"] or row["iccid"],
                "imei": row["imei"] or None,
                "iccid": row["iccid"] or None,
                "status": "in_stock",
                "location_id": location,
            }
            for tag, row in zip(tags, rows, strict=True)
        ],
    )
    return len(rows)


def old_tree(ref: str, into: Path) -> Path:
    """The app (and its migrations) as they were at `ref`, for the "old" runs."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "inventory", "migrations"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def run_child(variant: str, url: str, manifest: Path, tree: Path) -> dict:
    if url.startswith("sqlite:///"):  # a fresh file each time (PostgreSQL's schema is dropped instead)
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--database-url", url, "--manifest", str(manifest)],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--database-url", help="PostgreSQL (emptied first); default: SQLite in a temporary folder")
    parser.add_argument("--old-ref", default="5fa8f1e", help="the code before (git ref); '' to skip it")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (the median is shown)")
    parser.add_argument("--child", choices=["new", "old", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--manifest", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.database_url, args.manifest)))
        return

    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite:///{work}/bench.sqlite3"
        trees = {"new": ROOT, "baseline": ROOT}
        if args.old_ref:
            trees["old"] = old_tree(args.old_ref, work / "old")
        where = url.split("://")[0].split("+")[0]
        print(f"database: {where}; old: {args.old_ref or '(skipped)'}; repeat: {args.repeat}")
        for rows in args.rows:
            manifest = work / f"manifest-{rows}.csv"
            write_manifest(manifest, rows)
            # The variants take turns, run after run, so that a change in the machine's load falls on
            # them alike.
            runs: dict[str, list[dict]] = {v: [] for v in ("baseline", "new", "old") if v in trees}
            for _ in range(args.repeat):
                for variant, done in runs.items():
                    done.append(run_child(variant, url, manifest, trees[variant]))
            figures = {v: {k: statistics.median(r[k] for r in done) for k in FIGURES} for v, done in runs.items()}
            size = manifest.stat().st_size / 1e6
            print(f"\n{rows:,} rows ({size:.1f} MB of CSV)")
            print(f"  {'':9} {'time':>8} {'cpu':>7} {'peak RSS':>9} {'rise':>8}   ratios")
            for variant, f in figures.items():
                ratios = []
                if variant != "baseline":
                    ratios.append(f"time {f['seconds'] / figures['baseline']['seconds']:.1f}x baseline")
                if variant == "new" and "old" in figures:
                    old = figures["old"]
                    ratios.append(
                        f"{old['seconds'] / f['seconds']:.1f}x faster than old (cpu {old['cpu'] / f['cpu']:.1f}x), "
                        f"peak {f['peak_mb'] / old['peak_mb']:.2f}x, "
                        f"rise {f['rise_mb'] / max(old['rise_mb'], 1):.2f}x old"
                    )
                print(
                    f"  {variant:9} {f['seconds']:7.2f}s {f['cpu']:6.2f}s {f['peak_mb']:7.0f}MB {f['rise_mb']:6.0f}MB"
                    f"   {'; '.join(ratios)}"
                )


if __name__ == "__main__":
    main()
