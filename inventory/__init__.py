"""The device-lending inventory service: create_app() builds the Flask app; nothing happens at import."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as settings
from . import errors, logging_setup, metrics, security_headers, storage
from . import extensions as ext
from .http import JSONProvider
from .pdf import signing as pdf_signing


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings.load(app.instance_path, config))
    app.json = JSONProvider(app)
    logging_setup.init_app(app)  # first, so that every later line (and every request) is logged alike

    from . import models  # noqa: F401 - registers the tables with the metadata

    ext.db.init_app(app)
    ext.init_unit_of_work(app)  # first, so that every later hook runs inside the request's transaction
    ext.migrate.init_app(app, ext.db, directory=str(settings.PROJECT_ROOT / "migrations"), render_as_batch=True)
    ext.api.init_app(app)
    ext.login_manager.init_app(app)
    ext.csrf.init_app(app)
    errors.register(app)  # after the Api, so our JSON errors replace flask-smorest's
    security_headers.register(app)
    metrics.init_app(app)
    storage.init_app(app)
    pdf_signing.init_app(app)

    from . import api as http_api
    from . import web

    http_api.register(app)
    web.register(app)

    if app.config["TRUSTED_PROXIES"]:
        # Behind a load balancer, the client's address (counted by the guessing limits) and https
        # come in X-Forwarded-* headers; trust exactly as many hops as there are proxies, no more,
        # or anyone could claim any address.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    return app
