"""Signing a test client in through the real sign-in form, and reading a form's CSRF token."""

from __future__ import annotations

import re

import pytest
from flask import g


def csrf_from(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def new_request_context():
    """These tests share one app context across requests (conftest), and flask-wtf caches a request's
    token in `g`; a real request starts with an empty `g`, so forget it."""
    g.pop("csrf_token", None)


def sign_in(client, email, next_path=None, password="correct horse battery"):
    page = client.get("/sign-in" + (f"?next={next_path}" if next_path else ""))
    response = client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": csrf_from(page), "next": next_path or ""}
    )
    new_request_context()  # sign-in starts a fresh session
    return response


@pytest.fixture
def as_role(client, world):
    """`as_role("warehouse")` -> (client, csrf token for its forms)."""

    def sign(role: str):
        sign_in(client, f"{role}@test.example")
        return client, csrf_from(client.get("/stock"))

    return sign
