"""How the service is reached over HTTP: one blueprint per resource, HTTP glue only."""

from __future__ import annotations

from ..extensions import api
from .assets.routes import blp as assets
from .auth.routes import blp as auth
from .health.routes import blp as health
from .kits.routes import blp as kits
from .reference.routes import blp as reference
from .scan.routes import blp as scan
from .stock.routes import blp as stock
from .users.routes import blp as users


def register(app) -> None:
    for blueprint in (health, auth, users, reference, assets, scan, kits, stock):
        api.register_blueprint(blueprint)
