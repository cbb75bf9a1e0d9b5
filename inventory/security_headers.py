"""The headers every answer carries (pages, API, files, errors), written once.

The Content-Security-Policy allows no inline script and no inline style: every script and stylesheet is a
file this app serves. 'wasm-unsafe-eval' lets the camera's barcode reader (zxing-wasm, from /vendor) compile
its WebAssembly; it does not allow eval() of JavaScript. The camera is allowed for this origin only.
Nothing may be cached except the app's own script, style and vendored files: every other answer may hold
personal data."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self'",  # the service worker, from our own origin only
    "manifest-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(_DIRECTIVES)


def content_security_policy(config) -> str:
    """The policy for this app. With single sign-on, the sign-in form's answer is a redirect to the
    organisation's provider, and browsers hold a form's redirects to form-action too."""
    issuer = config.get("OIDC_ISSUER")
    if not issuer:
        return CONTENT_SECURITY_POLICY
    parts = urlsplit(issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    return "; ".join(f"form-action 'self' {origin}" if d == "form-action 'self'" else d for d in _DIRECTIVES)


PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}
# The app's own static files and the vendored browser libraries: the same for everyone, so cacheable.
CACHEABLE_ENDPOINTS = frozenset({"web.static", "web.vendor", "web.manifest", "web.app_icon"})
# Kept, but asked about again every time: the service worker (so a new release reaches phones at once).
# The /offline shell too: the worker precaches it, and it holds nothing personal.
REVALIDATED_ENDPOINTS = frozenset({"web.service_worker", "web.offline_shell"})


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers[name] = value
    if current_app.config.get("OIDC_ISSUER"):
        response.headers["Content-Security-Policy"] = content_security_policy(current_app.config)
    if current_app.config["ENV_NAME"] == "production":  # production is always https (config.py)
        response.headers["Strict-Transport-Security"] = HSTS
    if request.endpoint in REVALIDATED_ENDPOINTS and response.status_code < 400:
        response.headers["Cache-Control"] = "no-cache"
    elif request.endpoint not in CACHEABLE_ENDPOINTS or response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def register(app: Flask) -> None:
    app.after_request(add_headers)
