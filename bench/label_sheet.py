"""A 1,000-label L7651 PDF against qrcode building the same 1,000 QR matrices, in the same run.

    python bench/label_sheet.py [--labels 1000] [--repeat 3]

Target: the whole PDF (matrices, layout, vector drawing, compression) in under 2x the matrices alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inventory.tags import tag_for_number  # noqa: E402
from labels.content import LabelContent  # noqa: E402
from labels.qr import matrix  # noqa: E402
from labels.sheets import render, template  # noqa: E402


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
    qr_runs, pdf_runs = [], []
    for _ in range(args.repeat):  # alternate, so both see the same machine
        t0 = time.perf_counter()
        for content in contents:
            matrix(content.payload)
        qr_runs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        pdf = render(contents, sheet)
        pdf_runs.append(time.perf_counter() - t0)
    qr, full = statistics.median(qr_runs), statistics.median(pdf_runs)
    print(f"{args.labels} QR matrices (qrcode alone): {qr:.2f} s")
    print(
        f"{args.labels}-label L7651 PDF ({len(pdf) // 1024} KiB, {-(-args.labels // sheet.per_sheet)} pages): "
        f"{full:.2f} s = {full / qr:.2f}x the matrices (target: under 2x)"
    )


if __name__ == "__main__":
    main()
