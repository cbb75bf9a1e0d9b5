"""Browser tests: the app served on 127.0.0.1 by a real threaded server, driven through Debian's Chromium
by Playwright (no browser download: `executable_path` points at the system's chromium).

Screenshots of the main pages are written to SCREENSHOT_DIR (default build/screenshots) for review."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from inventory.extensions import db

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "build" / "screenshots"))
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "correct horse battery"  # the `world` fixture's users


@pytest.fixture(scope="session", autouse=True)
def _patient_assertions():
    """expect(...) waits up to 15 s rather than Playwright's 5: on a loaded CI machine a page's script can
    take longer than 5 s to load and answer, and the assertions wait for what a person would see."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("The browser tests need Chromium: `apt-get install chromium` (make test installs it)")


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    # Requests a service worker makes (Background Sync sending the offline queue) reach context.route too,
    # so a test can lose an answer whichever of page and worker sent it (tests/browser/test_offline.py).
    os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    fake_video = tmp_path_factory.mktemp("camera") / "label.y4m"
    write_camera_video(fake_video, None)  # a blank picture until a test puts a label in front of the camera
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(),
            args=CHROMIUM_FLAGS
            + [
                # A camera for the camera button: a fake device playing a video of a label (see `camera_label`).
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={fake_video}",
            ],
        )
        browser.fake_video = fake_video
        yield browser
        browser.close()


# Reported by the page on every Content-Security-Policy violation (Chromium also logs "Refused to ...").
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " in " + e.sourceFile);
});"""


def csp_violations(messages: list[str]) -> list[str]:
    return [m for m in messages if "Refused to" in m or "CSP violation" in m or "Content Security Policy" in m]


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh browser context (no cookies) per test; `page.open(path)` goes to the live server.
    Every page's console is kept (`page.console`), and a test fails if the Content-Security-Policy
    refused anything on any page it opened."""
    contexts, pages = [], []

    def new(viewport=DESKTOP, **options):
        context = chromium.new_context(viewport=viewport, base_url=live_server, accept_downloads=True, **options)
        context.set_default_timeout(10_000)
        context.add_init_script(REPORT_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page.console = []
        page.on("console", lambda message: page.console.append(message.text))
        pages.append(page)
        return page

    yield new
    refused = [m for page in pages for m in csp_violations(page.console)]
    for context in contexts:
        context.close()
    db.session.remove()
    assert not refused, f"The Content-Security-Policy refused: {refused}"


def sign_in(page, role: str, path: str = "/"):
    page.goto(path)
    page.get_by_label("Email").fill(f"{role}@test.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fits_width(page) -> bool:
    """Nothing wider than the viewport: no sideways scrolling on a phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def write_camera_video(path: Path, text: str | None, size: tuple[int, int] = (640, 480)) -> None:
    """What the fake camera sees: a QR code of `text` (as a label would show it) in a Y4M video, the format
    Chromium's --use-file-for-fake-video-capture plays (YUV 4:2:0; grey, so U and V are flat)."""
    import qrcode
    from PIL import Image

    frame = Image.new("L", size, 255)
    if text is not None:
        code = qrcode.make(text, box_size=8, border=4).get_image().convert("L")
        frame.paste(code, ((size[0] - code.width) // 2, (size[1] - code.height) // 2))
    chroma = bytes([128]) * (size[0] // 2 * size[1] // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
