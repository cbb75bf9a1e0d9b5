"""How long the issue page takes to open offline (the service worker's app shell, filled from what is kept on
the phone) against online (the page from the server), measured in the same run.

    python bench/offline_shell.py [--runs 30] [--port 5078]

Builds a fresh SQLite database with the demo data, serves the app with gunicorn, signs in as the demo advocate
in Debian's Chromium (Playwright) at 360 px, opens a participant's issue page until the app is ready to work
offline, then opens that page again `--runs` times online and `--runs` times offline, alternately (so both
see the same machine load). A run is timed from the navigation's start until what a person needs is on the
screen: online, the issue form with the tags box; offline, the shell's issue form with the participant chosen
from the kept copy. Prints the median and 90th percentile of each, and offline/online as a ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.pages import PASSWORDS, ROOT, _bin, demo_ids, serve  # noqa: E402

PHONE = {"width": 360, "height": 740}


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.9 * len(ordered)) - 1)]


def measure(base: str, participant: str, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    path = f"/participants/{participant}/issue"
    times: dict[str, list[float]] = {"online": [], "offline": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless=new", "--no-sandbox"])
        context = browser.new_context(viewport=PHONE, base_url=base, is_mobile=True, has_touch=True)
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.goto("/sign-in")
        page.get_by_label("Email").fill("advocate@demo.example")
        page.get_by_label("Password").fill(PASSWORDS["advocate"])
        page.get_by_role("button", name="Sign in").click()
        page.goto(path)
        page.wait_for_selector("#offline-status[data-offline-ready]", state="attached")
        for _ in range(runs):
            for mode in ("online", "offline"):
                context.set_offline(mode == "offline")
                started = time.perf_counter()
                page.goto(path, wait_until="commit")
                if mode == "online":
                    page.wait_for_selector("#f-items", state="visible")
                else:
                    page.wait_for_function(
                        "id => document.getElementById('oi-participant') && "
                        "document.getElementById('oi-participant').value === id",
                        arg=participant,
                    )
                times[mode].append((time.perf_counter() - started) * 1000)
        context.set_offline(False)
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--port", type=int, default=5078)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/offline.db",
            "SECRET_KEY": "bench-offline-not-a-secret",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
        }
        inventory = _bin("inventory")
        subprocess.run([inventory, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
        subprocess.run([inventory, "seed-demo"], env=env, cwd=ROOT, check=True, capture_output=True)
        ids = demo_ids(env)
        server = serve(args.port, env)
        try:
            times = measure(f"http://127.0.0.1:{args.port}", ids["participant"], args.runs)
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)  # a loaded machine may take a while to stop gunicorn's workers
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    print(f"the issue page at 360 px, {args.runs} runs each, alternating")
    print(f"{'':<34} {'median':>8} {'p90':>8}")
    for mode, label in (("offline", "offline, the cached app shell"), ("online", "online, from the server")):
        print(f"{label:<34} {statistics.median(times[mode]):>6.0f}ms {p90(times[mode]):>6.0f}ms")
    ratio = statistics.median(times["offline"]) / statistics.median(times["online"])
    print(f"offline/online (medians): {ratio:.2f}")


if __name__ == "__main__":
    main()
