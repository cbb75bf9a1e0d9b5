"""Settings from the environment, checked when the app starts."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from flask.helpers import get_debug_flag

from .clock import FrozenClock, SystemClock
from .logging_setup import default_format as default_log_format

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_KEY_BYTES = 32


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the app refuses to start rather than run half-configured."""


def _sqlite_default(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'inventory.sqlite3'}"


def normalise_database_url(url: str) -> str:
    """Let people paste the URLs their hosting gives them; we always talk to PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _label_offsets(env) -> dict[str, tuple[float, float]]:
    offsets = {}
    for name, value in env.items():
        if name.startswith("LABEL_OFFSET_"):
            try:
                dx, dy = (float(part) for part in value.split(","))
            except ValueError:
                raise ConfigError(f"{name} must be two numbers of millimetres, like 0.5,-0.3") from None
            offsets[name.removeprefix("LABEL_OFFSET_").upper()] = (dx, dy)
    return offsets


def _size(value: str) -> tuple[float, float]:
    try:
        width, height = (float(part) for part in value.lower().split("x"))
    except ValueError:
        raise ConfigError(f"ZPL_LABEL_SIZE must be WIDTHxHEIGHT in mm, like 50.8x25.4, not {value!r}") from None
    return width, height


def _flag(env, name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("true", "yes", "on", "1"):
        return True
    if value in ("false", "no", "off", "0"):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def role_groups(value: str) -> dict[str, str]:
    """OIDC_ROLE_GROUPS, `admin=<group id>,advocate=<group id>`, as {group id: role name}. A role may have
    several groups; a group gives one role."""
    from .models.users import Role  # the role names; models import nothing from here

    mapping: dict[str, str] = {}
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        role, sep, group = (side.strip() for side in item.partition("="))
        if not sep or not role or not group:
            raise ConfigError(f"OIDC_ROLE_GROUPS items are role=<group id>, like admin=1b2c..., not {item!r}")
        if role not in set(Role):
            raise ConfigError(f"OIDC_ROLE_GROUPS names an unknown role {role!r}: use {', '.join(Role)}")
        if mapping.get(group, role) != role:
            raise ConfigError(f"OIDC_ROLE_GROUPS gives one group two roles ({mapping[group]} and {role})")
        mapping[group] = role
    return mapping


def engine_options(url: str, given: dict) -> dict:
    """The connection pool's settings. Each connection is checked before use (pool_pre_ping), so after
    the database restarts or ends our connections the next request gets a fresh one; on PostgreSQL
    our connections are named (pg_stat_activity.application_name) and a connection attempt gives up
    after a few seconds rather than holding a request for the operating system's minutes. JIT is off:
    our queries are short index look-ups, for which PostgreSQL's JIT compiler only adds its compile
    time (it spent 325 ms compiling a 40 ms retention query at national scale) whenever the planner's
    cost estimate of a big table passes jit_above_cost."""
    options = {"pool_pre_ping": True, **given}
    if url.startswith("postgresql"):
        connect_args = {"application_name": "inventory", "connect_timeout": 5, "options": "-c jit=off"}
        options["connect_args"] = {**connect_args, **given.get("connect_args", {})}
    return options


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config from the environment, then apply overrides (tests pass their own)."""
    env = os.environ
    cfg: dict = {
        "ENV_NAME": env.get("INVENTORY_ENV", "development"),
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env.get("DATABASE_URL") or _sqlite_default(instance_path)),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "NOTIFIER": env.get("NOTIFIER", "log"),
        "NOTIFY_API_KEY": env.get("NOTIFY_API_KEY", ""),
        "NOTIFY_BASE_URL": env.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
        "NOTIFY_TIMEOUT": float(env.get("NOTIFY_TIMEOUT", "10")),
        # The bearer token GOV.UK Notify sends with its delivery receipts (set in Notify's API
        # integration page, "callbacks"); none: the callback address answers 404.
        "NOTIFY_CALLBACK_TOKEN": env.get("NOTIFY_CALLBACK_TOKEN", ""),
        # One template id per message kind and channel: NOTIFY_TEMPLATE_PLAN_ENDING_SMS and so on.
        "NOTIFY_TEMPLATES": {
            name.removeprefix("NOTIFY_TEMPLATE_").lower(): value
            for name, value in env.items()
            if name.startswith("NOTIFY_TEMPLATE_")
        },
        "REMINDER_MAX_ATTEMPTS": int(env.get("REMINDER_MAX_ATTEMPTS", "6")),
        "ASSESSMENT_REMINDER_WEEKS": int(env.get("ASSESSMENT_REMINDER_WEEKS", "4")),
        # What the day-0 message tells people to do when the free data ends.
        "NEXT_STEPS": env.get(
            "NEXT_STEPS",
            "Ask your provider about a social tariff (cheaper broadband and mobile "
            "for people on Universal Credit and other benefits: "
            "ofcom.org.uk/socialtariffs), or contact your programme advocate.",
        ),
        # Largest CSV manifest accepted in one upload, and the whole request body.
        "MAX_IMPORT_ROWS": int(env.get("MAX_IMPORT_ROWS", "50000")),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024))),
        # Personal data of participants whose involvement ended longer ago than this is erased.
        "RETENTION_MONTHS": int(env.get("RETENTION_MONTHS", "24")),
        # Sent reminders are deleted from the outbox this many days after they were sent.
        "SENT_REMINDER_DAYS": int(env.get("SENT_REMINDER_DAYS", "180")),
        # A background job's file (a big label sheet, a big export) is deleted this many days after it was made.
        "JOB_RESULT_DAYS": int(env.get("JOB_RESULT_DAYS", "7")),
        # An Idempotency-Key (and the first answer kept with it) is deleted this many days after its request:
        # a retry with that key after then is a new request. It must outlast any retry (the offline queue
        # replays within one web session); the answer holds no personal data, but it need not stay for good.
        "IDEMPOTENCY_KEY_DAYS": int(env.get("IDEMPOTENCY_KEY_DAYS", "7")),
        # A fixed "today" (tests, demos): the app's clock starts at noon that day (see clock.py).
        # None means the wall clock.
        "TODAY": None,
        "CLOCK": None,
        # How long a worker trusts what it learnt about a token (see auth.TokenCache); 0 = never. At
        # most 1, so that a revocation or a deactivation takes effect on every worker within a second.
        "TOKEN_CACHE_SECONDS": float(env.get("TOKEN_CACHE_SECONDS", "1")),
        # Roles that must set up a second factor before they can do anything else (in production by
        # default the roles that see participants' personal data).
        "MFA_REQUIRED_ROLES": env.get(
            "MFA_REQUIRED_ROLES", "admin,advocate" if env.get("INVENTORY_ENV") == "production" else ""
        ),
        # How many proxies (load balancer, ingress) stand in front of the app: their X-Forwarded-For and
        # X-Forwarded-Proto are believed, so the guessing limits count the real client's address.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # A location not counted (a closed stocktake) for this many days is flagged on the stock page.
        "STOCKTAKE_DAYS": int(env.get("STOCKTAKE_DAYS", "90")),
        # API tokens expire this many days after sign-in.
        "TOKEN_DAYS": int(env.get("TOKEN_DAYS", "30")),
        "VENDOR_DIR": env.get("VENDOR_DIR", str(PROJECT_ROOT / "node_modules")),
        # flask-smorest: the OpenAPI document and its interactive page, served from our own origin.
        "API_TITLE": "Device-lending inventory",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/vendor/swagger-ui/",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"bearer": []}],
        },
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # How passwords are hashed (werkzeug's method names); tests use a cheap one.
        "PASSWORD_HASH_METHOD": "scrypt",
        # Web sessions: signed cookies, HTTP-only, SameSite=Lax; signed out after this many idle minutes.
        "WEB_IDLE_MINUTES": int(env.get("WEB_IDLE_MINUTES", "30")),
        # ... and after this many hours whatever the activity.
        "WEB_SESSION_HOURS": int(env.get("WEB_SESSION_HOURS", "12")),
        # Erasing a participant, administering users or enrolling a second factor asks for the
        # password again when it was last given longer ago than this.
        "REAUTH_MINUTES": int(env.get("REAUTH_MINUTES", "10")),
        # The found-device page takes at most this many "I found this" reports an hour from one address.
        "FOUND_REPORTS_PER_HOUR": int(env.get("FOUND_REPORTS_PER_HOUR", "5")),
        # A form whose session ran out is kept this long for its author to sign in again and send it.
        "KEPT_FORM_MINUTES": int(env.get("KEPT_FORM_MINUTES", "30")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Made true below whenever PUBLIC_BASE_URL is https.
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_DURATION": 0,
        # Labels: per-template printer offsets in mm (LABEL_OFFSET_L7651="0.5,-0.3": right, down), and
        # the Zebra printer's label size and resolution.
        "LABEL_OFFSETS": _label_offsets(env),
        "ZPL_LABEL_SIZE": _size(env.get("ZPL_LABEL_SIZE", "50.8x25.4")),
        "ZPL_DPI": int(env.get("ZPL_DPI", "203")),
        # Single sign-on with OpenID Connect (web/sso.py): all three of issuer, client id and secret, or none.
        "OIDC_ISSUER": env.get("OIDC_ISSUER", "").strip().rstrip("/"),
        "OIDC_CLIENT_ID": env.get("OIDC_CLIENT_ID", "").strip(),
        "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_SCOPES": env.get("OIDC_SCOPES", "openid email profile").strip(),
        # Where the provider lists a person's groups (Microsoft Entra ID: `groups`, as group object ids).
        "OIDC_GROUPS_CLAIM": env.get("OIDC_GROUPS_CLAIM", "groups").strip(),
        "OIDC_ROLE_GROUPS": env.get("OIDC_ROLE_GROUPS", ""),
        "OIDC_TIMEOUT": float(env.get("OIDC_TIMEOUT", "10")),
        # false: no password sign-in, on the page or for API tokens (everyone signs in through OIDC).
        "PASSWORD_SIGN_IN": _flag(env, "PASSWORD_SIGN_IN", True),
        # GET /metrics answers only a scraper sending this as its bearer token; unset, /metrics is a 404.
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        # Where kept documents (handover records) are stored: a folder (default: instance/files).
        "FILE_STORAGE_DIR": env.get("FILE_STORAGE_DIR", ""),
        # The key and certificate (PEM files) that sign the PDFs we issue. Unset outside production: a
        # self-signed pair is made in the instance folder on first start.
        "PDF_SIGNING_KEY": env.get("PDF_SIGNING_KEY", ""),
        "PDF_SIGNING_CERT": env.get("PDF_SIGNING_CERT", ""),
        "PDF_SIGNING_KEY_PASSWORD": env.get("PDF_SIGNING_KEY_PASSWORD", ""),
        # Send participants who consented a copy of their handover record and certificate (by email as a
        # file; by SMS a note). Needs Notify templates for the kinds handover and certificate.
        "PAPERWORK_COPIES": _flag(env, "PAPERWORK_COPIES", True),
        # How long GOV.UK Notify keeps a file we send by email (1 to 78 weeks; its default is 26).
        "NOTIFY_FILE_RETENTION": env.get("NOTIFY_FILE_RETENTION", "26 weeks"),
        # json: one JSON object a line (production's default); text: for people at a terminal.
        "LOG_FORMAT": default_log_format(env),
    }
    if overrides:
        cfg.update(overrides)
    cfg["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(cfg["SQLALCHEMY_DATABASE_URI"])
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(cfg["SQLALCHEMY_DATABASE_URI"], cfg["SQLALCHEMY_ENGINE_OPTIONS"])
    if cfg["PUBLIC_BASE_URL"].startswith("https://"):
        # Served over https: the browser must never send the session over plain http.
        cfg["SESSION_COOKIE_SECURE"] = cfg["REMEMBER_COOKIE_SECURE"] = True
    if isinstance(cfg["OIDC_ROLE_GROUPS"], str):
        cfg["OIDC_ROLE_GROUPS"] = role_groups(cfg["OIDC_ROLE_GROUPS"])
    if cfg["CLOCK"] is None:
        cfg["CLOCK"] = FrozenClock.on(cfg["TODAY"]) if cfg["TODAY"] is not None else SystemClock()
    _check(cfg)
    return cfg


def _check(cfg: dict) -> None:
    production = cfg["ENV_NAME"] == "production"
    if not cfg["SECRET_KEY"]:
        if production:
            raise ConfigError("SECRET_KEY must be set in production")
        cfg["SECRET_KEY"] = "development-only-secret"
    if production:
        _refuse_unsafe_production(cfg)
    if not cfg["PUBLIC_BASE_URL"].startswith(("http://", "https://")):
        raise ConfigError("PUBLIC_BASE_URL must start with http:// or https://")
    if cfg["ZPL_DPI"] not in (203, 300):
        raise ConfigError("ZPL_DPI must be 203 or 300")
    if not 60 <= cfg["SENT_REMINDER_DAYS"] <= 3650:
        raise ConfigError("SENT_REMINDER_DAYS must be between 60 and 3650")
    if not 1 <= cfg["JOB_RESULT_DAYS"] <= 90:
        raise ConfigError("JOB_RESULT_DAYS must be between 1 and 90")
    if not 2 <= cfg["IDEMPOTENCY_KEY_DAYS"] <= 90:
        raise ConfigError("IDEMPOTENCY_KEY_DAYS must be between 2 and 90")
    if not 1 <= cfg["RETENTION_MONTHS"] <= 120:
        raise ConfigError("RETENTION_MONTHS must be between 1 and 120")
    roles = cfg["MFA_REQUIRED_ROLES"]
    if isinstance(roles, str):
        roles = frozenset(r.strip().lower() for r in roles.split(",") if r.strip())
    unknown = set(roles) - {"admin", "warehouse", "advocate", "partner"}
    if unknown:
        raise ConfigError(f"MFA_REQUIRED_ROLES names unknown roles: {', '.join(sorted(unknown))}")
    cfg["MFA_REQUIRED_ROLES"] = frozenset(roles)
    if not 0 <= cfg["TOKEN_CACHE_SECONDS"] <= 1:
        raise ConfigError("TOKEN_CACHE_SECONDS must be between 0 and 1 (a revocation must reach every worker)")
    if not 1 <= cfg["TOKEN_DAYS"] <= 366:
        raise ConfigError("TOKEN_DAYS must be between 1 and 366")
    if not 1 <= cfg["STOCKTAKE_DAYS"] <= 3660:
        raise ConfigError("STOCKTAKE_DAYS must be between 1 and 3660")
    if not 1 <= cfg["WEB_SESSION_HOURS"] <= 24:
        raise ConfigError("WEB_SESSION_HOURS must be between 1 and 24")
    _check_oidc(cfg)
    if cfg["LOG_FORMAT"] not in ("json", "text"):
        raise ConfigError(f"LOG_FORMAT must be json or text, not {cfg['LOG_FORMAT']!r}")
    weeks = re.fullmatch(r"(\d{1,2}) weeks?", cfg["NOTIFY_FILE_RETENTION"].strip())
    if not weeks or not 1 <= int(weeks.group(1)) <= 78:
        raise ConfigError("NOTIFY_FILE_RETENTION must be a number of weeks from 1 to 78, like '26 weeks'")
    if cfg["NOTIFIER"] not in ("log", "govuk_notify"):
        raise ConfigError("NOTIFIER must be 'log' or 'govuk_notify'")
    if cfg["NOTIFIER"] == "govuk_notify" and len(cfg["NOTIFY_API_KEY"]) < 74:
        raise ConfigError("NOTIFIER=govuk_notify needs NOTIFY_API_KEY (the key Notify gives, with the service id)")


def _refuse_unsafe_production(cfg: dict) -> None:
    """Production holds vulnerable people's details: it does not start on settings that would expose them."""
    secret = cfg["SECRET_KEY"]
    if len(secret.encode() if isinstance(secret, str) else secret) < MIN_SECRET_KEY_BYTES:
        raise ConfigError(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes in production "
            '(make one with: python3 -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Several app instances cannot share one SQLite file safely.
        raise ConfigError("DATABASE_URL must point at PostgreSQL in production")
    if cfg.get("DEBUG") or get_debug_flag():
        # The debugger runs any Python a visitor types, and error pages would show request data.
        raise ConfigError("Debug mode must be off in production (unset FLASK_DEBUG; do not run with --debug)")
    if not cfg["PUBLIC_BASE_URL"].startswith("https://"):
        raise ConfigError(f"PUBLIC_BASE_URL must be https:// in production, not {cfg['PUBLIC_BASE_URL']!r}")
    if not (cfg["PDF_SIGNING_KEY"] and cfg["PDF_SIGNING_CERT"]):
        # A self-signed key made on the spot would sign certificates nobody can trust.
        raise ConfigError("PDF_SIGNING_KEY and PDF_SIGNING_CERT (PEM files) must be set in production")


def _check_oidc(cfg: dict) -> None:
    names = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
    given = [name for name in names if cfg[name]]
    if given and len(given) < len(names):
        missing = ", ".join(name for name in names if not cfg[name])
        raise ConfigError(f"Single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: {missing} not set")
    configured = bool(given)
    if not configured:
        if cfg["OIDC_ROLE_GROUPS"]:
            raise ConfigError("OIDC_ROLE_GROUPS needs single sign-on (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)")
        if not cfg["PASSWORD_SIGN_IN"]:
            raise ConfigError("PASSWORD_SIGN_IN=false needs single sign-on, or nobody could sign in")
        return
    issuer = urlsplit(cfg["OIDC_ISSUER"])
    # Plain http only to this machine (a provider in development or the tests).
    if not (issuer.scheme == "https" or (issuer.scheme == "http" and issuer.hostname in ("127.0.0.1", "localhost"))):
        raise ConfigError(
            "OIDC_ISSUER must be an https:// address, like https://login.microsoftonline.com/<tenant>/v2.0"
        )
    if not issuer.hostname or issuer.query or issuer.fragment:
        raise ConfigError("OIDC_ISSUER must be the provider's issuer address, with no query or fragment")
    if "openid" not in cfg["OIDC_SCOPES"].split():
        raise ConfigError("OIDC_SCOPES must include openid")
    if not cfg["OIDC_GROUPS_CLAIM"]:
        raise ConfigError("OIDC_GROUPS_CLAIM must name a claim (Microsoft Entra ID: groups)")
    if not cfg["OIDC_TIMEOUT"] > 0:
        raise ConfigError("OIDC_TIMEOUT must be a positive number of seconds")
