"""Schemathesis against a live server, once for each role: every operation, bounded.

    .venv/bin/python tests/contract/fuzz_api.py [--cases N]

Starts the app on a fresh SQLite database with the demo data, signs in as each demo account, and runs
`st run` over the whole OpenAPI document with two checks: no answer is a server error, and every
answer matches the schema the document gives it. Exits non-zero if either finds anything.

Two operations stay out, because they would stop the run rather than test anything: revoking the
token the run signs in with, and erasing participants (which removes the data the rest exercises;
erasure has its own tests in tests/api and tests/integration).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ROLES = {
    "admin": ("admin@demo.example", "demo-admin-2026"),
    "warehouse": ("warehouse@demo.example", "demo-warehouse-2026"),
    "advocate": ("advocate@demo.example", "demo-advocate-2026"),
    "partner": ("partner@demo.example", "demo-partner-2026"),
}
EXCLUDED = ["--exclude-path", "/api/v1/auth/tokens/current", "--exclude-path-regex", "/erase$"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    for _ in range(150):
        if server.poll() is not None:
            sys.exit(f"the server stopped before answering (exit code {server.returncode})")
        try:
            if requests.get(f"{base}/api/v1/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    sys.exit("the server did not answer within 30 seconds")


def fuzz_as(role: str, account: tuple[str, str], cases: int) -> bool:
    email, password = account
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/fuzz.db",
            "PUBLIC_BASE_URL": base,
            "SECRET_KEY": "schemathesis-run-" + "x" * 32,
            "NOTIFIER": "log",
        }
        env.pop("FLASK_DEBUG", None)
        subprocess.run([BIN / "inventory", "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([BIN / "inventory", "seed-demo"], env=env, check=True, capture_output=True)
        log = open(Path(tmp) / "server.log", "w")
        server = subprocess.Popen(
            [BIN / "inventory", "run", "--host", "127.0.0.1", "--port", str(port), "--with-threads"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        run = None
        try:
            wait_until_up(base, server)
            answer = requests.post(f"{base}/api/v1/auth/tokens", json={"email": email, "password": password})
            answer.raise_for_status()
            token = answer.json()["token"]
            print(f"== schemathesis as {role}", flush=True)
            run = subprocess.run(
                [
                    BIN / "st",
                    "run",
                    f"{base}/api/v1/openapi.json",
                    "-H",
                    f"Authorization: Bearer {token}",
                    "--checks",
                    "not_a_server_error,response_schema_conformance",
                    "--max-examples",
                    str(cases),
                    "--phases",
                    "examples,fuzzing",
                    "--seed",
                    "2026",
                    "--no-color",
                    # A label sheet for a whole warehouse is a PDF of hundreds of labels: slow on a busy machine.
                    "--request-timeout",
                    "60",
                    *EXCLUDED,
                ],
                cwd=tmp,
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.close()
            if run is None or run.returncode != 0:
                print((Path(tmp) / "server.log").read_text()[-20000:])
    return run is not None and run.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=15, help="examples per operation and phase (default 15)")
    args = parser.parse_args()
    # Each role on a database of its own: an administrator's run deactivates and resets accounts,
    # which must not stop the next role from signing in.
    failed = [role for role, account in ROLES.items() if not fuzz_as(role, account, args.cases)]
    if failed:
        print(f"schemathesis found problems as: {', '.join(failed)}")
        return 1
    print("schemathesis: no server errors and no answers outside the schema, for every role")
    return 0


if __name__ == "__main__":
    sys.exit(main())
