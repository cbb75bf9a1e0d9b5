"""gunicorn's settings for the web app in production (`gunicorn -c gunicorn.conf.py`; the image's CMD).

Read by gunicorn at start-up, from the working directory. Everything here can be overridden from the
environment: WEB_CONCURRENCY (workers), FORWARDED_ALLOW_IPS (the proxies trusted for X-Forwarded-*),
PORT, and any other setting through GUNICORN_CMD_ARGS.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "inventory:create_app()"
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# gunicorn's rule of thumb (2 per core + 1), capped: every worker holds its own pool of database
# connections, and PostgreSQL's default of 100 connections is shared with the scheduler and the release step.
MAX_WORKERS = 8
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, MAX_WORKERS))

# A request that takes longer than this is stuck (the slowest, an outcome report or a label sheet,
# takes a few seconds): the worker is killed and replaced. On SIGTERM, requests under way get
# graceful_timeout to finish, inside the 30 s a container platform allows before it kills.
timeout = 30
graceful_timeout = 20
keepalive = 5
# The workers' heartbeat files on a memory file system: a container's overlay disk can stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No runtime control socket: nothing uses it, and the app user's home is not writable in the image.
control_socket_disable = True

# Only the proxies listed may set X-Forwarded-For/-Proto (gunicorn's default: this machine only).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = "-"
errorlog = "-"
# Method and path, never the query string (%(q)s, or %(r)s which holds it): searches put names,
# references and phone numbers there. No client address or user agent either (personal data); the
# request id ties a line to the app's own log.
access_log_format = (
    'method=%(m)s path="%(U)s" status=%(s)s bytes=%(B)s duration_ms=%(M)s request_id=%({x-request-id}i)s'
)


def on_starting(server):
    """With PROMETHEUS_MULTIPROC_DIR set, /metrics adds up every worker's counts from files there:
    start from an empty folder, so counts of workers from a previous run are not added in."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    """A worker that ended (restarted, killed on timeout) stops counting in the live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
