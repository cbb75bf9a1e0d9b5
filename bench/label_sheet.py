"""A 1,000-label L7651 PDF now, against the same sheet drawn the way it was before (qrcode building each
matrix, one formatted rectangle a run), in the same run; and qrcode's matrices alone.

    python bench/label_sheet.py [--labels 1000] [--repeat 3]

Target: the 1,000-label sheet in under 1.5 s (issue 18); the ratio to the old drawing says how much of
that is the code rather than the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inventory.tags import tag_for_number  # noqa: E402
from labels import sheets  # noqa: E402
from labels.content import LabelContent  # noqa: E402
from labels.qr import library_matrix, runs  # noqa: E402
from labels.sheets import render, template  # noqa: E402


def _library_rows(payload: str) -> list[str]:
    return ["".join("1" if dark else "0" for dark in row) for row in library_matrix(payload)]


def _one_rectangle_a_run(rows: list[str], cache: dict) -> str:
    return " ".join(f"{column} {row} {length} 1 re" for row, column, length in runs(rows))


@contextmanager
def drawn_as_before():
    """The sheet code with its two old steps put back: qrcode's matrices, and a rectangle formatted per run."""
    saved = sheets.qr_rows, sheets._code_path
    sheets.qr_rows, sheets._code_path = _library_rows, _one_rectangle_a_run
    try:
        yield
    finally:
        sheets.qr_rows, sheets._code_path = saved


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    contents = [
        LabelContent.for_asset("https://kit.example.org", tag_for_number(n), "tablet", "Galaxy Tab A8 (SM-X200, Wi-Fi)")
        for n in range(1, args.labels + 1)
    ]
    sheet = template("L7651")
    qr_runs, before_runs, pdf_runs = [], [], []
    for _ in range(args.repeat):  # interleaved, so all three see the same machine
        t0 = time.perf_counter()
        for content in contents:
            library_matrix(content.payload)
        qr_runs.append(time.perf_counter() - t0)
        with drawn_as_before():
            t0 = time.perf_counter()
            old = render(contents, sheet)
            before_runs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        pdf = render(contents, sheet)
        pdf_runs.append(time.perf_counter() - t0)
    qr, before, now = statistics.median(qr_runs), statistics.median(before_runs), statistics.median(pdf_runs)
    pages = -(-args.labels // sheet.per_sheet)
    print(f"{args.labels} QR matrices by qrcode alone: {qr:.2f} s")
    print(f"{args.labels}-label L7651 PDF drawn as before: {before:.2f} s ({len(old) // 1024} KiB, {pages} pages)")
    print(
        f"{args.labels}-label L7651 PDF now: {now:.2f} s ({len(pdf) // 1024} KiB) = {now / before:.2f}x the old "
        f"drawing, {now / qr:.2f}x qrcode's matrices alone (target: under 1.5 s)"
    )


if __name__ == "__main__":
    main()
