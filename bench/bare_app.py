"""Baselines for the benchmarks: bare Flask + Flask-SQLAlchemy, with no auth, no schema, no parsing.
GET /assets/ID is one primary-key look-up; POST /writes inserts and commits one row."""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, abort, jsonify
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Asset(db.Model):
    __tablename__ = "assets"
    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(12))
    type: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)

    @app.get("/assets/<int:asset_id>")
    def get_asset(asset_id: int):
        asset = db.session.get(Asset, asset_id)
        if asset is None:
            abort(404)
        return jsonify(tag=asset.tag, type=asset.type, status=asset.status)

    @app.post("/writes")
    def write():
        # The least a write can cost: one row inserted and committed.
        db.session.execute(sa.text("INSERT INTO bench_writes (note) VALUES ('x')"))
        db.session.commit()
        return jsonify(ok=True), 201

    return app
