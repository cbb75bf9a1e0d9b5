"""The deployment files say what README "Running it in production" promises: one image, migrations as a
release step only, a non-root web server with a health check, and an access log without query strings.
`make image-check` (tests/deploy/rehearse_image.py) runs what the image runs and checks compose.yaml with
`docker compose config -q`."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "scheduler")
TEST_ONLY = ("pytest", "playwright", "ruff", "mypy", "schemathesis", "pypdf", "zxing-cpp", "pypdfium2")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def _stages(dockerfile: str) -> list[str]:
    return re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]


def _instructions(stage: str) -> list[str]:
    """The stage's instructions, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", stage)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.strip().split("==")
            pins[name.lower()] = version
    return pins


def test_compose_has_the_database_the_release_step_the_web_app_and_the_scheduler(compose):
    services = compose["services"]
    assert set(services) == {"db", *APP_SERVICES}
    db = services["db"]
    assert db["image"].startswith("postgres:15")
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"], "the database lives in a named volume"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_only_the_migrate_service_migrates_and_the_others_wait_for_it(compose):
    services = compose["services"]
    assert _command(services["migrate"]) == "inventory db upgrade"
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "scheduler"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert _command(services["web"]).startswith("gunicorn")
    assert _command(services["scheduler"]) == "inventory scheduler"
    for name, service in services.items():
        if name != "migrate":
            assert "upgrade" not in _command(service) and "upgrade" not in str(service.get("entrypoint", ""))


def test_every_app_service_runs_in_production_with_its_secrets_from_the_env_file(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        env = service["environment"]
        assert env["INVENTORY_ENV"] == "production"
        assert env["DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in env["DATABASE_URL"]
        # Required references to .env (compose stops with the message when unset), never a value.
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
        assert env["PUBLIC_BASE_URL"].startswith("${PUBLIC_BASE_URL:?")
        assert service["image"] == compose["services"]["web"]["image"], "one image for every process"


def test_the_env_file_is_never_committed_and_its_example_holds_no_secret():
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    assert ".env" in (ROOT / ".dockerignore").read_text().split()
    example = dict(
        line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if line[:1].isalpha()
    )
    assert example["SECRET_KEY"] == "" and example["POSTGRES_PASSWORD"] == ""


def test_the_image_is_built_in_stages_and_runs_a_wheel_from_the_runtime_lock():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = _stages(dockerfile)
    assert len(stages) >= 3, "builder, browser libraries, runtime"
    assert not re.search(r"pip install[^\n]*(-e |--editable)", dockerfile)
    builder = " ".join(_instructions(stages[0]))
    assert "pip install --no-deps -r requirements-runtime.lock" in builder
    assert "pip wheel --no-deps" in builder
    vendor = " ".join(_instructions(stages[1]))
    # The lock's packages, the styles compiled with the dev tools (sass), then the dev tools pruned away.
    assert "npm ci" in vendor and "npm prune --omit=dev" in vendor
    assert vendor.index("npm ci") < vendor.index("npm prune")
    # The service worker is generated there by Workbox (a dev tool), before the dev tools are pruned.
    assert "build-service-worker.mjs" in vendor
    assert vendor.index("build-service-worker.mjs") < vendor.index("npm prune")
    runtime = _instructions(stages[-1])
    assert not any(word in " ".join(runtime) for word in ("gcc", "build-essential", "pip install", "COPY inventory"))
    assert any(line.startswith("COPY --from=builder /opt/venv") for line in runtime)


def test_the_image_runs_as_a_user_with_a_health_check_and_never_migrates_at_start():
    runtime = _instructions(_stages((ROOT / "Dockerfile").read_text())[-1])
    users = [line.split()[1] for line in runtime if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    (healthcheck,) = [line for line in runtime if line.startswith("HEALTHCHECK ")]
    assert "/api/v1/health" in healthcheck and "urllib" in healthcheck
    (cmd,) = [line for line in runtime if line.startswith("CMD ")]
    assert "gunicorn" in cmd and "gunicorn.conf.py" in cmd
    assert "upgrade" not in cmd and not any(line.startswith("ENTRYPOINT") for line in runtime)


def test_the_runtime_lock_pins_the_same_versions_without_the_test_tools():
    full, runtime = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-runtime.lock")
    assert {name: full.get(name) for name in runtime} == runtime, "make lock: the two locks disagree"
    assert not set(TEST_ONLY) & set(runtime)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group().lower().replace("_", "-")
        assert name in runtime, f"{name} is not in requirements-runtime.lock: run make lock"


def _gunicorn_settings(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_the_access_log_has_method_path_status_duration_and_request_id_but_no_query_string(monkeypatch):
    settings = _gunicorn_settings(monkeypatch)
    log_format = settings["access_log_format"]
    for atom in ("%(q)s", "%(r)s", "%(a)s", "%(h)s", "%(f)s"):
        assert atom not in log_format
    for atom in ("%(m)s", "%(U)s", "%(s)s", "%(M)s", "%({x-request-id}i)s"):
        assert atom in log_format


def test_gunicorn_settings(monkeypatch):
    settings = _gunicorn_settings(monkeypatch)
    assert settings["wsgi_app"] == "inventory:create_app()"
    assert settings["bind"] == "0.0.0.0:8000"
    assert (settings["timeout"], settings["graceful_timeout"], settings["keepalive"]) == (30, 20, 5)
    assert 3 <= settings["workers"] <= settings["MAX_WORKERS"]
    assert settings["forwarded_allow_ips"] == "127.0.0.1,::1"
    chosen = _gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3", FORWARDED_ALLOW_IPS="10.0.0.0/8", PORT="9000")
    assert (chosen["workers"], chosen["forwarded_allow_ips"], chosen["bind"]) == (3, "10.0.0.0/8", "0.0.0.0:9000")


@pytest.mark.slow
def test_the_wheel_carries_the_migrations_templates_and_demo_data(tmp_path):
    """The image installs the wheel, not the source tree: `inventory db upgrade` must find the migrations."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("inventory-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    versions = {p.relative_to(ROOT).as_posix() for p in (ROOT / "migrations" / "versions").glob("*.py")}
    assert versions and versions <= names
    assert {"migrations/env.py", "migrations/alembic.ini", "migrations/script.py.mako"} <= names
    assert "inventory/web/templates/base.html" in names
    assert any(name.startswith("inventory/demo_data/") for name in names)
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_the_scheduler_writes_background_jobs_files_where_the_web_containers_read_them(compose):
    """Big label sheets and long exports are made by the scheduler and downloaded through the web app: both
    must have FILE_STORAGE_DIR on the same named volume."""
    services = compose["services"]
    places = set()
    for name in ("web", "scheduler"):
        folder = services[name]["environment"]["FILE_STORAGE_DIR"]
        mounts = [v.split(":") for v in services[name]["volumes"]]
        [volume] = [source for source, target, *_ in mounts if target == folder]
        assert volume in compose["volumes"], f"{name}'s files are on a named volume"
        places.add((volume, folder))
    assert len(places) == 1
