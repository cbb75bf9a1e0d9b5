"""How heavy the main pages are on a first visit, how Lighthouse scores them, and what they look like.

    python bench/pages.py [--port 5077] [--lighthouse] [--screenshots build/screenshots] [--out FILE]

Builds a fresh SQLite database with the demo data (`inventory db upgrade` + `inventory seed-demo`), serves
the app with gunicorn, signs in as each demo role in Debian's Chromium (Playwright) and opens that role's
main pages with an empty cache. Every answer the page loads (the page, its style sheets, scripts, images)
is counted at its size gzip-compressed (level 6, as a proxy server in front of the app would send it), so
the figure is what a phone downloads on the first visit. The camera's barcode reader is left out: it loads
only when someone presses the camera button.

With --lighthouse, each page is audited by npm's `lighthouse` (devDependency) driving /usr/bin/chromium with
the signed-in session's cookie, and the accessibility and performance scores are printed. Screenshots of each
page at 360 px and 1280 px go to --screenshots.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# Each demo role's main pages (paths with {asset}, {participant} filled in from the demo data).
PAGES = {
    None: ["/sign-in"],
    "warehouse": [
        "/scan",
        "/deliveries",
        "/stock",
        "/a/{asset}",
        "/assets",
        "/consignments",
        "/consignments/{consignment}/pack",
        "/stocktakes",
        "/stocktakes/{stocktake}",
        "/sims-to-bar",
        "/found",
    ],
    "advocate": [
        "/participants",
        "/participants/{participant}",
        "/participants/{participant}/issue",
        "/reminders",
        "/overdue",
    ],
    "partner": ["/stock", "/hub", "/stocktakes"],
    "admin": ["/admin", "/admin/users", "/reports", "/admin/access-log", "/account"],
}
PASSWORDS = {
    "admin": "demo-admin-2026",
    "warehouse": "demo-warehouse-2026",
    "advocate": "demo-advocate-2026",
    "partner": "demo-partner-2026",
}


def _bin(name: str) -> str:
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


def serve(port: int, env: dict) -> subprocess.Popen:
    log = tempfile.NamedTemporaryFile(prefix="inventory-bench-pages-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [_bin("gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "inventory:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2)
            return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"the server did not start; see {log.name}")


def demo_ids(env: dict) -> dict:
    """A demo asset's tag and a demo participant's id, read from the database the server uses; and, as the
    demo data has none, a consignment with two tablets packed and an open stocktake of the warehouse, made
    through the services as the demo warehouse user."""
    code = (
        "import json, sqlalchemy as sa\n"
        "from inventory import create_app, clock\n"
        "from inventory.extensions import db, unit_of_work\n"
        "from inventory.models import Asset, AssetStatus, AssetType, Participant, User\n"
        "from inventory.services import consignments, stocktakes\n"
        "with create_app().app_context():\n"
        "    tag = db.session.scalar(sa.select(Asset.tag).order_by(Asset.tag).limit(1))\n"
        "    pid = db.session.scalar(sa.select(Participant.id).order_by(Participant.id).limit(1))\n"
        "    who = db.session.scalar(sa.select(User).where(User.email == 'warehouse@demo.example'))\n"
        "    tablets = db.session.scalars(sa.select(Asset.tag).where(Asset.type == AssetType.TABLET,\n"
        "        Asset.status == AssetStatus.IN_STOCK, Asset.kit_id.is_(None)).order_by(Asset.tag).limit(2)).all()\n"
        "    with unit_of_work():\n"
        "        box = consignments.create_consignment(to='HUB-LIV-NE', from_='WH-MAIN', request_id=None, actor=who)\n"
        "        box_tag = box.tag\n"
        "    with unit_of_work():\n"
        "        consignments.add_items(box_tag, list(tablets), who)\n"
        "    with unit_of_work():\n"
        "        count = stocktakes.open_stocktake('WH-MAIN', who, clock.now()).id\n"
        "    print(json.dumps({'asset': tag, 'participant': str(pid), 'consignment': box_tag,\n"
        "                      'stocktake': str(count)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def measure(base: str, ids: dict, screenshots: Path | None, lighthouse: bool) -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless=new", "--no-sandbox"])
        for role, paths in PAGES.items():
            context = browser.new_context(viewport=DESKTOP, base_url=base)
            page = context.new_page()
            if role:
                page.goto("/sign-in")
                page.get_by_label("Email").fill(f"{role}@demo.example")
                page.get_by_label("Password").fill(PASSWORDS[role])
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_load_state("networkidle")
            for template in paths:
                path = template.format(**ids)
                # A fresh page in a context whose cache is off: every file is fetched as on a first visit.
                loads: list[tuple[str, int, int]] = []
                probe = context.new_page()
                cdp = context.new_cdp_session(probe)
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

                def on_response(response, loads=loads):
                    if "/vendor/zxing-wasm/" in response.url or "/vendor/barcode-detector/" in response.url:
                        return
                    try:
                        body = response.body()
                    except Exception:  # a redirect has no body
                        return
                    loads.append((response.url, len(body), gzipped(body)))

                probe.on("response", on_response)
                probe.set_viewport_size(DESKTOP)
                probe.goto(path, wait_until="networkidle")
                status = probe.evaluate("document.title")
                row = {
                    "role": role or "signed out",
                    "path": template,
                    "title": status,
                    "files": len(loads),
                    "bytes": sum(b for _, b, _ in loads),
                    "gzip": sum(g for _, _, g in loads),
                }
                if screenshots:
                    screenshots.mkdir(parents=True, exist_ok=True)
                    where = template.replace("/", "_").replace("{", "").replace("}", "")
                    name = f"{row['role'].replace(' ', '-')}{where}"
                    probe.screenshot(path=str(screenshots / f"{name}-1280.png"), full_page=True)
                    probe.set_viewport_size(PHONE)
                    probe.screenshot(path=str(screenshots / f"{name}-360.png"), full_page=True)
                if lighthouse:
                    cookies = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
                    row.update(run_lighthouse(base + path, cookies))
                results.append(row)
                probe.close()
            context.close()
        browser.close()
    return results


def run_lighthouse(url: str, cookie: str) -> dict:
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        return {"lighthouse": "not installed (npm devDependency; make vendor)"}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [
            str(binary),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            "--only-categories=accessibility,performance,best-practices",
            "--chrome-flags=--headless=new --no-sandbox",
            f"--extra-headers={json.dumps({'Cookie': cookie})}" if cookie else "--extra-headers={}",
            # Lighthouse's mobile preset, throttled: the figure a phone on a slow network would see.
            "--form-factor=mobile",
        ]
        env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
        if done.returncode or not report.exists():
            return {"lighthouse": "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:200]}
        data = json.loads(report.read_text())
    cats = data["categories"]
    failed = [
        a["id"]
        for a in data["audits"].values()
        if a.get("scoreDisplayMode") == "binary" and a.get("score") == 0 and a["id"] in _a11y_ids(data)
    ]
    # What the performance score is made of, to tell a slow page from a busy machine (TBT follows the load).
    metrics = {
        name: round(data["audits"][audit]["numericValue"], 3 if name == "cls" else 0)
        for name, audit in (
            ("fcp_ms", "first-contentful-paint"),
            ("lcp_ms", "largest-contentful-paint"),
            ("tbt_ms", "total-blocking-time"),
            ("cls", "cumulative-layout-shift"),
            ("si_ms", "speed-index"),
        )
        if data["audits"].get(audit, {}).get("numericValue") is not None
    }
    return {
        "metrics": metrics,
        "accessibility": round(cats["accessibility"]["score"] * 100),
        "performance": round(cats["performance"]["score"] * 100),
        "best_practices": round(cats["best-practices"]["score"] * 100),
        "a11y_failed": failed,
    }


def _a11y_ids(data: dict) -> set[str]:
    return {ref["id"] for ref in data["categories"]["accessibility"]["auditRefs"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--lighthouse", action="store_true")
    parser.add_argument("--screenshots", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="also write the figures as JSON here")
    parser.add_argument("--only", default="", help="comma-separated pages to measure (as listed in PAGES)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/pages.db",
            "SECRET_KEY": "bench-pages-not-a-secret",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
        }
        inventory = _bin("inventory")
        subprocess.run([inventory, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
        subprocess.run([inventory, "seed-demo"], env=env, cwd=ROOT, check=True, capture_output=True)
        ids = demo_ids(env)
        server = serve(args.port, env)
        try:
            if args.only:
                wanted = set(args.only.split(","))
                for role in PAGES:
                    PAGES[role] = [p for p in PAGES[role] if p in wanted]
            rows = measure(f"http://127.0.0.1:{args.port}", ids, args.screenshots, args.lighthouse)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a busy machine: the figures are measured, do not lose them
                server.kill()
                server.wait(timeout=10)
    print(f"{'role':<11} {'page':<36} {'files':>5} {'bytes':>9} {'gzip':>8}  lighthouse a11y/perf/bp")
    for r in rows:
        lh = ""
        if "accessibility" in r:
            lh = f"{r['accessibility']}/{r['performance']}/{r['best_practices']} {' '.join(r['a11y_failed'])}"
            lh += " " + " ".join(f"{k}={v}" for k, v in r["metrics"].items())
        elif "lighthouse" in r:
            lh = r["lighthouse"]
        print(f"{r['role']:<11} {r['path']:<36} {r['files']:>5} {r['bytes']:>9} {r['gzip']:>8}  {lh}")
    print(f"heaviest first load: {max(r['gzip'] for r in rows)} bytes gzip-compressed")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
